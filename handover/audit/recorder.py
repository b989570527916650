"""Record every change to audited models in the same flush that makes it.

Models opt in with `__audited__ = True` (and may hide fields with `__audit_redact__`).
The actor is whoever the current request or CLI command runs as (see `acting_as`).
"""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, attributes

from handover.audit.models import AuditEntry
from handover.core.timeutil import now_utc

SYSTEM = (None, "system")
_actor: ContextVar[tuple[int | None, str]] = ContextVar("audit_actor", default=SYSTEM)


@contextmanager
def acting_as(user_id: int | None, name: str):
    """Attribute the changes made inside the block to this actor."""
    token = _actor.set((user_id, name))
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(user_id: int | None, name: str) -> None:
    """Attribute changes for the rest of this context (one request)."""
    _actor.set((user_id, name))


def _render(value) -> object:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (Decimal, date, datetime)):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    return str(value)


def _columns(obj):
    return sa.inspect(obj).mapper.column_attrs


def _snapshot(obj) -> dict:
    redact = getattr(obj, "__audit_redact__", set())
    return {
        attr.key: [None, "***" if attr.key in redact else _render(getattr(obj, attr.key))]
        for attr in _columns(obj)
    }


def _diff(obj) -> dict:
    redact = getattr(obj, "__audit_redact__", set())
    changes = {}
    for attr in _columns(obj):
        history = attributes.get_history(obj, attr.key)
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        changes[attr.key] = ["***", "***"] if attr.key in redact else [_render(old), _render(new)]
    return changes


def _is_audited(obj) -> bool:
    return getattr(type(obj), "__audited__", False)


@event.listens_for(Session, "before_flush")
def _record_changes(session: Session, flush_context, instances) -> None:
    actor_id, actor_name = _actor.get()
    pending_new = [obj for obj in session.new if _is_audited(obj)]
    entries = []
    for obj in session.dirty:
        if _is_audited(obj) and session.is_modified(obj, include_collections=False):
            changes = _diff(obj)
            if changes:
                entries.append(AuditEntry(action="update", entity_type=type(obj).__name__,
                                          entity_id=obj.id, changes=changes,
                                          actor_id=actor_id, actor_name=actor_name))
    for obj in session.deleted:
        if _is_audited(obj):
            snap = {key: [new, None] for key, (_, new) in _snapshot(obj).items()}
            entries.append(AuditEntry(action="delete", entity_type=type(obj).__name__,
                                      entity_id=obj.id, changes=snap,
                                      actor_id=actor_id, actor_name=actor_name))
    session.add_all(entries)
    if pending_new:
        session.info.setdefault("audit_new", []).extend(pending_new)


@event.listens_for(Session, "after_flush")
def _record_creations(session: Session, flush_context) -> None:
    # New rows get their primary key during the flush, so creations are written after it,
    # still inside the same transaction.
    created = session.info.pop("audit_new", [])
    if not created:
        return
    actor_id, actor_name = _actor.get()
    rows = [
        {"at": now_utc(), "actor_id": actor_id, "actor_name": actor_name, "action": "create",
         "entity_type": type(obj).__name__, "entity_id": obj.id, "changes": _snapshot(obj)}
        for obj in created
    ]
    session.connection().execute(AuditEntry.__table__.insert(), rows)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("audit_new", None)
