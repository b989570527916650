"""Notification use cases: put a message in a user's inbox and out through their channels,
respecting their quiet hours, their contact limit and their opt-out.

Every function takes the session it works in: listeners of domain events run after the commit
that announced them, in a short transaction of their own (`in_own_transaction`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from handover.accounts.models import User
from handover.accounts.permissions import roles_for
from handover.accounts.models import user_projects
from handover.core import transactions
from handover.core.timeutil import local_tz, now_utc
from handover.extensions import db
from handover.notifications import rules, senders
from handover.notifications.models import Channel, Delivery, DeliveryStatus, Notification, NotificationPreference
from handover.projects.models import Contract, Unit, contract_co_owners


@contextmanager
def in_own_transaction() -> Iterator[Session]:
    """A short write transaction of its own (for listeners that run after another commit)."""
    with transactions.writing(), Session(db.engine, expire_on_commit=False) as session:
        yield session
        session.commit()


def preference(session: Session, user_id: int) -> NotificationPreference:
    found = session.scalar(sa.select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    return found or NotificationPreference(user_id=user_id, sms=True, wechat=False, opt_out=False, quiet_from=21,
                                           quiet_until=8, daily_limit=3)


def notify(session: Session, user_id: int, template: str, *, link: str = "", essential: bool = False,
           dedupe_key: str | None = None, now: datetime | None = None, **values) -> Notification | None:
    """Put the message in the user's inbox and queue it on their external channels.

    Returns None when a message with the same `dedupe_key` exists (the same news twice).
    """
    if dedupe_key and session.scalar(sa.select(Notification.id).where(Notification.dedupe_key == dedupe_key)):
        return None
    now = now or now_utc()
    title, body = rules.render(template, **values)
    note = Notification(user_id=user_id, topic=template, title=title, body=body, link=link, essential=essential,
                        dedupe_key=dedupe_key, created_at=now)
    session.add(note)
    session.flush()
    session.add(Delivery(notification_id=note.id, user_id=user_id, channel=Channel.INBOX,
                         status=DeliveryStatus.DELIVERED, sent_at=now, created_at=now))
    prefs = preference(session, user_id)
    user = session.get(User, user_id)
    for channel, wanted in ((Channel.SMS, prefs.sms), (Channel.WECHAT, prefs.wechat)):
        if wanted and user is not None and user.is_owner:
            _queue_external(session, note, channel, prefs, user, now)
    session.flush()
    return note


def _sent_today(session: Session, user_id: int, now: datetime) -> int:
    return session.scalar(sa.select(sa.func.count(Delivery.id)).where(
        Delivery.user_id == user_id, Delivery.channel != Channel.INBOX,
        Delivery.status.in_((DeliveryStatus.DELIVERED, DeliveryStatus.DEFERRED)),
        Delivery.created_at > now - timedelta(days=1))) or 0


def _queue_external(session: Session, note: Notification, channel: Channel, prefs: NotificationPreference,
                    user: User, now: datetime) -> Delivery:
    row = Delivery(notification_id=note.id, user_id=user.id, channel=channel, created_at=now)
    if prefs.opt_out and not note.essential:
        row.status, row.reason = DeliveryStatus.HELD, "opted out"
    elif rules.over_limit(_sent_today(session, user.id, now), prefs.daily_limit, essential=note.essential):
        row.status, row.reason = DeliveryStatus.HELD, f"contact limit ({prefs.daily_limit} a day)"
    else:
        local = now.astimezone(local_tz())
        quiet = rules.Quiet(prefs.quiet_from, prefs.quiet_until)
        if quiet.covers(local):
            row.status, row.send_after = DeliveryStatus.DEFERRED, quiet.ends_after(local).astimezone(now.tzinfo)
            row.reason = "quiet hours"
        else:
            _send(row, note, user, now)
    session.add(row)
    return row


def _send(row: Delivery, note: Notification, user: User, now: datetime) -> None:
    address = user.owner.phone if user.owner is not None else user.username
    try:
        row.reason = senders.sender_for(row.channel.value).send(address, note.title, note.body)[:200]
        row.status, row.sent_at = DeliveryStatus.DELIVERED, now
    except Exception as exc:  # noqa: BLE001 - a gateway's failure is recorded, never raised
        row.status, row.reason = DeliveryStatus.FAILED, str(exc)[:200]


def send_deferred(session: Session, now: datetime | None = None) -> int:
    """Send the deliveries whose quiet hours have ended (the sweep calls this)."""
    now = now or now_utc()
    rows = session.scalars(sa.select(Delivery).where(Delivery.status == DeliveryStatus.DEFERRED,
                                                     Delivery.send_after <= now)).all()
    for row in rows:
        _send(row, row.notification, session.get(User, row.user_id), now)
    session.flush()
    return len(rows)


# --- recipients ----------------------------------------------------------------------------------

def owner_user_ids(session: Session, owner_id: int | None) -> list[int]:
    if owner_id is None:
        return []
    return list(session.scalars(sa.select(User.id).where(User.owner_id == owner_id, User.is_active_user)))


def unit_owner_ids(session: Session, unit_id: int | None) -> list[int]:
    """The buyer and co-owners of a unit."""
    if unit_id is None:
        return []
    primary = sa.select(Contract.owner_id).where(Contract.unit_id == unit_id)
    shared = (sa.select(contract_co_owners.c.owner_id).join(Contract, Contract.id == contract_co_owners.c.contract_id)
              .where(Contract.unit_id == unit_id))
    return list(session.scalars(sa.union(primary, shared)))


def unit_user_ids(session: Session, unit_id: int | None) -> list[int]:
    ids: list[int] = []
    for owner_id in unit_owner_ids(session, unit_id):
        ids.extend(owner_user_ids(session, owner_id))
    return ids


def staff_user_ids(session: Session, permission: str, batch_id: int | None) -> list[int]:
    """Active users holding `permission` who work on the batch's project (or on every project)."""
    from handover.projects.models import Batch

    roles = roles_for(permission)
    everywhere = roles & roles_for("projects.see_all")
    stmt = sa.select(User.id).where(User.role.in_(roles), User.is_active_user)
    if batch_id is not None:
        project_id = session.scalar(sa.select(Batch.project_id).where(Batch.id == batch_id))
        on_project = sa.select(user_projects.c.user_id).where(user_projects.c.project_id == project_id)
        stmt = stmt.where(sa.or_(User.id.in_(on_project), User.role.in_(everywhere)))
    return list(session.scalars(stmt.order_by(User.id)))


def unit_label(session: Session, unit_id: int | None) -> str:
    unit = session.get(Unit, unit_id) if unit_id else None
    return unit.label if unit is not None else ""


# --- the inbox --------------------------------------------------------------------------------

def mark_read(user: User, ids: list[int] | None = None, *, now: datetime | None = None) -> int:
    """Mark the user's notifications read (all when `ids` is None); returns how many changed."""
    stmt = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    return db.session.execute(stmt.values(read_at=now or now_utc())).rowcount or 0


def set_preferences(user: User, **values) -> NotificationPreference:
    prefs = db.session.scalar(sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    if prefs is None:
        prefs = preference(db.session, user.id)
        db.session.add(prefs)
    for name, value in values.items():
        setattr(prefs, name, value)
    db.session.flush()
    return prefs


Listener = Callable[..., None]
