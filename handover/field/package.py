"""The offline package: what a tablet needs to work on a batch's buildings without a signal.

Units, floor plans (as data URLs, so they are stored on the tablet), the checklist, contractors,
the open defects and the unit keys, all scoped to the caller like every other read.
"""
from __future__ import annotations

import base64

import sqlalchemy as sa
from flask_babel import gettext as _

from handover.accounts.models import User
from handover.core import storage
from handover.core.errors import ValidationFailed
from handover.core.timeutil import now_utc
from handover.defects import plans
from handover.defects.models import CLOSED_STATUSES, Defect
from handover.extensions import db
from handover.inspections.models import ChecklistItem, InspectionStage
from handover.inspections.rules import DEFAULT_ROOMS
from handover.keys.models import Key
from handover.projects import queries as project_queries
from handover.projects.models import Contractor, Unit

#: stages a site team records defects at on a tablet
FIELD_STAGES = (InspectionStage.UNIT_ACCEPTANCE, InspectionStage.PROPERTY_TAKEOVER, InspectionStage.OPEN_DAY,
                InspectionStage.HANDOVER, InspectionStage.SCATTERED, InspectionStage.WARRANTY)


def _plan_data(plan) -> str | None:
    try:
        content = storage.resolve(plan.path).read_bytes()
    except OSError:
        return None
    mime = "image/png" if content[:4] == b"\x89PNG" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def offline_package(user: User, batch_id: int, building_ids: list[int]) -> dict:
    """Everything the tablet stores for these buildings of the batch (all its buildings when none given)."""
    batch = project_queries.get_batch(user, batch_id)  # 404 outside the caller's scope
    buildings = project_queries.buildings_of(batch)
    if building_ids:
        unknown = set(building_ids) - {b.id for b in buildings}
        if unknown:
            message = _("Building %(ids)s is not in this batch.", ids=", ".join(map(str, sorted(unknown))))
            raise ValidationFailed(message, details=[{"field": "building_id", "message": message}])
        buildings = [b for b in buildings if b.id in building_ids]
    chosen = [b.id for b in buildings]
    units = list(db.session.scalars(project_queries.units_query(user, batch_id=batch.id)
                                    .where(Unit.building_id.in_(chosen)))) if chosen else []
    unit_ids = [u.id for u in units]
    layouts = {u.layout for u in units if u.layout}
    plan_rows = {layout: plan for layout, plan in plans.plans_of(batch).items() if layout in layouts}
    defects = list(db.session.scalars(
        sa.select(Defect).where(Defect.unit_id.in_(unit_ids), Defect.status.not_in(CLOSED_STATUSES))
        .order_by(Defect.created_at))) if unit_ids else []
    keys = list(db.session.scalars(sa.select(Key).where(Key.unit_id.in_(unit_ids)).order_by(Key.id))) \
        if unit_ids else []
    items = list(db.session.scalars(sa.select(ChecklistItem).where(ChecklistItem.active.is_(True))
                                    .order_by(ChecklistItem.sort_order, ChecklistItem.id)))
    contractors = db.session.execute(sa.select(Contractor.id, Contractor.name).order_by(Contractor.name)).all()
    return {
        "generated_at": now_utc().isoformat(),
        "batch": {"id": batch.id, "name": batch.name, "project": batch.project.name},
        "buildings": [{"id": b.id, "name": b.name} for b in buildings],
        "units": [{"id": u.id, "label": u.label, "building_id": u.building_id, "building": u.building.name, "entrance": u.entrance,
                   "floor": u.floor, "room_no": u.room_no, "layout": u.layout, "fitout_type": u.fitout_type.value,
                   "plan": u.layout if u.layout in plan_rows else None} for u in units],
        "plans": {layout: {"id": plan.id, "width": plan.width, "height": plan.height, "data": _plan_data(plan)}
                  for layout, plan in plan_rows.items()},
        "checklist": [{"id": i.id, "category": i.category, "name": i.name, "fitout_type":
                       i.fitout_type.value if i.fitout_type else None,
                       "limit_min": None if i.limit_min is None else str(i.limit_min),
                       "limit_max": None if i.limit_max is None else str(i.limit_max),
                       "limit_unit": i.limit_unit, "phrases": list(i.phrases or [])} for i in items],
        "rooms": list(DEFAULT_ROOMS),
        "stages": [{"value": s.value, "label": str(s.label)} for s in FIELD_STAGES],
        "contractors": [{"id": cid, "name": name} for cid, name in contractors],
        "defects": [{"id": d.id, "unit_id": d.unit_id, "room": d.room, "category": d.category,
                     "sub_item": d.sub_item, "description": d.description, "status": d.status.value,
                     "status_label": str(d.status.label), "severity": d.severity.value,
                     "pin_x": None if d.pin_x is None else str(d.pin_x),
                     "pin_y": None if d.pin_y is None else str(d.pin_y),
                     "created_at": d.created_at.isoformat()} for d in defects],
        "keys": [{"id": k.id, "unit_id": k.unit_id, "label": k.label, "kind": k.kind.value,
                  "kind_label": str(k.kind.label), "code": k.code, "status": k.status.value,
                  "status_label": str(k.status.label)} for k in keys],
        # meter readings (三表读数): EXTENSION POINT. No meter-readings API exists yet (the handover
        # day builds it); when it does, send each unit's meters here and sync readings like results.
        "meter_readings": None,
    }
