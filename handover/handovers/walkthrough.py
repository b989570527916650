"""The walk-through with the owner and the meter readings: recorded per visit, and two
conditions of the handover gate (`walkthrough`, `meter_readings`) for batches whose handover day
is set up (`appointments.uses_visits`); batches handed over before it existed sign as before.

The walk-through is a `handover`-stage inspection round (inspections domain); the owner and the
accompanying staff sign its result here.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _

from handover.accounts.models import User
from handover.core.errors import Conflict, ValidationFailed
from handover.core.idempotency import clean_key, once
from handover.core.lifecycle import act_time
from handover.core.timeutil import now_utc, today_local
from handover.extensions import db
from handover.handovers import appointments, day_rules, visits
from handover.handovers.day_models import MeterReading, WalkthroughSignature
from handover.handovers.queries import gate_check
from handover.handovers.rules import Condition, Purpose
from handover.inspections import service as inspection_service
from handover.inspections.models import Inspection, InspectionStage
from handover.keys.service import decode_signature
from handover.projects.models import Unit


def _signature(field: str, data_url: str | None) -> bytes:
    if not data_url:
        message = _("The signature is missing.")
        raise ValidationFailed(message, details=[{"field": field, "message": message}])
    try:
        return decode_signature(data_url)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, details=[{"field": field, "message": exc.message}]) from None


def sign_walkthrough(inspection: Inspection, *, owner_signature: str | None, staff_signature: str | None,
                     actor: User, note: str = "", at: datetime | None = None,
                     idempotency_key: str | None = None) -> WalkthroughSignature:
    """The owner and the accompanying staff sign a handover-stage round's result."""
    if inspection.stage not in (InspectionStage.HANDOVER, InspectionStage.SCATTERED):
        message = _("Only a handover walk-through round is signed by the owner.")
        raise ValidationFailed(message, details=[{"field": "inspection", "message": message}])
    owner_png = _signature("owner_signature", owner_signature)
    staff_png = _signature("staff_signature", staff_signature)
    existing = db.session.scalar(db.select(WalkthroughSignature)
                                 .where(WalkthroughSignature.inspection_id == inspection.id))
    if existing is not None:
        return existing

    def act():
        row = WalkthroughSignature(inspection_id=inspection.id, unit_id=inspection.unit_id, owner_signature=owner_png,
                                   staff_signature=staff_png, action="sign", note=note.strip(), actor_id=actor.id,
                                   actor_name=actor.name, at=act_time(at), recorded_at=now_utc(),
                                   idempotency_key=clean_key(idempotency_key))
        db.session.add(row)
        db.session.flush()
        return row

    row, _acted = once(WalkthroughSignature, idempotency_key, act=act,
                       same=lambda r: r.inspection_id == inspection.id)
    return row


def walkthrough_round(unit: Unit, *, actor: User, inspectors: str = "") -> Inspection:
    """The unit's latest handover-stage round (the walk-through), started now when there is none."""
    found = db.session.scalar(db.select(Inspection).where(Inspection.unit_id == unit.id,
                                                          Inspection.stage == InspectionStage.HANDOVER)
                              .order_by(Inspection.id.desc()).limit(1))
    if found is not None:
        return found
    return inspection_service.start_inspection(unit, InspectionStage.HANDOVER, actor=actor, inspected_on=today_local(),
                                               inspectors=inspectors)


def record_readings(unit: Unit, values: dict, *, actor: User, at: datetime | None = None,
                    idempotency_key: str | None = None) -> MeterReading:
    """Water, electricity and gas (decimal ≥ 0), read with the owner; every problem at once."""
    if unit.handed_over_on is not None:
        raise Conflict(_("The unit is already handed over."), details=[{"field": "unit", "message": "handed_over"}])
    parsed: dict[str, Decimal] = {}
    problems = []
    for meter in day_rules.METERS:
        number, problem = day_rules.parse_reading(values.get(meter))
        if problem:
            problems.append({"field": meter, "message": problem})
        else:
            parsed[meter] = number
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)
    visit = visits.open_visit(unit.id)

    def act():
        row = MeterReading(unit_id=unit.id, visit_id=visit.id if visit else None, action="read", actor_id=actor.id,
                           actor_name=actor.name, at=act_time(at), recorded_at=now_utc(),
                           idempotency_key=clean_key(idempotency_key), **parsed)
        db.session.add(row)
        db.session.flush()
        return row

    row, _acted = once(MeterReading, idempotency_key, act=act, same=lambda r: r.unit_id == unit.id)
    return row


# --- the gate ------------------------------------------------------------------------------------

@gate_check(Purpose.SIGN)
def _walkthrough(unit: Unit) -> list[Condition]:
    if not appointments.uses_visits(unit.batch_id) or visits.walkthrough_signed(unit.id):
        return []
    return [Condition("walkthrough", _("The walk-through with the owner is not signed yet."))]


@gate_check(Purpose.SIGN)
def _meter_readings(unit: Unit) -> list[Condition]:
    if not appointments.uses_visits(unit.batch_id) or visits.latest_reading(unit.id) is not None:
        return []
    return [Condition("meter_readings", _("The water, electricity and gas readings are not recorded yet."))]
