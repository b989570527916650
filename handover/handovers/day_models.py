"""The handover day's tables: a batch's set-up, slots and appointments (with the reminder
outbox), visits through the stations (with their history), meter readings and the signed
walk-through. Statuses are short strings whose moves live in `day_rules`."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from handover.core.lifecycle import HistoryMixin
from handover.core.timeutil import now_utc
from handover.core.types import ScaledDecimal, UTCDateTime
from handover.extensions import db

if TYPE_CHECKING:
    from handover.projects.models import Unit

__all__ = ["HandoverDaySetup", "Slot", "Appointment", "AppointmentEvent", "Reminder", "Visit", "VisitStep",
           "VisitEvent", "MeterReading", "WalkthroughSignature", "HandoverSignature"]


class HandoverDaySetup(db.Model):
    """A batch's handover-day set-up: its stations in order, and whether signing asks for a visit's
    walk-through and meter readings (`uses_visits`: on once the day is set up, off for batches
    handed over before the handover day existed)."""

    __tablename__ = "handover_day_setups"

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"), primary_key=True)
    steps: Mapped[list] = mapped_column(sa.JSON, default=list)
    uses_visits: Mapped[bool] = mapped_column(default=True)
    #: how many units the batch plans to hand over (the console's "against the plan")
    planned: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class Slot(db.Model):
    """A time slot of a batch's handover day with its capacity; `booked` counts the appointments in
    it (raised by one conditional UPDATE, so no slot takes more than its capacity)."""

    __tablename__ = "handover_slots"
    __table_args__ = (sa.CheckConstraint("booked <= capacity", name="slot_not_overbooked"),
                      sa.Index("ix_handover_slots_batch", "batch_id", "starts_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class Appointment(db.Model):
    """A unit's booking: one row per unit, `slot_id` empty once cancelled; every act is an
    `AppointmentEvent`."""

    __tablename__ = "handover_appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), unique=True)
    slot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("handover_slots.id"), index=True)
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    slot: Mapped[Slot | None] = relationship()
    unit: Mapped[Unit] = relationship()


class AppointmentEvent(HistoryMixin, db.Model):
    """book, move or cancel, by whom (the owner in the portal or staff on the phone)."""

    __tablename__ = "handover_appointment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("handover_appointments.id"), index=True)
    from_slot_id: Mapped[int | None]
    to_slot_id: Mapped[int | None]


class Reminder(db.Model):
    """The outbox: a reminder queued for the day before an appointment. Delivered by the
    notifications module once it exists; until then listed on the batch's appointments page.
    `status`: queued, cancelled (moved or cancelled booking), sent."""

    __tablename__ = "handover_reminders"
    __table_args__ = (sa.Index("ix_handover_reminders_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("handover_slots.id"))
    channel: Mapped[str] = mapped_column(sa.String(20), default="sms")
    to: Mapped[str] = mapped_column(sa.String(40), default="")
    text: Mapped[str] = mapped_column(sa.Text, default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(sa.String(20), default="queued")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class Visit(db.Model):
    """An owner's visit on a handover day: checked in at the desk with a queue number, then through
    the batch's stations. One per unit and day."""

    __tablename__ = "handover_visits"
    __table_args__ = (sa.UniqueConstraint("unit_id", "day", name="uq_handover_visits_unit_day"),
                      sa.UniqueConstraint("batch_id", "day", "ticket_no", name="uq_handover_visits_ticket"))

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"))
    day: Mapped[date]
    ticket_no: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    #: owner, co_owner or proxy (day_rules.IDENTITIES)
    identity: Mapped[str] = mapped_column(sa.String(20), default="owner")
    visitor_name: Mapped[str] = mapped_column(sa.String(60), default="")
    proxy_letter: Mapped[str] = mapped_column(sa.String(120), default="")
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)

    unit: Mapped[Unit] = relationship()
    steps: Mapped[list[VisitStep]] = relationship(order_by="VisitStep.position", back_populates="visit")


class VisitStep(db.Model):
    """One station of a visit: waiting since, called at, finished at, its status and note."""

    __tablename__ = "handover_visit_steps"
    __table_args__ = (sa.UniqueConstraint("visit_id", "step", name="uq_handover_visit_steps"),
                      sa.Index("ix_handover_visit_steps_queue", "step", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("handover_visits.id"))
    step: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    #: set when the step becomes the visit's current one (the queue is ordered by it)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(sa.Text, default="")

    visit: Mapped[Visit] = relationship(back_populates="steps")


class VisitEvent(HistoryMixin, db.Model):
    """check_in, call, done, refused, skipped: one row per act at the desk or a station."""

    __tablename__ = "handover_visit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("handover_visits.id"), index=True)
    step: Mapped[str] = mapped_column(sa.String(20), default="")
    from_status: Mapped[str] = mapped_column(sa.String(20), default="")
    to_status: Mapped[str] = mapped_column(sa.String(20), default="")


class MeterReading(HistoryMixin, db.Model):
    """Water, electricity and gas read with the owner; the latest row counts, earlier ones stay."""

    __tablename__ = "handover_meter_readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("handover_visits.id"))
    water: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    electricity: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    gas: Mapped[Decimal] = mapped_column(ScaledDecimal(2))


class WalkthroughSignature(HistoryMixin, db.Model):
    """The owner and the accompanying staff signed a handover-stage inspection round (PNG bytes)."""

    __tablename__ = "handover_walkthrough_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    owner_signature: Mapped[bytes] = mapped_column(sa.LargeBinary)
    staff_signature: Mapped[bytes] = mapped_column(sa.LargeBinary)


class HandoverSignature(db.Model):
    """The owner's and the staff member's drawn signatures on a signed handover (PNG bytes)."""

    __tablename__ = "handover_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("handover_records.id"), unique=True)
    owner_signature: Mapped[bytes] = mapped_column(sa.LargeBinary)
    staff_signature: Mapped[bytes] = mapped_column(sa.LargeBinary)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
