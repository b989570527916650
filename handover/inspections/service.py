"""Inspection use cases: the checklist, rounds, and results that fail by themselves."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from handover.accounts.models import User
from handover.core import idempotency
from handover.core.errors import ValidationFailed
from handover.core.lifecycle import act_time
from handover.core.timeutil import to_local
from handover.extensions import db
from handover.inspections import rules
from handover.inspections.models import ChecklistItem, Inspection, InspectionResult, InspectionStage
from handover.projects.models import FitoutType, Unit


def seed_default_checklist() -> int:
    """Load DOMAIN.md's default checklist where the item does not exist yet; returns how many were added."""
    existing = set(db.session.execute(sa.select(ChecklistItem.category, ChecklistItem.name)).all())
    added = 0
    for order, (category, name, warranty, low, high, unit, phrases) in enumerate(rules.DEFAULT_CHECKLIST):
        if (category, name) in existing:
            continue
        fitout = FitoutType.DECORATED if category == "精装" else None
        db.session.add(ChecklistItem(category=category, name=name, warranty_class=warranty, limit_min=low,
                                     limit_max=high, limit_unit=unit, phrases=phrases, sort_order=order,
                                     fitout_type=fitout))
        added += 1
    db.session.flush()
    return added


def checklist_for(fitout_type: FitoutType | None = None) -> list[ChecklistItem]:
    """Active items that apply to a fit-out type (items without a type apply to all)."""
    stmt = sa.select(ChecklistItem).where(ChecklistItem.active.is_(True)).order_by(ChecklistItem.sort_order,
                                                                                      ChecklistItem.id)
    if fitout_type is not None:
        stmt = stmt.where(sa.or_(ChecklistItem.fitout_type.is_(None), ChecklistItem.fitout_type == fitout_type))
    return list(db.session.scalars(stmt))


def start_inspection(unit: Unit, stage: InspectionStage, *, actor: User, inspected_on: date,
                     inspectors: str = "") -> Inspection:
    inspection = Inspection(unit=unit, stage=stage, inspected_on=inspected_on,
                            inspectors=inspectors.strip() or actor.name, created_by_id=actor.id)
    db.session.add(inspection)
    db.session.flush()
    return inspection


@dataclass(frozen=True)
class ResultInput:
    item_id: int
    passed: bool | None = None
    measured_value: Decimal | None = None
    note: str = ""


def record_result(inspection: Inspection, data: ResultInput, *, at: datetime | None = None,
                  idempotency_key: str | None = None) -> InspectionResult:
    """Record (or correct) one item's outcome: one result per item and round.

    For an item with a limit, a measured value decides by itself, whatever was ticked (outside the
    limit fails); without a measurement the tick counts. Any other item needs its tick.
    An offline tablet sends `at` (when it was recorded) and its record's id as `idempotency_key`:
    a resend returns the same result, and an older record never overwrites a newer one."""
    key = idempotency.clean_key(idempotency_key)
    if key is not None:
        earlier = idempotency.find(InspectionResult, key)
        if earlier is not None:
            return idempotency.once(InspectionResult, key, act=lambda: earlier,
                                    same=lambda r: r.inspection_id == inspection.id)[0]
    item = db.session.get(ChecklistItem, data.item_id)
    if item is None:
        raise ValidationFailed(_("Unknown checklist item."), details=[{"field": "item_id", "message": "unknown"}])
    if data.measured_value is not None and item.has_limit:
        passed = rules.measurement_passes(data.measured_value, item.limit_min, item.limit_max)
    elif data.passed is None:
        raise ValidationFailed(_("Mark the item as passed or failed, or enter the measured value."),
                               details=[{"field": "passed", "message": "required"}])
    else:
        passed = data.passed
    when = act_time(at) if at is not None or key is not None else None
    result = db.session.scalar(sa.select(InspectionResult).where(InspectionResult.inspection_id == inspection.id,
                                                                  InspectionResult.item_id == item.id))
    if result is None:
        result = InspectionResult(inspection=inspection, item_id=item.id, passed=passed)
        db.session.add(result)
    elif when is not None and result.at is not None and result.at > when:
        return result  # a newer record of this item already arrived: the older one does not overwrite it
    result.passed, result.measured_value, result.note = passed, data.measured_value, data.note
    result.at, result.idempotency_key = when, key
    db.session.flush()
    return result


def record_unit_result(unit: Unit, stage: InspectionStage, data: ResultInput, *, actor: User,
                       at: datetime | None = None, idempotency_key: str | None = None) -> InspectionResult:
    """A checklist result from an offline tablet: it goes into this inspector's round of the unit at
    that stage on the day it was recorded (started if there is none yet)."""
    when = act_time(at)
    day = to_local(when).date()
    inspection = db.session.scalar(
        sa.select(Inspection).where(Inspection.unit_id == unit.id, Inspection.stage == stage,
                                    Inspection.inspected_on == day, Inspection.created_by_id == actor.id)
        .order_by(Inspection.id).limit(1))
    if inspection is None:
        inspection = start_inspection(unit, stage, actor=actor, inspected_on=day)
    return record_result(inspection, data, at=when, idempotency_key=idempotency_key)
