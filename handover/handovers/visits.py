"""The handover day at the desk and the stations: check-in (find the owner, check identity,
give a queue number), then each station's queue, calling the next number, and done / refused /
skipped (seed 002 篇4 art. 20-23).

A visit's steps are the batch's stations (`appointments.steps_of`). Only the visit's current
step (the first not yet done or skipped) may be acted on; a refusal ends the visit (拒收).
The fee station asks the settlement, the keys station the key ledger, the signing station the
signed record, the walk-through station the signed round and the meter readings. Check-in and
station acts take `at` and an idempotency key: a tablet on a weak signal resends.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from handover.accounts.models import User
from handover.core.errors import Conflict, NotFound, ValidationFailed
from handover.core.events import announce, visit_step_recorded
from handover.core.idempotency import clean_key, once
from handover.core.lifecycle import act_time
from handover.core.timeutil import now_utc, to_local, today_local
from handover.extensions import db
from handover.fees.rules import money_text
from handover.fees.settlement import settlement_for
from handover.handovers import appointments, day_rules
from handover.handovers.day_models import MeterReading, Visit, VisitEvent, VisitStep, WalkthroughSignature
from handover.keys.models import Key, KeyStatus
from handover.projects.models import Contract, Owner, Unit, contract_co_owners

#: what the QR code on the handover notice carries
QR_PREFIX = "HO-UNIT-"


def qr_payload(unit_id: int) -> str:
    return f"{QR_PREFIX}{unit_id}"


def find_units(unit_scope: sa.Select, query: str, *, limit: int = 20) -> list[Unit]:
    """Units in `unit_scope` (a select of Unit) matching a phone, a name, a unit label
    (building-entrance-room or room) or the notice's QR code."""
    query = (query or "").strip()
    if not query:
        return []
    if query.upper().startswith(QR_PREFIX):
        found = query[len(QR_PREFIX):]
        return list(db.session.scalars(unit_scope.where(Unit.id == int(found)))) if found.isdigit() else []
    owners = sa.select(Owner.id).where(sa.or_(Owner.phone.contains(query), Owner.name.contains(query)))
    by_owner = sa.union(sa.select(Contract.unit_id).where(Contract.owner_id.in_(owners)),
                        sa.select(Contract.unit_id).join(contract_co_owners)
                        .where(contract_co_owners.c.owner_id.in_(owners)))
    parts = [p for p in re.split(r"[-\s#/]+", query) if p]
    conditions = [Unit.id.in_(by_owner)]
    if parts:
        conditions.append(Unit.room_no == parts[-1])
    stmt = unit_scope.where(sa.or_(*conditions)).order_by(Unit.id).limit(limit * 3)
    units = list(db.session.scalars(stmt))
    if len(parts) > 1:  # building-entrance-room: keep those whose label ends so
        label = "-".join(parts)
        units = [u for u in units if u.label.endswith(label)]
    return units[:limit]


def open_visit(unit_id: int, day: date | None = None) -> Visit | None:
    return db.session.scalar(sa.select(Visit).where(Visit.unit_id == unit_id, Visit.day == (day or today_local())))


def get_visit(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(_("Visit not found."))
    return visit


def _people(unit: Unit) -> list[tuple[str, Owner]]:
    if unit.contract is None:
        return []
    return [("owner", unit.contract.owner)] + [("co_owner", o) for o in unit.contract.co_owners]


def _check_identity(unit: Unit, identity: str, id_last4: str, visitor_name: str, proxy_letter: str) -> str:
    if identity not in day_rules.IDENTITIES:
        raise ValidationFailed(_("Say who came."), details=[{"field": "identity", "message": _("Say who came.")}])
    if identity == "proxy":
        problems = []
        if not visitor_name.strip():
            problems.append({"field": "visitor_name", "message": _("Enter the proxy's name.")})
        if not proxy_letter.strip():
            problems.append({"field": "proxy_letter", "message": _("Enter the notarised letter's number.")})
        if problems:
            raise ValidationFailed(problems[0]["message"], details=problems)
        return visitor_name.strip()
    people = [o for kind, o in _people(unit) if kind == identity]
    if not people:
        raise ValidationFailed(_("The unit has no co-owner on record."),
                               details=[{"field": "identity", "message": _("The unit has no co-owner on record.")}])
    if id_last4:
        match = [o for o in people if day_rules.id_last4_matches(o.id_number, id_last4)]
        if not match:
            message = _("The last 4 digits of the ID number do not match the record.")
            raise ValidationFailed(message, details=[{"field": "id_last4", "message": message}])
        return match[0].name
    return visitor_name.strip() or people[0].name


def check_in(unit: Unit, *, actor: User, identity: str = "owner", id_last4: str = "", visitor_name: str = "",
             proxy_letter: str = "", at: datetime | None = None,
             idempotency_key: str | None = None) -> tuple[Visit, bool]:
    """Start the unit's visit today with the next queue number; (visit, created). Checking in again
    the same day returns the open visit, never a second one."""
    if unit.handed_over_on is not None:
        raise Conflict(_("The unit is already handed over (%(on)s).", on=unit.handed_over_on),
                       details=[{"field": "unit", "message": "handed_over"}])
    db.session.execute(sa.select(Unit.id).where(Unit.id == unit.id).with_for_update())
    day = to_local(act_time(at)).date()
    existing = open_visit(unit.id, day)
    if existing is not None:
        return existing, False
    name = _check_identity(unit, identity, id_last4 or "", visitor_name or "", proxy_letter or "")
    key = clean_key(idempotency_key)
    steps = appointments.steps_of(unit.batch_id)
    for _attempt in range(5):
        ticket = (db.session.scalar(sa.select(sa.func.max(Visit.ticket_no))
                                    .where(Visit.batch_id == unit.batch_id, Visit.day == day)) or 0) + 1
        try:
            with db.session.begin_nested():
                when = act_time(at)
                visit = Visit(unit_id=unit.id, batch_id=unit.batch_id, day=day, ticket_no=ticket, status=day_rules.OPEN,
                              identity=identity, visitor_name=name, proxy_letter=(proxy_letter or "").strip(),
                              checked_in_at=when, checked_in_by_id=actor.id, idempotency_key=key)
                db.session.add(visit)
                db.session.flush()
                for position, step in enumerate(steps):
                    db.session.add(VisitStep(visit_id=visit.id, step=step, position=position,
                                             status=day_rules.PENDING,
                                             waiting_since=when if position == 0 else None))
                db.session.add(VisitEvent(visit_id=visit.id, action="check_in", to_status=day_rules.OPEN,
                                          actor_id=actor.id, actor_name=actor.name, at=when, recorded_at=now_utc()))
                db.session.flush()
        except IntegrityError:
            existing = open_visit(unit.id, day)
            if existing is not None:
                return existing, False
            continue  # another desk took the number: take the next one
        db.session.refresh(visit)
        return visit, True
    raise Conflict(_("The desk is busy: try again."))


def current_step(visit: Visit) -> VisitStep | None:
    for step in visit.steps:
        if step.status not in day_rules.FINISHED:
            return step
    return None


def _owed_detail(unit: Unit) -> list[dict] | None:
    if unit.contract is None:
        return [{"field": "step", "message": _("The unit has no contract."), "code": "no_contract"}]
    settlement = settlement_for(unit)
    if settlement.cleared_for_handover:
        return None
    owed = settlement.owed_before_handover
    refund = settlement.refund_before_handover
    if owed > 0:
        message = _("Fees not settled: the buyer still owes ¥%(amount)s.", amount=money_text(owed))
    elif refund > 0:
        message = _("Fees not settled: ¥%(amount)s still to be refunded to the buyer.", amount=money_text(refund))
    else:
        message = " ".join(settlement.pending) or _("Fees not settled.")
    return [{"field": "step", "message": message, "code": "statement", "amount": str(owed),
             "refund": str(refund)}]


def walkthrough_signed(unit_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(WalkthroughSignature)
                             .where(WalkthroughSignature.unit_id == unit_id)) > 0


def latest_reading(unit_id: int) -> MeterReading | None:
    return db.session.scalar(sa.select(MeterReading).where(MeterReading.unit_id == unit_id)
                             .order_by(MeterReading.id.desc()).limit(1))


def _keys_with_owner(unit_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Key)
                             .where(Key.unit_id == unit_id, Key.status == KeyStatus.WITH_OWNER)) > 0


def _station_refusal(visit: Visit, step: str) -> list[dict] | None:
    """Why a station may not be marked done yet (None: it may)."""
    unit = visit.unit
    if step == "fees":
        return _owed_detail(unit)
    if step == "walkthrough":
        problems = []
        if not walkthrough_signed(unit.id):
            problems.append({"field": "step", "code": "walkthrough",
                             "message": _("The walk-through is not signed by the owner and the staff yet.")})
        if latest_reading(unit.id) is None:
            problems.append({"field": "step", "code": "meter_readings",
                             "message": _("The meter readings are not recorded yet.")})
        return problems or None
    if step == "signing" and unit.handed_over_on is None:
        return [{"field": "step", "code": "signing", "message": _("The handover is not signed yet.")}]
    if step == "keys" and not _keys_with_owner(unit.id):
        return [{"field": "step", "code": "keys",
                 "message": _("No key of this unit has been handed to the owner in the key ledger yet.")}]
    return None


def record_step(visit: Visit, step: str, status: str, *, actor: User, note: str = "", at: datetime | None = None,
                idempotency_key: str | None = None) -> Visit:
    """Mark the visit's current station done, refused (with a reason) or skipped; or call it."""
    action = {"done": day_rules.DONE, "refused": day_rules.REFUSED, "skipped": day_rules.SKIPPED,
              "call": "call"}.get(status)
    if action is None:
        raise ValidationFailed(_("Unknown status."), details=[{"field": "status", "message": "done|refused|skipped"}])

    def act():
        return _record(visit, step, action, actor=actor, note=note, at=at, key=clean_key(idempotency_key))

    once(VisitEvent, idempotency_key, act=act, same=lambda e: e.visit_id == visit.id and e.step == step)
    db.session.refresh(visit)
    return visit


def _record(visit: Visit, step_code: str, action: str, *, actor: User, note: str, at, key) -> VisitEvent:
    db.session.execute(sa.select(Visit.id).where(Visit.id == visit.id).with_for_update())
    db.session.refresh(visit)
    if visit.status != day_rules.OPEN:
        raise Conflict(_("This visit is over (%(status)s).", status=day_rules.VISIT_STATUS_LABELS[visit.status]),
                       details=[{"field": "visit", "message": visit.status}])
    step = next((s for s in visit.steps if s.step == step_code), None)
    if step is None:
        raise ValidationFailed(_("This visit has no such station."), details=[{"field": "step", "message": step_code}])
    current = current_step(visit)
    if current is None or current.id != step.id:
        raise Conflict(_("The owner is not at this station yet (now: %(now)s).",
                         now=day_rules.STEPS[current.step] if current else "-"),
                       details=[{"field": "step", "message": current.step if current else ""}])
    target = day_rules.STEP.move(step.status, action, note)
    if action == day_rules.DONE:
        refusal = _station_refusal(visit, step.step)
        if refusal:
            raise Conflict(refusal[0]["message"], details=refusal)
    when = act_time(at)
    before = step.status
    step.status = target
    if action == "call":
        step.called_at = when
    else:
        step.finished_at, step.note = when, (note or "").strip()
        if action == day_rules.REFUSED:
            visit.status, visit.finished_at = day_rules.VISIT_REFUSED, when
        else:
            following = current_step(visit)
            if following is None:
                visit.status, visit.finished_at = day_rules.COMPLETED, when
            else:
                following.waiting_since = when
    event = VisitEvent(visit_id=visit.id, step=step.step, action=action, from_status=before, to_status=target,
                       note=(note or "").strip(), actor_id=actor.id, actor_name=actor.name, at=when,
                       recorded_at=now_utc(), idempotency_key=key)
    db.session.add(event)
    db.session.flush()
    announce(visit_step_recorded, visit_id=visit.id, unit_id=visit.unit_id, step=step.step, status=target)
    return event


def call_next(batch_id: int, step: str, *, actor: User, day: date | None = None) -> Visit | None:
    """Call the next number waiting at a station (the one waiting longest); None when nobody waits."""
    for visit, _step in queue(batch_id, step, day=day):
        if _step.status == day_rules.PENDING:
            return record_step(visit, step, "call", actor=actor)
    return None


def queue(batch_id: int, step: str, *, day: date | None = None) -> list[tuple[Visit, VisitStep]]:
    """Who is at (or waiting for) a station now, longest waiting first: (visit, its step)."""
    rows = db.session.execute(
        sa.select(Visit, VisitStep).join(VisitStep, VisitStep.visit_id == Visit.id)
        .where(Visit.batch_id == batch_id, Visit.day == (day or today_local()), Visit.status == day_rules.OPEN,
               VisitStep.step == step, VisitStep.status.in_([day_rules.PENDING, day_rules.CALLED]),
               VisitStep.waiting_since.is_not(None))
        .order_by(VisitStep.waiting_since, Visit.ticket_no)).all()
    return [(visit, visit_step) for visit, visit_step in rows if current_step(visit) is visit_step]


def visits_of_day(batch_id: int, day: date) -> list[Visit]:
    return list(db.session.scalars(sa.select(Visit).where(Visit.batch_id == batch_id, Visit.day == day)
                                   .order_by(Visit.ticket_no)))


def events(visit_id: int) -> list[VisitEvent]:
    return list(db.session.scalars(sa.select(VisitEvent).where(VisitEvent.visit_id == visit_id)
                                   .order_by(VisitEvent.id)))
