"""Master data of a development: what is handed over, and to whom."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from handover.core.timeutil import now_utc
from handover.core.types import Area, LabelledEnum, Money, Rate, ScaledDecimal, UTCDateTime, enum_column
from handover.extensions import db

DEFAULT_DIFF_THRESHOLD = Decimal("0.03")  # 商品房销售管理办法 art. 20: 3%
DEFAULT_REFUND_MULTIPLIER = Decimal("2.00")  # refund beyond the threshold is paid twice


class HandoverMode(LabelledEnum):
    CENTRALIZED = "centralized"
    SCATTERED = "scattered"

    __labels__ = {"centralized": _l("Centralized handover"), "scattered": _l("Scattered handover")}


class FitoutType(LabelledEnum):
    ROUGH = "rough"
    DECORATED = "decorated"

    __labels__ = {"rough": _l("Unfinished (shell)"), "decorated": _l("Fully fitted")}


class Project(db.Model):
    """A development (项目): the unit of staff scope."""

    __tablename__ = "projects"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    city: Mapped[str] = mapped_column(sa.String(60), default="")
    address: Mapped[str] = mapped_column(sa.String(255), default="")
    developer: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    # company details printed on documents (edited by admins on the project settings page)
    company_name: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    company_address: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    company_phone: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    office_hours: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    handover_venue: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    booking_instructions: Mapped[str] = mapped_column(sa.Text(), default="", server_default="")
    bank_name: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    bank_account_name: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    bank_account: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    property_company: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    property_requirements: Mapped[str] = mapped_column(sa.Text(), default="", server_default="")
    #: print a box for the company seal (盖章处) on documents that need one
    seal_box: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    @property
    def company(self) -> str:
        """The name printed as the issuing company: the configured one, else the developer, else the project."""
        return self.company_name or self.developer or self.name

    batches: Mapped[list[Batch]] = relationship(back_populates="project", order_by="Batch.id")


class Batch(db.Model):
    """A handover batch (交付批次): units handed over together, in one window."""

    __tablename__ = "batches"
    __audited__ = True
    __table_args__ = (
        sa.UniqueConstraint("project_id", "name"),
        sa.CheckConstraint("window_end IS NULL OR window_start IS NULL OR window_end >= window_start",
                           name="window_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    mode: Mapped[HandoverMode] = mapped_column(enum_column(HandoverMode, "handover_mode"),
                                               default=HandoverMode.CENTRALIZED)
    window_start: Mapped[date | None]
    window_end: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    project: Mapped[Project] = relationship(back_populates="batches")
    buildings: Mapped[list[Building]] = relationship(back_populates="batch", order_by="Building.sort_key")


class Building(db.Model):
    """A building (楼栋) within a batch."""

    __tablename__ = "buildings"
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("batch_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    #: zero-padded name, so "2" sorts before "10"
    sort_key: Mapped[str] = mapped_column(sa.String(60), default="")
    floors: Mapped[int | None]

    batch: Mapped[Batch] = relationship(back_populates="buildings")


class Unit(db.Model):
    """One apartment (户), identified within its batch by building, entrance and room number."""

    __tablename__ = "units"
    __audited__ = True
    __table_args__ = (
        sa.UniqueConstraint("building_id", "entrance", "room_no"),
        sa.Index("ix_units_batch_building_floor", "batch_id", "building_id", "floor"),
        sa.CheckConstraint("measured_area IS NULL OR measured_area > 0", name="measured_area_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"))
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("buildings.id"))
    entrance: Mapped[str] = mapped_column(sa.String(20))
    floor: Mapped[int]
    room_no: Mapped[str] = mapped_column(sa.String(20))
    layout: Mapped[str] = mapped_column(sa.String(60), default="")
    fitout_type: Mapped[FitoutType] = mapped_column(enum_column(FitoutType, "fitout_type"), default=FitoutType.ROUGH)
    #: registered (measured) area in m²; unknown until the survey report arrives
    measured_area: Mapped[Decimal | None] = mapped_column(Area())
    #: the day the owner signed the handover record; warranty periods run from it
    handed_over_on: Mapped[date | None]

    batch: Mapped[Batch] = relationship()
    building: Mapped[Building] = relationship()
    contract: Mapped[Contract | None] = relationship(back_populates="unit", uselist=False)

    @property
    def label(self) -> str:
        return f"{self.building.name}-{self.entrance}-{self.room_no}"

    @property
    def full_name(self) -> str:
        """The unit as every document names it: 1号楼1单元201室 (see `rules.unit_name`)."""
        from handover.projects.rules import unit_name

        return unit_name(self.building.name, self.entrance, self.room_no)


contract_co_owners = sa.Table(
    "contract_co_owners",
    db.metadata,
    sa.Column("contract_id", sa.ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("owner_id", sa.ForeignKey("owners.id"), primary_key=True),
)


class Owner(db.Model):
    """A buyer (业主/买受人). One person may own several units; co-owners share a contract."""

    __tablename__ = "owners"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), index=True)
    phone: Mapped[str] = mapped_column(sa.String(20), index=True)
    #: resident ID or passport number; matched on import to recognise the same person
    id_number: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class Contract(db.Model):
    """The sales contract (商品房买卖合同) of a unit, with its area-differential terms."""

    __tablename__ = "contracts"
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("area > 0", name="area_positive"),
        sa.CheckConstraint("unit_price IS NOT NULL OR total_price IS NOT NULL", name="has_price"),
        sa.CheckConstraint("unit_price IS NULL OR unit_price > 0", name="unit_price_positive"),
        sa.CheckConstraint("total_price IS NULL OR total_price > 0", name="total_price_positive"),
        sa.CheckConstraint("diff_threshold >= 0", name="threshold_not_negative"),
        sa.CheckConstraint("refund_multiplier >= 0", name="multiplier_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), unique=True)
    number: Mapped[str] = mapped_column(sa.String(60), index=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("owners.id"), index=True)
    #: contract (sold) area in m²
    area: Mapped[Decimal] = mapped_column(Area())
    #: yuan per m²; when the contract states only a total, this stays empty
    unit_price: Mapped[Decimal | None] = mapped_column(Money())
    total_price: Mapped[Decimal | None] = mapped_column(Money())
    #: |r| up to this ratio is settled at actual; beyond it the buyer may return the unit
    diff_threshold: Mapped[Decimal] = mapped_column(Rate(), default=DEFAULT_DIFF_THRESHOLD)
    refund_multiplier: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=DEFAULT_REFUND_MULTIPLIER)
    signed_on: Mapped[date | None]

    unit: Mapped[Unit] = relationship(back_populates="contract")
    owner: Mapped[Owner] = relationship()
    co_owners: Mapped[list[Owner]] = relationship(secondary=contract_co_owners, order_by="Owner.id")

    @property
    def price_per_m2(self) -> Decimal:
        """The unit price P: stated, or the exact quotient total / area (never rounded here)."""
        if self.unit_price is not None:
            return self.unit_price
        return self.total_price / self.area


class Contractor(db.Model):
    """A construction company (总包/分包) that rectifies defects; its staff sign in as contractors."""

    __tablename__ = "contractors"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    contact_name: Mapped[str] = mapped_column(sa.String(60), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class ImportRun(db.Model):
    """One confirmed spreadsheet import (units or keys) and what it changed, so that it can be
    undone as a whole on the day it was made."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    #: "units" or "keys"
    kind: Mapped[str] = mapped_column(sa.String(20))
    file_name: Mapped[str] = mapped_column(sa.String(255), default="")
    file_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    #: ids of the rows the import created and the old values of every row it changed
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(sa.String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by_name: Mapped[str] = mapped_column(sa.String(80), default="")

    batch: Mapped[Batch] = relationship()
