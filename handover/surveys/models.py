"""Satisfaction surveys: an invitation per owner and touchpoint, and at most one response to it."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from handover.core.timeutil import now_utc
from handover.core.types import LabelledEnum, UTCDateTime, enum_column
from handover.extensions import db


class Touchpoint(LabelledEnum):
    HANDOVER = "handover"
    AFTER_REPAIR = "after_repair"
    AFTER_CASE = "after_case"

    __labels__ = {"handover": _l("Handover day"), "after_repair": _l("After a warranty repair"),
                  "after_case": _l("After a case is closed")}


#: the dimensions scored 1–5 (DOMAIN.md "Satisfaction follow-up")
DIMENSIONS = ("quality", "service", "timeliness", "communication")
DIMENSION_LABELS = {"quality": _l("Quality of the home"), "service": _l("Staff service"),
                    "timeliness": _l("Timeliness"), "communication": _l("Communication")}


class SurveyInvitation(db.Model):
    __tablename__ = "survey_invitations"
    __table_args__ = (sa.UniqueConstraint("owner_id", "touchpoint", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("owners.id"), index=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"))
    building_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buildings.id"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    touchpoint: Mapped[Touchpoint] = mapped_column(enum_column(Touchpoint, "survey_touchpoint"))
    #: what it is about ("case:12", "defect:<id>", "unit:3"): one invitation per subject
    subject: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    response: Mapped[SurveyResponse | None] = relationship(back_populates="invitation")


class SurveyResponse(db.Model):
    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_invitations.id"), unique=True)
    recommend: Mapped[int]
    scores: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    #: the case opened to follow up a low score
    follow_up_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    invitation: Mapped[SurveyInvitation] = relationship(back_populates="response")
