"""Audit entries: append-only, written by the flush hook in audit.recorder."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from handover.core.timeutil import now_utc
from handover.core.types import UTCDateTime
from handover.extensions import db


class AuditEntry(db.Model):
    """One change to one domain record. Never updated or deleted."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)
    #: the acting user; kept as a plain id plus a name snapshot so history survives renames
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(80))
    action: Mapped[str] = mapped_column(sa.String(10))  # create / update / delete
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    #: {field: [old, new]}, values rendered as strings
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
