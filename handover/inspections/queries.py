"""Read side of inspections for pages: a unit's rounds with their results, one round in scope."""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from handover.accounts.models import User
from handover.core.errors import NotFound
from handover.extensions import db
from handover.inspections.models import ChecklistItem, Inspection, InspectionResult
from handover.projects import queries as project_queries


def unit_rounds(unit_id: int) -> list[Inspection]:
    """A unit's rounds, newest first, with each result's checklist item loaded."""
    stmt = (sa.select(Inspection).where(Inspection.unit_id == unit_id)
            .options(selectinload(Inspection.results).joinedload(InspectionResult.item))
            .order_by(Inspection.inspected_on.desc(), Inspection.id.desc()))
    return list(db.session.scalars(stmt))


def get_inspection(user: User, inspection_id: int) -> Inspection:
    """A round of a unit the user may see; NotFound otherwise."""
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFound(_("Inspection not found."))
    project_queries.get_unit(user, inspection.unit_id)  # scope: 404 outside it
    return inspection


def all_checklist_items() -> list[ChecklistItem]:
    """Every item, in use or not, in checklist order (for the administrators' page)."""
    return list(db.session.scalars(sa.select(ChecklistItem).order_by(ChecklistItem.sort_order, ChecklistItem.id)))


def get_checklist_item(item_id: int) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id)
    if item is None:
        raise NotFound(_("Checklist item not found."))
    return item


def by_category(items: list[ChecklistItem]) -> list[tuple[str, list[ChecklistItem]]]:
    """Items grouped by category, keeping checklist order within and between groups."""
    groups: dict[str, list[ChecklistItem]] = {}
    for item in items:
        groups.setdefault(item.category, []).append(item)
    return list(groups.items())
