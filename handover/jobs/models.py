"""A background job's record: what it does, how far it got, and where its result is."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from handover.core.timeutil import now_utc
from handover.core.types import LabelledEnum, UTCDateTime, enum_column
from handover.extensions import db


class JobStatus(LabelledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"

    __labels__ = {"queued": _l("Waiting"), "running": _l("Running"), "finished": _l("Ready"),
                  "failed": _l("Failed")}


class Job(db.Model):
    """A long piece of work (a 100,000-row ledger, 3,000 PDFs) and its progress."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "job_status"), default=JobStatus.QUEUED)
    #: 0–100
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.String(255), default="")
    #: relative to UPLOAD_FOLDER
    result_path: Mapped[str | None] = mapped_column(sa.String(255))
    result_name: Mapped[str | None] = mapped_column(sa.String(255))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: written every JOB_HEARTBEAT_SECONDS while the job runs; a job whose heartbeat stops is swept
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
