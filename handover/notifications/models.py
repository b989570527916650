"""The inbox (one row per message to a user) and the outbox (one row per delivery attempt)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from handover.core.timeutil import now_utc
from handover.core.types import LabelledEnum, UTCDateTime, enum_column
from handover.extensions import db


class Channel(LabelledEnum):
    INBOX = "inbox"
    SMS = "sms"
    WECHAT = "wechat"

    __labels__ = {"inbox": _l("Inbox"), "sms": _l("SMS"), "wechat": _l("WeChat")}


class DeliveryStatus(LabelledEnum):
    DELIVERED = "delivered"  # in the inbox, or handed to the channel's sender
    DEFERRED = "deferred"  # quiet hours: goes out at `send_after`
    HELD = "held"  # the contact limit or an opt-out stopped it
    FAILED = "failed"

    __labels__ = {"delivered": _l("Delivered"), "deferred": _l("Deferred (quiet hours)"),
                  "held": _l("Not sent"), "failed": _l("Failed")}
    __colors__ = {"delivered": "green", "deferred": "orange", "held": "grey", "failed": "red"}


class Notification(db.Model):
    """A message in a user's inbox (owner or staff)."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    topic: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(255), default="")
    #: essential messages (a case reply, an escalation) pass the contact limit and opt-outs
    essential: Mapped[bool] = mapped_column(default=False)
    #: what it is about, so the same news is never sent twice (e.g. "defect:<id>:verified")
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    deliveries: Mapped[list[Delivery]] = relationship(back_populates="notification", order_by="Delivery.id")


class Delivery(db.Model):
    """The outbox: one row per channel a notification goes out on, and what became of it."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (sa.Index("ix_deliveries_status", "status", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notifications.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "delivery_channel"))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, "delivery_status"))
    send_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    notification: Mapped[Notification] = relationship(back_populates="deliveries")


class NotificationPreference(db.Model):
    """A user's channels, quiet hours (local time) and contact limit."""

    __tablename__ = "notification_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    sms: Mapped[bool] = mapped_column(default=True)
    wechat: Mapped[bool] = mapped_column(default=False)
    #: no non-essential messages at all (surveys, reminders) except in the inbox
    opt_out: Mapped[bool] = mapped_column(default=False)
    quiet_from: Mapped[int] = mapped_column(default=21)  # hour, local
    quiet_until: Mapped[int] = mapped_column(default=8)
    #: at most this many SMS/WeChat messages a day (the inbox is never limited)
    daily_limit: Mapped[int] = mapped_column(default=3)
