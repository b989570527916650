"""Appointments for the handover day: slots per batch with a capacity, booking, moving and
cancelling (the owner in the portal, staff on the phone), and the reminder outbox.

A slot's `booked` count rises by one conditional UPDATE (`booked < capacity`), so of any number
of concurrent bookings exactly `capacity` succeed, on SQLite and PostgreSQL alike. Reminders
are rows in `handover_reminders` (queued for 10:00 the day before): the notifications module
delivers them once it exists; until then they are listed, never dropped.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from handover.accounts.models import User
from handover.core.errors import Conflict, NotFound, ValidationFailed
from handover.core.events import announce, appointment_changed
from handover.core.lifecycle import act_time
from handover.core.timeutil import local_tz, now_utc, to_local
from handover.extensions import db
from handover.handovers import day_rules
from handover.handovers.day_models import Appointment, AppointmentEvent, HandoverDaySetup, Reminder, Slot
from handover.projects.models import Batch, Unit


def setup_for(batch_id: int) -> HandoverDaySetup | None:
    return db.session.get(HandoverDaySetup, batch_id)


def steps_of(batch_id: int) -> list[str]:
    setup = setup_for(batch_id)
    return list(setup.steps) if setup and setup.steps else list(day_rules.DEFAULT_STEPS)


def uses_visits(batch_id: int) -> bool:
    """Signing asks for a visit's walk-through and meter readings only once the batch's handover
    day is set up (batches handed over before it existed keep signing as they did)."""
    setup = setup_for(batch_id)
    return bool(setup and setup.uses_visits)


def set_up_day(batch: Batch, *, steps: list[str] | None = None, uses_visits: bool = True,
               planned: int | None = None) -> HandoverDaySetup:
    """Set up (or change) a batch's handover day: its stations in order; `uses_visits` on."""
    steps = list(steps) if steps else list(day_rules.DEFAULT_STEPS)
    problems = day_rules.check_steps(steps)
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)
    setup = setup_for(batch.id)
    if setup is None:
        setup = HandoverDaySetup(batch_id=batch.id)
        db.session.add(setup)
    setup.steps, setup.uses_visits, setup.planned, setup.updated_at = steps, uses_visits, planned, now_utc()
    db.session.flush()
    return setup


def create_slot(batch: Batch, *, starts_at: datetime | None, ends_at: datetime | None,
                capacity: int | None) -> Slot:
    problems = day_rules.check_slot(starts_at, ends_at, capacity)
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)
    if setup_for(batch.id) is None:
        set_up_day(batch)
    slot = Slot(batch_id=batch.id, starts_at=starts_at, ends_at=ends_at, capacity=capacity, booked=0)
    db.session.add(slot)
    db.session.flush()
    return slot


def get_slot(slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        raise NotFound(_("Slot not found."), details=[{"field": "slot_id", "message": "not_found"}])
    return slot


def appointment_of(unit_id: int) -> Appointment | None:
    return db.session.scalar(sa.select(Appointment).where(Appointment.unit_id == unit_id))


def _take_place(slot: Slot) -> None:
    taken = db.session.execute(sa.update(Slot).where(Slot.id == slot.id, Slot.booked < Slot.capacity)
                               .values(booked=Slot.booked + 1).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        start = to_local(slot.starts_at)
        message = _("Sorry, the slot at %(when)s is full. Please choose another time.",
                    when=start.strftime("%Y-%m-%d %H:%M"))
        raise Conflict(message, details=[{"field": "slot_id", "message": message}])
    db.session.refresh(slot, ["booked"])


def _free_place(slot_id: int) -> None:
    db.session.execute(sa.update(Slot).where(Slot.id == slot_id, Slot.booked > 0)
                       .values(booked=Slot.booked - 1).execution_options(synchronize_session=False))


def _cancel_reminders(unit_id: int) -> None:
    db.session.execute(sa.update(Reminder).where(Reminder.unit_id == unit_id, Reminder.status == "queued")
                       .values(status="cancelled").execution_options(synchronize_session=False))


def _queue_reminder(unit: Unit, slot: Slot) -> None:
    start = to_local(slot.starts_at)
    due = day_rules.reminder_due(start.date(), local_tz())
    owner = unit.contract.owner if unit.contract else None
    text = _("Reminder: your handover appointment for %(unit)s is tomorrow at %(when)s, %(address)s.",
             unit=unit.label, when=start.strftime("%Y-%m-%d %H:%M"),
             address=unit.batch.project.address or unit.batch.project.name)
    db.session.add(Reminder(unit_id=unit.id, slot_id=slot.id, to=owner.phone if owner else "", text=text,
                            due_at=due, status="queued"))


def book(unit: Unit, slot_id: int, *, actor: User, at: datetime | None = None) -> Appointment:
    """Book (or move to) a slot of the unit's batch. A full slot → Conflict with a polite message.
    Booking the slot already booked changes nothing."""
    db.session.execute(sa.select(Unit.id).where(Unit.id == unit.id).with_for_update())
    slot = get_slot(slot_id)
    if slot.batch_id != unit.batch_id:
        raise ValidationFailed(_("This slot belongs to another batch."),
                               details=[{"field": "slot_id", "message": _("This slot belongs to another batch.")}])
    if slot.ends_at <= now_utc():
        raise ValidationFailed(_("This slot is over."), details=[{"field": "slot_id", "message": _("This slot is over.")}])
    if unit.handed_over_on is not None:
        raise Conflict(_("The unit is already handed over."), details=[{"field": "unit", "message": "handed_over"}])
    appointment = appointment_of(unit.id)
    if appointment is not None and appointment.slot_id == slot.id:
        return appointment
    _take_place(slot)
    action, before = "book", None
    if appointment is None:
        appointment = Appointment(unit_id=unit.id)
        db.session.add(appointment)
    elif appointment.slot_id is not None:
        action, before = "move", appointment.slot_id
        _free_place(before)
    appointment.slot_id, appointment.booked_by_id, appointment.updated_at = slot.id, actor.id, now_utc()
    db.session.flush()
    _cancel_reminders(unit.id)
    _queue_reminder(unit, slot)
    db.session.add(AppointmentEvent(appointment_id=appointment.id, action=action, from_slot_id=before,
                                    to_slot_id=slot.id, actor_id=actor.id, actor_name=actor.name, at=act_time(at),
                                    recorded_at=now_utc()))
    db.session.flush()
    announce(appointment_changed, unit_id=unit.id, slot_id=slot.id, action=action)
    return appointment


def cancel(unit: Unit, *, actor: User, note: str = "", at: datetime | None = None) -> None:
    appointment = appointment_of(unit.id)
    if appointment is None or appointment.slot_id is None:
        raise NotFound(_("The unit has no appointment."))
    before = appointment.slot_id
    _free_place(before)
    appointment.slot_id, appointment.updated_at = None, now_utc()
    _cancel_reminders(unit.id)
    db.session.add(AppointmentEvent(appointment_id=appointment.id, action="cancel", from_slot_id=before,
                                    to_slot_id=None, note=note, actor_id=actor.id, actor_name=actor.name,
                                    at=act_time(at), recorded_at=now_utc()))
    db.session.flush()
    announce(appointment_changed, unit_id=unit.id, slot_id=None, action="cancel")


# --- read side ----------------------------------------------------------------------------------

def slots(batch_id: int, *, day: date | None = None, upcoming: bool = False) -> list[Slot]:
    stmt = sa.select(Slot).where(Slot.batch_id == batch_id).order_by(Slot.starts_at, Slot.id)
    if day is not None:
        start = datetime.combine(day, datetime.min.time(), tzinfo=local_tz())
        stmt = stmt.where(Slot.starts_at >= start, Slot.starts_at < start + timedelta(days=1))
    if upcoming:
        stmt = stmt.where(Slot.ends_at > now_utc())
    return list(db.session.scalars(stmt))


def appointments(batch_id: int, *, day: date | None = None) -> list[Appointment]:
    stmt = (sa.select(Appointment).join(Slot, Appointment.slot_id == Slot.id).where(Slot.batch_id == batch_id)
            .order_by(Slot.starts_at, Appointment.unit_id))
    if day is not None:
        start = datetime.combine(day, datetime.min.time(), tzinfo=local_tz())
        stmt = stmt.where(Slot.starts_at >= start, Slot.starts_at < start + timedelta(days=1))
    return list(db.session.scalars(stmt))


def reminders(batch_id: int, *, status: str | None = "queued") -> list[Reminder]:
    stmt = (sa.select(Reminder).join(Slot, Reminder.slot_id == Slot.id).where(Slot.batch_id == batch_id)
            .order_by(Reminder.due_at, Reminder.id))
    if status:
        stmt = stmt.where(Reminder.status == status)
    return list(db.session.scalars(stmt))


def history(unit_id: int) -> list[AppointmentEvent]:
    return list(db.session.scalars(sa.select(AppointmentEvent).join(Appointment)
                                   .where(Appointment.unit_id == unit_id).order_by(AppointmentEvent.id)))
