"""The inbox of one user."""
from __future__ import annotations

import sqlalchemy as sa

from handover.accounts.models import User
from handover.extensions import db
from handover.notifications.models import Delivery, Notification


def inbox(user: User, limit: int = 100) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def unread_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def outbox(limit: int = 200) -> list[Delivery]:
    return list(db.session.scalars(sa.select(Delivery).order_by(Delivery.id.desc()).limit(limit)))
