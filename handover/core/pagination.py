"""A small page-of-results value used by pages and the API alike."""
from dataclasses import dataclass
from math import ceil

import sqlalchemy as sa

from handover.extensions import db

#: no list has this many pages; a bigger page number would overflow the OFFSET
MAX_PAGE = 10**7
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def count_of(stmt: sa.Select) -> sa.Select:
    """COUNT of the rows `stmt` returns, without its sort. The inner select keeps its FROM, joins
    and WHERE but returns a constant, so an index on the filtered columns can answer it alone
    (selecting every column of a 100,000-row table made SQLite read each row: 55 ms → 3 ms)."""
    inner = stmt.order_by(None)
    if not (inner._distinct or inner._group_by_clauses or inner._having_criteria or inner._limit_clause is not None
            or inner._offset_clause is not None):
        inner = inner.with_only_columns(sa.literal_column("1"), maintain_column_froms=True)
    return sa.select(sa.func.count()).select_from(inner.subquery())


def paginate(stmt: sa.Select, page: int, per_page: int) -> Page:
    """Run `stmt` for one page; the count is a separate COUNT over the same filters."""
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    total = db.session.scalar(count_of(stmt))
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, total=total or 0, page=page, per_page=per_page)


def page_body(stmt: sa.Select, page: int, per_page: int) -> dict:
    """The API's `{items, total, page, per_page}` envelope."""
    result = paginate(stmt, page, per_page)
    return {"items": result.items, "total": result.total, "page": result.page, "per_page": result.per_page}
