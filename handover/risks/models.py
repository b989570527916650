"""Pre-handover risks (交付风险自查) and what surrounds them: the guided self-check, sales promises,
public areas, and the transfer of each building to the property company."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from handover.core.lifecycle import HistoryMixin
from handover.core.timeutil import now_utc
from handover.core.types import LabelledEnum, UTCDateTime, enum_column
from handover.extensions import db

if TYPE_CHECKING:
    from handover.projects.models import Batch, Building


class RiskCategory(LabelledEnum):
    """The eight self-check categories of the guideline (seed 002, art. 4)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H = "H"

    __labels__ = {
        "A": _l("Floor plans: sales, contract, construction and as built"),
        "B": _l("Contract deliverables and fit-out standards"),
        "C": _l("Advertising and sales promises"),
        "D": _l("Fit-out configuration (fully fitted units)"),
        "E": _l("Function defects and design changes"),
        "F": _l("Completion acceptance and handover documents"),
        "G": _l("Utilities and public areas"),
        "H": _l("Property management readiness"),
    }


class RiskSeverity(LabelledEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    BLOCKING = "blocking"

    __labels__ = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High"), "blocking": _l("Blocking")}
    __colors__ = {"low": "grey", "medium": "blue", "high": "orange", "blocking": "red"}


class RiskStatus(LabelledEnum):
    OPEN = "open"
    PLANNED = "planned"
    RESOLVED = "resolved"
    ACCEPTED = "accepted"

    __labels__ = {"open": _l("To decide"), "planned": _l("Rectification planned"), "resolved": _l("Resolved"),
                  "accepted": _l("Accepted with statement")}
    __colors__ = {"open": "red", "planned": "orange", "resolved": "green", "accepted": "blue"}


#: a risk in one of these has its outcome: fixed, or explained to buyers with compensation
DECIDED_STATUSES = frozenset({RiskStatus.RESOLVED, RiskStatus.ACCEPTED})


class Risk(db.Model):
    """A risk found in the pre-handover self-check that would make buyers complain.

    It covers its batch, or one building when `building_id` is set. `version` guards against
    lost updates: a change based on an old version is refused.
    """

    __tablename__ = "risks"
    __audited__ = True
    __table_args__ = (sa.Index("ix_risks_batch_status", "batch_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"))
    building_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buildings.id"))
    category: Mapped[RiskCategory] = mapped_column(enum_column(RiskCategory, "risk_category"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    severity: Mapped[RiskSeverity] = mapped_column(enum_column(RiskSeverity, "risk_severity"))
    department: Mapped[str] = mapped_column(sa.String(60), default="")
    status: Mapped[RiskStatus] = mapped_column(enum_column(RiskStatus, "risk_status"), default=RiskStatus.OPEN)
    found_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    found_by_name: Mapped[str] = mapped_column(sa.String(80), default="")
    found_on: Mapped[date]
    #: the rectification plan, who carries it out, and by when
    plan: Mapped[str] = mapped_column(sa.Text, default="")
    plan_owner: Mapped[str] = mapped_column(sa.String(80), default="")
    due_date: Mapped[date | None]
    #: for accepted risks: the agreed customer-facing statement (统一说辞) and the compensation plan
    statement: Mapped[str] = mapped_column(sa.Text, default="")
    compensation_plan: Mapped[str] = mapped_column(sa.Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_by_name: Mapped[str] = mapped_column(sa.String(80), default="")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: a manager's written decision that this blocking risk does not stop handovers
    override_reason: Mapped[str] = mapped_column(sa.Text, default="")
    override_by_name: Mapped[str] = mapped_column(sa.String(80), default="")
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    batch: Mapped[Batch] = relationship()
    building: Mapped[Building | None] = relationship()
    events: Mapped[list[RiskEvent]] = relationship(back_populates="risk", order_by="RiskEvent.id")
    evidence: Mapped[list[RiskEvidence]] = relationship(back_populates="risk", order_by="RiskEvidence.id")

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    @property
    def is_overridden(self) -> bool:
        return self.override_at is not None


class RiskEvent(HistoryMixin, db.Model):
    """One step in a risk's life (recorded, planned, accepted, reopened, overridden…). Never edited."""

    __tablename__ = "risk_events"
    __audited__ = True  # appended rows show in the audit log too: one place answers "who did what"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(sa.ForeignKey("risks.id"), index=True)
    from_status: Mapped[RiskStatus | None] = mapped_column(enum_column(RiskStatus, "risk_event_from"))
    to_status: Mapped[RiskStatus] = mapped_column(enum_column(RiskStatus, "risk_event_to"))
    #: values the step set, e.g. {"plan": "...", "due_date": "2026-12-01"}
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    risk: Mapped[Risk] = relationship(back_populates="events")


class RiskEvidence(db.Model):
    """A photo or file showing a risk or its resolution."""

    __tablename__ = "risk_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(sa.ForeignKey("risks.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    #: relative to UPLOAD_FOLDER
    path: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100), default="application/octet-stream")
    uploaded_by_name: Mapped[str] = mapped_column(sa.String(80), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    risk: Mapped[Risk] = relationship(back_populates="evidence")


class CheckAnswer(LabelledEnum):
    OK = "ok"
    RISK = "risk"
    NOT_APPLICABLE = "na"

    __labels__ = {"ok": _l("OK"), "risk": _l("Risk found"), "na": _l("Not applicable")}
    __colors__ = {"ok": "green", "risk": "red", "na": "grey"}


class SelfCheck(db.Model):
    """A guided walk through categories A–H for a batch (or one of its buildings)."""

    __tablename__ = "risk_self_checks"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buildings.id"))
    started_by_name: Mapped[str] = mapped_column(sa.String(80), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    building: Mapped[Building | None] = relationship()
    answers: Mapped[list[SelfCheckAnswer]] = relationship(back_populates="self_check",
                                                          order_by="SelfCheckAnswer.id")


class SelfCheckAnswer(db.Model):
    """The answer to one question of a self-check; "risk found" links the risk it opened."""

    __tablename__ = "risk_self_check_answers"
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("self_check_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    self_check_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_self_checks.id"))
    #: the question's code in rules.SELF_CHECK_QUESTIONS, e.g. "C2"
    question: Mapped[str] = mapped_column(sa.String(10))
    answer: Mapped[CheckAnswer] = mapped_column(enum_column(CheckAnswer, "self_check_answer"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    risk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("risks.id"))
    answered_by_name: Mapped[str] = mapped_column(sa.String(80), default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    self_check: Mapped[SelfCheck] = relationship(back_populates="answers")
    risk: Mapped[Risk | None] = relationship()


class PromiseSource(LabelledEnum):
    ADVERTISING = "advertising"
    SALES = "sales"
    CONTRACT_ANNEX = "contract_annex"

    __labels__ = {"advertising": _l("Advertising"), "sales": _l("Sales promise"),
                  "contract_annex": _l("Contract annex")}


class Promise(db.Model):
    """A promise made to buyers (广告、销售承诺、合同附件约定) that the handover must keep.

    Without scope rows it covers the whole batch; otherwise the buildings and units listed.
    """

    __tablename__ = "promises"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    source: Mapped[PromiseSource] = mapped_column(enum_column(PromiseSource, "promise_source"))
    #: where it was made: a brochure, a sales-office board, annex 4 of the contract…
    reference: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_name: Mapped[str] = mapped_column(sa.String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    scopes: Mapped[list[PromiseScope]] = relationship(back_populates="promise", order_by="PromiseScope.id",
                                                      cascade="all, delete-orphan")


class PromiseScope(db.Model):
    """One building or one unit a promise covers."""

    __tablename__ = "promise_scopes"
    __table_args__ = (
        sa.CheckConstraint("(building_id IS NULL) <> (unit_id IS NULL)", name="building_or_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(sa.ForeignKey("promises.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buildings.id"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))

    promise: Mapped[Promise] = relationship(back_populates="scopes")


class PromiseCheck(db.Model):
    """A promise checked in one unit on the walk-through: kept or not. Appended; the latest counts."""

    __tablename__ = "promise_checks"
    __table_args__ = (sa.Index("ix_promise_checks_unit_promise", "unit_id", "promise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(sa.ForeignKey("promises.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    inspection_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspections.id"))
    kept: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: the category C risk a broken promise opened
    risk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("risks.id"))
    checked_by_name: Mapped[str] = mapped_column(sa.String(80), default="")
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class AreaKind(LabelledEnum):
    LOBBY = "lobby"
    LIFT = "lift"
    CORRIDOR = "corridor"
    ROOF = "roof"
    PLANT_ROOM = "plant_room"
    LANDSCAPE = "landscape"
    ROAD = "road"
    OTHER = "other"

    __labels__ = {"lobby": _l("Entrance lobby"), "lift": _l("Lift"), "corridor": _l("Corridor and stairs"),
                  "roof": _l("Roof"), "plant_room": _l("Plant room"), "landscape": _l("Landscape"),
                  "road": _l("Road"), "other": _l("Other public area")}


class PublicArea(db.Model):
    """A public area (公共区域) of a batch or one of its buildings, where defects can be logged."""

    __tablename__ = "public_areas"
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("batch_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"))
    building_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buildings.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[AreaKind] = mapped_column(enum_column(AreaKind, "public_area_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    batch: Mapped[Batch] = relationship()
    building: Mapped[Building | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.building.name} · {self.name}" if self.building else self.name


class BuildingTransfer(db.Model):
    """The transfer (移交) of a building, its units and public areas, to the property company.

    From the transfer on, protecting finished work is the property company's duty (art. 10.2).
    """

    __tablename__ = "building_transfers"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("buildings.id"), unique=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    transferred_on: Mapped[date]
    #: who signed for the developer and for the property company
    developer_signatory: Mapped[str] = mapped_column(sa.String(80), default="")
    property_signatory: Mapped[str] = mapped_column(sa.String(80), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_name: Mapped[str] = mapped_column(sa.String(80), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    building: Mapped[Building] = relationship()
    open_items: Mapped[list[TransferItem]] = relationship(back_populates="transfer", order_by="TransferItem.id",
                                                          cascade="all, delete-orphan")


class TransferItem(db.Model):
    """Something unfinished at the transfer, carried over with the date it was promised for (art. 7.2)."""

    __tablename__ = "transfer_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(sa.ForeignKey("building_transfers.id", ondelete="CASCADE"),
                                             index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    promised_on: Mapped[date | None]
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("public_areas.id"))

    transfer: Mapped[BuildingTransfer] = relationship(back_populates="open_items")
    area: Mapped[PublicArea | None] = relationship()

