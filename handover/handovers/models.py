"""The handover record: one row per act (signed, corrected, revoked), appended and never edited."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from handover.core.lifecycle import HistoryMixin
from handover.core.timeutil import now_utc
from handover.core.types import UTCDateTime
from handover.extensions import db

if TYPE_CHECKING:
    from handover.projects.models import Unit


class HandoverRecord(HistoryMixin, db.Model):
    """An act on a unit's handover: `action` is "sign", "correct" or "revoke" (see rules.HANDOVER).

    Who (`actor_id`, `actor_name`), when it happened (`at`, the act's own time) and when the server
    wrote it (`recorded_at`), the date the handover counts from (`handed_over_on`, empty for a
    revocation), what was handed (`items`) and a note. A mistake is corrected or revoked by a
    new row; the unit's `handed_over_on` is a cache of the latest row, written only by
    `handovers.service`.
    """

    __tablename__ = "handover_records"
    __audited__ = True  # appended rows show in the audit log too: one place answers "who did what"
    __table_args__ = (sa.Index("ix_handover_records_unit", "unit_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    handed_over_on: Mapped[date | None]
    #: codes from rules.HANDED_ITEMS: what the owner received
    items: Mapped[list] = mapped_column(sa.JSON, default=list)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    #: sent by a client that may resend: the same key returns this row, never a second act
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)

    unit: Mapped[Unit] = relationship()
