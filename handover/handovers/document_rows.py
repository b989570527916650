"""The rows the handover's documents lay out: the 收楼确认书 of a unit and the evening bulletin
(交付快报) of a batch's day. Gathered here (database); laid out in `documents` (no database)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from handover.core.timeutil import now_utc
from handover.defects.models import CLOSED_STATUSES, Defect
from handover.extensions import db
from handover.handovers import day_queries, day_rules, queries, service, visits
from handover.handovers.rules import HANDED_ITEMS
from handover.keys.models import Key, KeyStatus
from handover.projects.models import Unit


@dataclass(frozen=True)
class RecordRows:
    project: str
    batch: str
    unit: str
    owner: str
    co_owners: list[str]
    handed_over_on: date | None
    readings: dict[str, str] | None
    documents: list[str]
    keys: list[str]
    #: (description, promised date)
    open_defects: list[tuple[str, date | None]]
    owner_signature: bytes | None
    staff_signature: bytes | None
    staff: str
    signed_at: datetime | None
    printed_at: datetime = field(default_factory=now_utc)


def record_rows(unit: Unit) -> RecordRows:
    view = queries.handover_view(unit)
    record = view.record
    signatures = service.signatures_of(record.id) if record else None
    first_sign = next((row for row in reversed(view.history) if row.action == "sign"), None)
    reading = visits.latest_reading(unit.id)
    keys = db.session.scalars(sa.select(Key).where(Key.unit_id == unit.id, Key.status == KeyStatus.WITH_OWNER)
                              .order_by(Key.id))
    defects = db.session.scalars(sa.select(Defect).where(Defect.unit_id == unit.id,
                                                        Defect.status.not_in(list(CLOSED_STATUSES)))
                                 .order_by(Defect.due_date, Defect.created_at))
    contract = unit.contract
    return RecordRows(
        project=unit.batch.project.name, batch=unit.batch.name, unit=unit.label,
        owner=contract.owner.name if contract else "", co_owners=[o.name for o in contract.co_owners] if contract else [],
        handed_over_on=unit.handed_over_on,
        readings=({m: str(getattr(reading, m)) for m in day_rules.METERS} if reading else None),
        documents=[str(HANDED_ITEMS.get(code, code)) for code in (record.items if record else [])],
        keys=[f"{k.label}（{k.copies}）" for k in keys],
        open_defects=[(f"{d.category} {d.sub_item} {d.description}".strip(), d.due_date) for d in defects],
        owner_signature=signatures.owner_signature if signatures else None,
        staff_signature=signatures.staff_signature if signatures else None,
        staff=first_sign.actor_name if first_sign else "", signed_at=first_sign.at if first_sign else None)


@dataclass(frozen=True)
class BulletinRows:
    project: str
    batch: str
    summary: day_queries.DaySummary
    #: category → defects raised that day
    defects_by_category: dict[str, int]
    step_labels: dict[str, str]


def bulletin_rows(batch, day: date) -> BulletinRows:
    summary = day_queries.day_summary(batch.id, day)
    start, end = day_queries.local_day_bounds(day)
    rows = db.session.execute(sa.select(Defect.category, sa.func.count()).where(
        Defect.batch_id == batch.id, Defect.created_at >= start, Defect.created_at < end)
        .group_by(Defect.category).order_by(Defect.category)).all()
    return BulletinRows(project=batch.project.name, batch=batch.name, summary=summary,
                        defects_by_category={category: count for category, count in rows},
                        step_labels={code: str(label) for code, label in day_rules.STEPS.items()})
