"""Keys and their chain of custody."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from handover.core.lifecycle import HistoryMixin
from handover.core.timeutil import now_utc, to_local
from handover.core.types import LabelledEnum, UTCDateTime, enum_column
from handover.extensions import db

if TYPE_CHECKING:
    from handover.projects.models import Unit


class KeyKind(LabelledEnum):
    ENTRANCE_DOOR = "entrance_door"
    BUILDING_DOOR = "building_door"
    MAILBOX = "mailbox"
    PLANT_ROOM = "plant_room"
    MANAGEMENT_ROOM = "management_room"

    __labels__ = {"entrance_door": _l("Entrance door"), "building_door": _l("Building door"),
                  "mailbox": _l("Mailbox"), "plant_room": _l("Plant room"), "management_room": _l("Management room")}


class KeyStatus(LabelledEnum):
    WITH_CONTRACTOR = "with_contractor"
    IN_OFFICE = "in_office"
    ON_LOAN = "on_loan"
    WITH_OWNER = "with_owner"
    ENTRUSTED = "entrusted"
    ENTRUSTED_ON_LOAN = "entrusted_on_loan"
    LOST = "lost"
    RETIRED = "retired"

    __labels__ = {
        "with_contractor": _l("With the general contractor"), "in_office": _l("In the property office"),
        "on_loan": _l("On loan"), "with_owner": _l("With the owner"),
        "entrusted": _l("Entrusted to the office"), "entrusted_on_loan": _l("Entrusted, on loan"),
        "lost": _l("Lost"), "retired": _l("Lock changed"),
    }
    __colors__ = {"with_contractor": "grey", "in_office": "green", "on_loan": "orange", "with_owner": "blue",
                  "entrusted": "green", "entrusted_on_loan": "orange", "lost": "red", "retired": "grey"}


class KeyEventType(LabelledEnum):
    RECEIVED = "received"
    CHECKED = "checked"
    LENT = "lent"
    RETURNED = "returned"
    HANDED_TO_OWNER = "handed_to_owner"
    ENTRUSTED = "entrusted"
    RETURNED_TO_OWNER = "returned_to_owner"
    LOST = "lost"
    LOCK_CHANGED = "lock_changed"

    __labels__ = {
        "received": _l("Received from the contractor"), "checked": _l("Tried in the lock"), "lent": _l("Lent"),
        "returned": _l("Returned"), "handed_to_owner": _l("Handed to the owner"),
        "entrusted": _l("Entrusted by the owner"), "returned_to_owner": _l("Returned to the owner"),
        "lost": _l("Reported lost"), "lock_changed": _l("Lock changed"),
    }


class Key(db.Model):
    """A physical key (or numbered set of copies) for a unit or a public room.

    `status`, `holder` and `due_back_on` are a cache of what the event log says, written in the
    same flush as each event (keys.rules.replay is the definition).
    """

    __tablename__ = "keys"
    __audited__ = True
    __table_args__ = (
        sa.UniqueConstraint("batch_id", "cabinet_slot"),
        sa.Index("ix_keys_batch_status", "batch_id", "status"),
        sa.CheckConstraint("copies >= 1", name="copies_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"))
    #: empty for public rooms (plant rooms, management rooms)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    kind: Mapped[KeyKind] = mapped_column(enum_column(KeyKind, "key_kind"))
    label: Mapped[str] = mapped_column(sa.String(80))
    #: what the QR tag holds; typed or scanned to open the key
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    copies: Mapped[int] = mapped_column(default=1)
    cabinet_slot: Mapped[str | None] = mapped_column(sa.String(20))
    status: Mapped[KeyStatus] = mapped_column(enum_column(KeyStatus, "key_status"), default=KeyStatus.WITH_CONTRACTOR)
    holder: Mapped[str] = mapped_column(sa.String(80), default="")
    due_back_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    unit: Mapped[Unit | None] = relationship()
    events: Mapped[list[KeyEvent]] = relationship(back_populates="key", order_by="KeyEvent.id")


class KeyEvent(HistoryMixin, db.Model):
    """One movement or check of a key. Appended, never edited or deleted.

    The shared history columns (actor, at, action, note, recorded_at, idempotency_key) come from
    the life-cycle kit's HistoryMixin; `action` holds the event type (`type` is its older name,
    kept as an alias) and `to_status` the status after it (alias `status_after`).
    """

    __tablename__ = "key_events"
    __audited__ = True  # appended rows show in the audit log too: one place answers "who did what"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(sa.ForeignKey("keys.id"), index=True)
    #: what happened to the key: the custody event type
    action: Mapped[KeyEventType] = mapped_column(enum_column(KeyEventType, "key_event_type"))
    #: the counterparty: borrower, owner, contractor's person
    counterparty: Mapped[str] = mapped_column(sa.String(80), default="")
    #: for "checked": did the key open the lock
    result_ok: Mapped[bool | None]
    #: signature drawn on the tablet, a PNG relative to UPLOAD_FOLDER
    signature_path: Mapped[str | None] = mapped_column(sa.String(200))
    from_status: Mapped[KeyStatus | None] = mapped_column(enum_column(KeyStatus, "key_event_from_status"))
    to_status: Mapped[KeyStatus] = mapped_column(enum_column(KeyStatus, "key_event_status"))

    key: Mapped[Key] = relationship(back_populates="events")

    type = synonym("action")
    status_after = synonym("to_status")

    @property
    def local_day(self) -> date:
        return to_local(self.at).date()
