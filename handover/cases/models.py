"""Cases: what an owner asks of us after (or around) the handover, with committed times (SLA)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from handover.core.lifecycle import HistoryMixin
from handover.core.timeutil import now_utc
from handover.core.types import LabelledEnum, UTCDateTime, enum_column
from handover.extensions import db

if TYPE_CHECKING:
    from handover.projects.models import Unit
    from handover.risks.models import PublicArea


class CaseKind(LabelledEnum):
    REPAIR = "repair"
    COMPLAINT = "complaint"
    INQUIRY = "inquiry"

    __labels__ = {"repair": _l("Repair request"), "complaint": _l("Complaint"), "inquiry": _l("Inquiry")}
    __colors__ = {"repair": "blue", "complaint": "red", "inquiry": "grey"}


class CaseSeverity(LabelledEnum):
    NORMAL = "normal"
    URGENT = "urgent"

    __labels__ = {"normal": _l("Normal"), "urgent": _l("Urgent")}
    __colors__ = {"normal": "grey", "urgent": "red"}


class CaseStatus(LabelledEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"

    __labels__ = {"new": _l("New"), "acknowledged": _l("Acknowledged"), "in_progress": _l("In progress"),
                  "resolved": _l("Resolved"), "closed": _l("Closed")}
    __colors__ = {"new": "red", "acknowledged": "orange", "in_progress": "blue", "resolved": "green",
                  "closed": "grey"}


class CaseSource(LabelledEnum):
    PORTAL = "portal"
    PHONE = "phone"
    DESK = "desk"
    OPEN_DAY = "open_day"
    SURVEY = "survey"

    __labels__ = {"portal": _l("Owner portal"), "phone": _l("Phone"), "desk": _l("Service desk"),
                  "open_day": _l("Open day"), "survey": _l("Survey follow-up")}


#: a case in one of these needs nothing more from us
DONE_STATUSES = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})


class Case(db.Model):
    """One repair request, complaint or inquiry of a unit (or of a public area), with its due times."""

    __tablename__ = "cases"
    __audited__ = True
    __table_args__ = (sa.Index("ix_cases_batch_status", "batch_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"))
    building_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buildings.id"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("public_areas.id"))
    #: the owner who raised it (or on whose behalf staff recorded it)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("owners.id"), index=True)
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind, "case_kind"))
    category: Mapped[str] = mapped_column(sa.String(60), default="")
    severity: Mapped[CaseSeverity] = mapped_column(enum_column(CaseSeverity, "case_severity"),
                                                   default=CaseSeverity.NORMAL)
    description: Mapped[str] = mapped_column(sa.Text)
    source: Mapped[CaseSource] = mapped_column(enum_column(CaseSource, "case_source"), default=CaseSource.PORTAL)
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "case_status"), default=CaseStatus.NEW)
    #: complaints: major (重大) or a group complaint (群诉); either escalates at once
    major: Mapped[bool] = mapped_column(default=False)
    group: Mapped[bool] = mapped_column("is_group", default=False)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalation_reason: Mapped[str] = mapped_column(sa.String(120), default="")
    #: the committed times, fixed when the case is raised (the project's SLA at that moment)
    acknowledge_by: Mapped[datetime] = mapped_column(UTCDateTime())
    resolve_by: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the first time a committed time passed unmet ("acknowledge" or "resolve")
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    breach: Mapped[str] = mapped_column(sa.String(20), default="")
    #: a repair request that became a defect (warranty stage); the defect carries the case id back
    defect_id: Mapped[str | None] = mapped_column(sa.ForeignKey("defects.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    unit: Mapped[Unit | None] = relationship()
    area: Mapped[PublicArea | None] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    photos: Mapped[list[CasePhoto]] = relationship(back_populates="case", order_by="CasePhoto.id")

    @property
    def is_open(self) -> bool:
        return self.status not in DONE_STATUSES

    @property
    def place(self) -> str:
        if self.unit is not None:
            return self.unit.label
        return self.area.label if self.area is not None else ""

    @property
    def number(self) -> str:
        return f"C{self.id:06d}"


class CaseEvent(HistoryMixin, db.Model):
    """One step or reply in a case's life. `internal` rows (staff notes) are never shown to owners."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    from_status: Mapped[CaseStatus | None] = mapped_column(enum_column(CaseStatus, "case_event_from"))
    to_status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "case_event_to"))
    internal: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")


class CasePhoto(db.Model):
    __tablename__ = "case_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    case: Mapped[Case] = relationship(back_populates="photos")


class CaseSla(db.Model):
    """A project's committed times for one kind (and severity) of case, overriding the defaults."""

    __tablename__ = "case_slas"
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("project_id", "kind", "severity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"))
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind, "case_sla_kind"))
    severity: Mapped[CaseSeverity] = mapped_column(enum_column(CaseSeverity, "case_sla_severity"))
    acknowledge_hours: Mapped[int]
    resolve_hours: Mapped[int]
