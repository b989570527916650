"""What this user may see: one mechanism for every domain's scoping function.

Each domain keeps its own scoping function (``scope_units``, ``scope_defects``, ``scope_keys``),
used by its pages, API and documents alike, and writes it as data: a ``Scope`` saying, per
kind of user, which condition limits the rows. The shared conditions ("rows of batches in the
staff member's projects", "rows of the owner's units") live with the data they filter
(``projects.queries``); this module knows no domain and no role.

    scope_keys = Scope("keys", default=only_if(may_see_keys, in_visible_batches(Key.batch_id)),
                       by_kind={"owner": in_owned_units(Key.unit_id), "contractor": NOTHING})
    stmt = scope_keys(sa.select(Key), user)
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

#: a condition for one user: a SQL boolean limiting the rows, or None for "no limit"
RowRule = Callable[[Any], ColumnElement[bool] | None]


def NOTHING(user: Any) -> ColumnElement[bool]:  # reads as a constant
    """This kind of user sees none of these rows."""
    return sa.false()


def EVERYTHING(user: Any) -> None:  # reads as a constant
    """No limit."""


def all_of(*rules: RowRule) -> RowRule:
    """Every rule must hold (an owner sees their units' defects AND only from owner stages)."""

    def rule(user: Any) -> ColumnElement[bool] | None:
        clauses = [clause for clause in (r(user) for r in rules) if clause is not None]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else sa.and_(*clauses)

    return rule


def only_if(may: Callable[[Any], bool], rule: RowRule) -> RowRule:
    """`rule` for a user who `may` see these rows at all (a permission), nothing otherwise."""
    return lambda user: rule(user) if may(user) else sa.false()


@dataclass(frozen=True)
class Scope:
    """A domain's visibility rule: a condition per kind of user (`user.scope_kind`: "owner",
    "contractor", "staff"; see accounts.models.User), else `default`."""

    name: str
    default: RowRule
    by_kind: Mapping[Hashable, RowRule] = field(default_factory=dict)

    def clause(self, user: Any) -> ColumnElement[bool] | None:
        """The condition limiting what `user` sees (None: everything)."""
        rule = self.by_kind.get(getattr(user, "scope_kind", None), self.default)
        return rule(user)

    def __call__(self, stmt: sa.Select, user: Any) -> sa.Select:
        """`stmt` limited to the rows `user` may see."""
        clause = self.clause(user)
        return stmt if clause is None else stmt.where(clause)
