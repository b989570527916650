"""Acts a client may resend: the same idempotency key returns the first result, never acts twice.

A tablet on a weak signal resends a request whose answer it never got. Each act that may be
resent stores the client's key on the row the act writes (a nullable, unique
``idempotency_key`` column: every ``HistoryMixin`` table has one, and so does any table such as
payments that records an act). ``once`` then makes the act idempotent::

    event, done_now = once(KeyEvent, key, act=lambda: _record(...), same=lambda e: e.key_id == key.id)

- no key: the act runs (nothing to compare with);
- a row with that key exists: it is the answer, the act does not run again (``same`` checks that
  the key was used for this very act, else Conflict);
- two resends race: the act runs in a savepoint; the loser's insert hits the unique column,
  its savepoint is rolled back and it answers with the winner's row.

Domain events are announced inside ``act``, so a replay announces nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from handover.core.errors import Conflict, ValidationFailed

RowT = TypeVar("RowT")

MAX_KEY_LENGTH = 80


def clean_key(key: str | None) -> str | None:
    """The key as stored: stripped, None when empty; too long or unprintable keys are refused."""
    if key is None:
        return None
    key = str(key).strip()
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        message = str(_l("An idempotency key is at most %(n)s printable characters.", n=MAX_KEY_LENGTH))
        raise ValidationFailed(message, details=[{"field": "idempotency_key", "message": message}])
    return key


def find(model: type[RowT], key: str, *, session=None) -> RowT | None:
    """The row an earlier act with this key wrote, if any."""
    session = session or _session()
    return session.scalar(sa.select(model).where(model.idempotency_key == key)
                          .execution_options(populate_existing=True))


def once(model: type[RowT], key: str | None, *, act: Callable[[], RowT], same: Callable[[RowT], bool] | None = None,
         session=None) -> tuple[RowT, bool]:
    """Run `act` unless an act with `key` already wrote a `model` row; returns (result, acted).

    `act` writes the row (with ``idempotency_key=key``) and returns it; on a replay the earlier
    row is returned instead. `same(row)` says whether the earlier row belongs to this act (same
    defect, same key): a key reused for another act is a Conflict.
    """
    key = clean_key(key)
    if key is None:
        return act(), True
    session = session or _session()
    earlier = find(model, key, session=session)
    if earlier is not None:
        return _answer(earlier, same), False
    try:
        with session.begin_nested():
            result = act()
            session.flush()
    except IntegrityError:
        earlier = find(model, key, session=session)
        if earlier is None:
            raise
        return _answer(earlier, same), False
    return result, True


def _answer(earlier, same):
    if same is not None and not same(earlier):
        raise Conflict(str(_l("This idempotency key was already used for another request.")),
                       details=[{"field": "idempotency_key",
                                 "message": str(_l("Use a new key for each new request."))}])
    return earlier


def _session():
    from handover.extensions import db  # the app's session; core models import it the same way

    return db.session
