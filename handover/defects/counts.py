"""The defect dashboard's figures, kept for a short while so fifty tablets cost one computation.

`queries.dashboard` groups every defect of a batch six ways (about 80 ms of SQL on 100,000
defects). Here its result is kept per worker process, keyed by batch, filters, the viewer's scope
and the local day, for at most `DEFECT_COUNTS_TTL` seconds (default 30). A recorded defect or a
status change (the domain events `defect_recorded` and `defect_status_changed`, heard after the
commit) and any committed write to a defect in this process drop the kept figures at once; a
change made by another worker shows within the TTL. The page says when its figures were counted.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import astuple
from datetime import datetime

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from handover.accounts.models import User
from handover.core.events import defect_recorded, defect_status_changed
from handover.core.timeutil import now_utc, today_local
from handover.defects.models import Defect, DefectEvent
from handover.defects.queries import DefectFilters

DEFAULT_TTL = 30.0
_MAX_ENTRIES = 512
_WROTE_DEFECTS = "handover_wrote_defects"


class CountsCache:
    """Figures by key, each with the time it was counted; `clear()` forgets them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple, tuple[float, datetime, dict]] = {}

    def get(self, key: tuple, ttl: float, compute: Callable[[], dict]) -> tuple[dict, datetime]:
        now = time.monotonic()
        with self._lock:
            kept = self._entries.get(key)
        if kept is not None and now - kept[0] < ttl:
            return kept[2], kept[1]
        counted_at = now_utc()
        figures = compute()
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (now, counted_at, figures)
        return figures, counted_at

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = CountsCache()


def _scope_key(user: User) -> tuple:
    """Users who see the same defects share figures: staff by batch (the caller checked the batch),
    contractors by company, owners by person."""
    kind = user.scope_kind
    if kind == "contractor":
        return kind, user.contractor_id
    if kind == "owner":
        return kind, user.id
    return (kind,)


def dashboard(user: User, filters: DefectFilters, compute: Callable[[], dict]) -> tuple[dict, datetime]:
    """The dashboard's figures and when they were counted (UTC)."""
    ttl = float(current_app.config.get("DEFECT_COUNTS_TTL", DEFAULT_TTL))
    if ttl <= 0:
        return compute(), now_utc()
    key = (current_app.import_name, id(current_app), astuple(filters), _scope_key(user), today_local())
    return _cache.get(key, ttl, compute)


def forget(*_args, **_payload) -> None:
    """Drop every kept figure (a defect changed)."""
    _cache.clear()


defect_recorded.connect(forget, weak=False)
defect_status_changed.connect(forget, weak=False)


# A safety net for writes that announce nothing (an edit of a due date, an import, a test's
# factory): a committed flush that touched a defect or its history drops the figures too.
@event.listens_for(Session, "after_flush")
def _note_defect_writes(session: Session, _flush_context) -> None:
    if session.info.get(_WROTE_DEFECTS):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, (Defect, DefectEvent)):
            session.info[_WROTE_DEFECTS] = True
            return


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop(_WROTE_DEFECTS, False):
        forget()


@event.listens_for(Session, "after_soft_rollback")
def _keep_after_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_WROTE_DEFECTS, None)
