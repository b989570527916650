"""Checklist items, inspection rounds and their results."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from handover.core.timeutil import now_utc
from handover.core.types import LabelledEnum, ScaledDecimal, UTCDateTime, enum_column
from handover.extensions import db
from handover.projects.models import FitoutType

if TYPE_CHECKING:
    from handover.projects.models import Unit


class InspectionStage(LabelledEnum):
    UNIT_ACCEPTANCE = "unit_acceptance"
    PROPERTY_TAKEOVER = "property_takeover"
    OPEN_DAY = "open_day"
    HANDOVER = "handover"
    SCATTERED = "scattered"
    WARRANTY = "warranty"

    __labels__ = {
        "unit_acceptance": _l("Per-unit inspection"),
        "property_takeover": _l("Property takeover inspection"),
        "open_day": _l("Owner open day"),
        "handover": _l("Handover walk-through"),
        "scattered": _l("Scattered handover"),
        "warranty": _l("Warranty repair"),
    }


class WarrantyClass(LabelledEnum):
    """Minimum warranty classes of the construction quality regulations, art. 40."""

    STRUCTURE = "structure"
    WATERPROOFING = "waterproofing"
    HEATING_COOLING = "heating_cooling"
    INSTALLATION = "installation"

    __labels__ = {
        "structure": _l("Foundations and main structure: design life"),
        "waterproofing": _l("Waterproofing and exterior wall leaks: 5 years"),
        "heating_cooling": _l("Heating and cooling: 2 seasons"),
        "installation": _l("Wiring, pipes, equipment and fit-out: 2 years"),
    }


class ChecklistItem(db.Model):
    """One thing an inspector checks (a category and sub-item), editable by administrators.

    A numeric limit makes a measured value pass or fail by itself.
    """

    __tablename__ = "checklist_items"
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("category", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(120))
    #: None: applies to every fit-out type
    fitout_type: Mapped[FitoutType | None] = mapped_column(enum_column(FitoutType, "checklist_fitout_type"))
    warranty_class: Mapped[WarrantyClass] = mapped_column(enum_column(WarrantyClass, "warranty_class"),
                                                          default=WarrantyClass.INSTALLATION)
    limit_min: Mapped[Decimal | None] = mapped_column(ScaledDecimal(3))
    limit_max: Mapped[Decimal | None] = mapped_column(ScaledDecimal(3))
    limit_unit: Mapped[str] = mapped_column(sa.String(10), default="")
    #: common phrases offered when describing a defect of this item
    phrases: Mapped[list] = mapped_column(sa.JSON, default=list)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def has_limit(self) -> bool:
        return self.limit_min is not None or self.limit_max is not None


class Inspection(db.Model):
    """One inspection round of one unit at one stage, by named inspectors on a date."""

    __tablename__ = "inspections"
    __audited__ = True
    __table_args__ = (sa.Index("ix_inspections_unit_stage", "unit_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    stage: Mapped[InspectionStage] = mapped_column(enum_column(InspectionStage, "inspection_stage"))
    inspected_on: Mapped[date]
    inspectors: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    unit: Mapped[Unit] = relationship()
    results: Mapped[list[InspectionResult]] = relationship(back_populates="inspection",
                                                           order_by="InspectionResult.id")


class InspectionResult(db.Model):
    """The outcome of one checklist item in one round: pass/fail and an optional measurement."""

    __tablename__ = "inspection_results"
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("inspection_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_items.id"))
    passed: Mapped[bool]
    measured_value: Mapped[Decimal | None] = mapped_column(ScaledDecimal(3))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: when it was recorded on the tablet (an offline record syncs later); the newest wins
    at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the client's key of the record that wrote it last: a resend finds this row
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)

    inspection: Mapped[Inspection] = relationship(back_populates="results")
    item: Mapped[ChecklistItem] = relationship()
