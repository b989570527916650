"""Floor plans per layout, so a defect can be pinned where it is."""
import uuid

import sqlalchemy as sa
from flask_babel import gettext as _

from handover.accounts.models import User
from handover.core import storage
from handover.core.errors import ValidationFailed
from handover.core.timeutil import now_utc
from handover.defects import photos
from handover.defects.models import LayoutPlan
from handover.extensions import db
from handover.projects.models import Batch, Unit


def batch_layouts(batch: Batch) -> list[str]:
    """The layouts the batch's units have, in name order."""
    return list(db.session.scalars(sa.select(Unit.layout).where(Unit.batch_id == batch.id, Unit.layout != "")
                                   .distinct().order_by(Unit.layout)))


def plans_of(batch: Batch) -> dict[str, LayoutPlan]:
    return {plan.layout: plan for plan in db.session.scalars(sa.select(LayoutPlan)
                                                             .where(LayoutPlan.batch_id == batch.id))}


def plan_for(unit: Unit) -> LayoutPlan | None:
    if not unit.layout:
        return None
    return db.session.scalar(sa.select(LayoutPlan).where(LayoutPlan.batch_id == unit.batch_id,
                                                         LayoutPlan.layout == unit.layout))


def set_layout_plan(batch: Batch, layout: str, content: bytes, *, actor: User) -> LayoutPlan:
    """Store (or replace) the plan image of a layout. Raises ValidationFailed for an unknown layout or
    a file that is not an image; nothing is kept then."""
    if layout not in batch_layouts(batch):
        raise ValidationFailed(_("No unit of this batch has the layout %(name)s.", name=layout),
                               details=[{"field": "layout", "message": "unknown"}])
    processed = photos.process_photo(content)
    path = f"plans/{batch.id}/{uuid.uuid4().hex}.jpg"
    storage.save_bytes(path, processed.image)
    plan = plans_of(batch).get(layout) or LayoutPlan(batch_id=batch.id, layout=layout)
    plan.path, plan.width, plan.height = path, processed.width, processed.height
    plan.uploaded_by_id, plan.uploaded_at = actor.id, now_utc()
    db.session.add(plan)
    db.session.flush()
    return plan
