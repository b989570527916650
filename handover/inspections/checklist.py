"""Administrators' edits of the inspection checklist: add an item, change one.

Loading the default checklist is `service.seed_default_checklist`; this module holds the edits.
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from handover.core.errors import ValidationFailed
from handover.extensions import db
from handover.inspections import rules
from handover.inspections.models import ChecklistItem, WarrantyClass
from handover.projects.models import FitoutType


@dataclass(frozen=True)
class ChecklistItemInput:
    category: str
    name: str
    #: None: derived from the category and name (rules.warranty_class_for)
    warranty_class: WarrantyClass | None = None
    fitout_type: FitoutType | None = None
    limit_min: Decimal | None = None
    limit_max: Decimal | None = None
    limit_unit: str = ""
    phrases: tuple[str, ...] = ()
    active: bool = True


def _check(data: ChecklistItemInput, item_id: int | None) -> None:
    problems = []
    for name in ("category", "name"):
        if not getattr(data, name).strip():
            problems.append({"field": name, "message": _("This field is required.")})
    if data.limit_min is not None and data.limit_max is not None and data.limit_min > data.limit_max:
        problems.append({"field": "limit_max", "message": _("The maximum is below the minimum.")})
    same = sa.select(ChecklistItem.id).where(ChecklistItem.category == data.category.strip(),
                                             ChecklistItem.name == data.name.strip())
    if item_id is not None:
        same = same.where(ChecklistItem.id != item_id)
    if db.session.scalar(same) is not None:
        problems.append({"field": "name", "message": _("This category already has an item of that name.")})
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)


def _apply(item: ChecklistItem, data: ChecklistItemInput) -> ChecklistItem:
    item.category, item.name = data.category.strip(), data.name.strip()
    item.warranty_class = data.warranty_class or rules.warranty_class_for(item.category, item.name)
    item.fitout_type = data.fitout_type
    item.limit_min, item.limit_max, item.limit_unit = data.limit_min, data.limit_max, data.limit_unit.strip()
    item.phrases = [p.strip() for p in data.phrases if p.strip()]
    item.active = data.active
    db.session.flush()
    return item


def add_checklist_item(data: ChecklistItemInput) -> ChecklistItem:
    """A new item, placed after the others. Raises ValidationFailed (missing name, min > max, duplicate)."""
    _check(data, None)
    last = db.session.scalar(sa.select(sa.func.max(ChecklistItem.sort_order))) or 0
    item = ChecklistItem(sort_order=last + 1)
    db.session.add(item)
    return _apply(item, data)


def update_checklist_item(item: ChecklistItem, data: ChecklistItemInput) -> ChecklistItem:
    """Change an item; results and defects already recorded keep pointing at it. Raises ValidationFailed."""
    _check(data, item.id)
    return _apply(item, data)
