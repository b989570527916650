"""The life-cycle kit every workflow shares: a transition table with guards, one history-row
mixin, "overdue", and idempotent acts.

A domain writes its life cycle as data::

    DEFECT = TransitionTable("defect", {
        (S.OPEN, "assign"): S.ASSIGNED,
        ...
    }, labels=ACTION_LABELS, guards={"assign": needs_contractor})

and its history model mixes in ``HistoryMixin`` (actor, at, action, note, from → to). Nothing
here touches the database session: services do.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from handover.core.errors import TransitionNotAllowed
from handover.core.timeutil import now_utc
from handover.core.types import UTCDateTime

StatusT = TypeVar("StatusT", bound=Hashable)

#: a guard looks at the act's input and returns the problems that refuse it (empty: allowed)
Guard = Callable[[Any], list[dict]]


def _label(value: Any) -> str:
    return str(getattr(value, "label", value))


@dataclass(frozen=True)
class TransitionTable(Generic[StatusT]):
    """(status, action) → next status, plus per-action guards and labels for messages."""

    name: str
    moves: Mapping[tuple[StatusT, str], StatusT]
    labels: Mapping[str, Any] = field(default_factory=dict)
    guards: Mapping[str, Guard] = field(default_factory=dict)

    def next(self, current: StatusT, action: str) -> StatusT:
        """The status after `action` from `current`, or TransitionNotAllowed saying what is possible."""
        try:
            return self.moves[(current, action)]
        except KeyError:
            raise TransitionNotAllowed(
                str(_l("“%(action)s” is not possible while the status is “%(status)s”.",
                       action=self.label(action), status=_label(current))),
                details=[{"field": "action", "message": str(_l("Possible now: %(actions)s",
                          actions=", ".join(self.label(a) for a in self.allowed(current)) or "-"))}],
            ) from None

    def allowed(self, current: StatusT) -> list[str]:
        return [action for (status, action) in self.moves if status == current]

    def label(self, action: str) -> str:
        return str(self.labels.get(action, action))

    def check(self, action: str, data: Any) -> list[dict]:
        """Problems the action's guard finds in `data` ([] when none, or when it has no guard)."""
        guard = self.guards.get(action)
        return list(guard(data)) if guard else []

    def statuses(self) -> set[StatusT]:
        found: set[StatusT] = set()
        for (status, _action), target in self.moves.items():
            found.update((status, target))
        return found


class HistoryMixin:
    """One row per act, appended and never edited: who, when, what, from → to, and a note.

    `at` is when the act happened (a tablet that syncs later sends it); `recorded_at` is when the
    server wrote it. `idempotency_key` makes a resent act return the first result.
    """

    action: Mapped[str] = mapped_column(sa.String(30))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    @declared_attr
    def actor_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id"))

    @declared_attr
    def actor_name(cls) -> Mapped[str]:
        return mapped_column(sa.String(80), default="")


def is_overdue(due: date | datetime | None, *, done: bool, today: date | None = None,
               now: datetime | None = None) -> bool:
    """Past its due date (or due time) and not done. The one definition of "overdue"."""
    if due is None or done:
        return False
    if isinstance(due, datetime):
        return (now or now_utc()) > due
    from handover.core.timeutil import today_local

    return (today or today_local()) > due


def act_time(at: datetime | None) -> datetime:
    """When an act happened: the client's `at` (a tablet syncing later), never in the future."""
    now = now_utc()
    if at is None:
        return now
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    return min(at, now)
