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


def paginate(stmt: sa.Select, page: int, per_page: int) -> Page:
    """Run `stmt` for one page; the count is a separate COUNT over the same filters."""
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, total=total or 0, page=page, per_page=per_page)


def page_body(stmt: sa.Select, page: int, per_page: int) -> dict:
    """The API's `{items, total, page, per_page}` envelope."""
    result = paginate(stmt, page, per_page)
    return {"items": result.items, "total": result.total, "page": result.page, "per_page": result.per_page}
