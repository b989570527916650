"""The life-cycle kit every workflow shares: a transition table with guards, one history-row
mixin, "overdue", and the time of an act.

A domain writes its life cycle as data::

    DEFECT = TransitionTable("defect", {
        (S.OPEN, "assign"): S.ASSIGNED,
        ...
    }, labels=ACTION_LABELS, guards={"assign": needs_contractor})

and its history model mixes in ``HistoryMixin`` (actor, at, action, note; each model adds its
``from_status`` / ``to_status`` in its own status type). Nothing here touches the database
session: services do (see ``core.idempotency`` for acts a client may resend).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from handover.core.errors import TransitionNotAllowed, ValidationFailed
from handover.core.timeutil import now_utc, today_local
from handover.core.types import UTCDateTime

StatusT = TypeVar("StatusT", bound=Hashable)

#: a guard looks at the act's input and returns the problems that refuse it (empty: allowed)
Guard = Callable[[Any], list[dict]]


def _label(value: Any) -> str:
    return str(getattr(value, "label", value))


@dataclass(frozen=True)
class TransitionTable(Generic[StatusT]):
    """(status, action) → next status, plus per-action guards, labels and refusal messages.

    `refusals` gives a plainer message for a move that people try often (lending a key that is
    out); any other impossible move gets the generic "not possible while …" message.
    """

    name: str
    moves: Mapping[tuple[StatusT, str], StatusT]
    labels: Mapping[str, Any] = field(default_factory=dict)
    guards: Mapping[str, Guard] = field(default_factory=dict)
    refusals: Mapping[tuple[StatusT, str], Any] = field(default_factory=dict)

    def next(self, current: StatusT, action: str) -> StatusT:
        """The status after `action` from `current`, or TransitionNotAllowed saying what is possible."""
        try:
            return self.moves[(current, action)]
        except KeyError:
            allowed = self.allowed(current)
            message = self.refusals.get((current, action)) or _l(
                "“%(action)s” is not possible while the status is “%(status)s”.",
                action=self.label(action), status=_label(current))
            raise TransitionNotAllowed(str(message), details=[{
                "field": "action",
                "message": str(_l("Possible now: %(actions)s",
                                  actions=", ".join(self.label(a) for a in allowed) or "-")),
                "status": str(getattr(current, "value", current)),
                "allowed": [str(getattr(a, "value", a)) for a in allowed],
            }]) from None

    def can(self, current: StatusT, action: str) -> bool:
        return (current, action) in self.moves

    def allowed(self, current: StatusT) -> list[str]:
        return [action for (status, action) in self.moves if status == current]

    def label(self, action: str) -> str:
        found = self.labels.get(action)
        return str(found if found is not None else _label(action))

    def check(self, action: str, data: Any) -> list[dict]:
        """Problems the action's guard finds in `data` ([] when none, or when it has no guard)."""
        guard = self.guards.get(action)
        return list(guard(data)) if guard else []

    def ensure(self, action: str, data: Any) -> None:
        """Raise ValidationFailed listing every problem the action's guard finds."""
        problems = self.check(action, data)
        if problems:
            raise ValidationFailed(problems[0]["message"], details=problems)

    def move(self, current: StatusT, action: str, data: Any = None) -> StatusT:
        """The whole check of one act: the move must exist (409), then its guard must pass (422)."""
        target = self.next(current, action)
        self.ensure(action, data)
        return target

    def statuses(self) -> set[StatusT]:
        found: set[StatusT] = set()
        for (status, _action), target in self.moves.items():
            found.update((status, target))
        return found


class HistoryMixin:
    """One row per act, appended and never edited: who, when, what, and a note.

    Every history table (defect_events, key_events, and the coming risks, cases, appointments)
    has these columns under these names, so one template, one API schema and one audit query read
    them all. Each model adds its own `from_status` / `to_status` (typed by its own status enum)
    and whatever its domain needs (a counterparty, a signature, the values a step set).

    `at` is when the act happened (a tablet that syncs later sends it, see `act_time`);
    `recorded_at` is when the server wrote it. `idempotency_key` is the client's key for the
    act: a resent act finds its first row and returns that result (see core.idempotency).
    """

    action: Mapped[str] = mapped_column(sa.String(30))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)

    @declared_attr
    def actor_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id"))

    @declared_attr
    def actor_name(cls) -> Mapped[str]:
        return mapped_column(sa.String(80), default="")


def is_overdue(due: date | datetime | None, *, done: bool, today: date | None = None,
               now: datetime | None = None) -> bool:
    """Past its due date (or due time) and not done. The one definition of "overdue".

    A due *date* is overdue from the next local day on (a defect due on the 9th is overdue on the
    10th); a due *time* is overdue the moment it has passed.
    """
    if due is None or done:
        return False
    if isinstance(due, datetime):
        return (now or now_utc()) > due
    return (today or today_local()) > due


def overdue_clause(due, *, done, today: date):
    """`is_overdue` as a SQL condition over a due-date column and a "done" condition."""
    return sa.and_(due.is_not(None), due < today, sa.not_(done))


def act_time(at: datetime | None) -> datetime:
    """When an act happened: the client's `at` (a tablet syncing later), never in the future.

    A naive time is refused (ValidationFailed on "at"): the API sends ISO 8601 with an offset.
    """
    now = now_utc()
    if at is None:
        return now
    if at.tzinfo is None:
        raise ValidationFailed(str(_l("The time of the act needs a time zone.")),
                               details=[{"field": "at", "message": str(_l("The time of the act needs a time zone."))}])
    return min(at, now)
