"""Read side of defects: scoped selects, filters, dashboard counts."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from handover.accounts.models import User
from handover.accounts.permissions import can
from handover.core import lifecycle
from handover.core.errors import NotFound
from handover.core.scoping import Scope, all_of, only_if
from handover.core.timeutil import today_local
from handover.defects.models import CLOSED_STATUSES, Defect, DefectStatus
from handover.defects.rules import OWNER_VISIBLE_STAGES
from handover.extensions import db
from handover.projects.models import Building, Contractor, Unit
from handover.projects.queries import in_owned_units, in_visible_batches


#: What each user may see of defects: staff their projects' defects; contractors their company's;
#: owners their units' defects from the stages they take part in (internal quality checks stay
#: internal). The owner's pages, API, portal and documents all go through this one function.
scope_defects = Scope("defects", default=only_if(lambda user: can(user, "defects.view_lists"),
                                                  in_visible_batches(Defect.batch_id)), by_kind={
    "owner": all_of(in_owned_units(Defect.unit_id), lambda user: Defect.stage.in_(list(OWNER_VISIBLE_STAGES))),
    "contractor": lambda user: Defect.contractor_id == user.contractor_id,
})


@dataclass(frozen=True)
class DefectFilters:
    batch_id: int | None = None
    unit_id: int | None = None
    building_id: int | None = None
    status: DefectStatus | None = None
    contractor_id: int | None = None
    category: str | None = None
    room: str | None = None
    stage: str | None = None
    overdue: bool | None = None
    quick_fix: bool | None = None

    def apply(self, stmt: sa.Select, today: date) -> sa.Select:
        for column, value in ((Defect.batch_id, self.batch_id), (Defect.unit_id, self.unit_id),
                              (Defect.building_id, self.building_id), (Defect.status, self.status),
                              (Defect.contractor_id, self.contractor_id), (Defect.category, self.category),
                              (Defect.room, self.room), (Defect.stage, self.stage),
                              (Defect.quick_fix, self.quick_fix)):
            if value is not None and value != "":
                stmt = stmt.where(column == value)
        if self.overdue is True:
            stmt = stmt.where(overdue_clause(today))
        elif self.overdue is False:
            stmt = stmt.where(sa.not_(overdue_clause(today)))
        return stmt


def overdue_clause(today: date, table=None):
    """defects.rules.is_overdue as SQL (over the Defect table, or a subquery of it)."""
    columns = table.c if table is not None else Defect
    return lifecycle.overdue_clause(columns.due_date, done=columns.status.in_([s.value for s in CLOSED_STATUSES]),
                                    today=today)


def defects_query(user: User, filters: DefectFilters) -> sa.Select:
    """Defects in the user's scope matching the filters, newest first, with unit and contractor loaded."""
    stmt = (sa.select(Defect)
            .options(joinedload(Defect.unit).joinedload(Unit.building), joinedload(Defect.contractor))
            .order_by(Defect.created_at.desc(), Defect.id))
    return scope_defects(filters.apply(stmt, today_local()), user)


def count_defects(user: User, filters: DefectFilters) -> int:
    """How many defects `defects_query` would list: one COUNT, no sort, no joins."""
    stmt = scope_defects(filters.apply(sa.select(sa.func.count()).select_from(Defect), today_local()), user)
    return db.session.scalar(stmt) or 0


def get_defect(user: User, defect_id: str, *, for_update: bool = False) -> Defect:
    stmt = (sa.select(Defect).where(Defect.id == str(defect_id))
            .options(joinedload(Defect.unit).joinedload(Unit.building), joinedload(Defect.contractor),
                     selectinload(Defect.events), selectinload(Defect.photos)))
    if for_update:
        stmt = stmt.with_for_update(of=Defect)
    defect = db.session.scalar(scope_defects(stmt, user))
    if defect is None:
        raise NotFound(_("Defect not found."))
    return defect


def unit_defects(unit_id: int) -> list[Defect]:
    stmt = (sa.select(Defect).where(Defect.unit_id == unit_id)
            .options(joinedload(Defect.contractor), selectinload(Defect.photos))
            .order_by(Defect.created_at))
    return list(db.session.scalars(stmt))


def defects_of_units(user: User, unit_ids: list[int]) -> dict[int, list[Defect]]:
    """Each unit's defects that `user` may see, oldest first, with contractor and photos: the rows
    of the unit's defect list, on the owner's portal and in the printed list alike."""
    stmt = scope_defects(sa.select(Defect).where(Defect.unit_id.in_(unit_ids))
                         .options(joinedload(Defect.contractor), selectinload(Defect.photos))
                         .order_by(Defect.unit_id, Defect.created_at, Defect.id), user)
    grouped: dict[int, list[Defect]] = {unit_id: [] for unit_id in unit_ids}
    for defect in db.session.scalars(stmt):
        grouped[defect.unit_id].append(defect)
    return grouped


def owner_unit_defects(user: User, unit_id: int) -> list[Defect]:
    """The defects of one unit that its owner may see, oldest first, with photos."""
    return defects_of_units(user, [unit_id])[unit_id]


def dashboard(user: User, filters: DefectFilters) -> dict:
    """Counts by status, category, room, building and contractor; overdue; rework rate; quick fixes.

    One grouped query per breakdown over the defect table alone: batch and building ids live on
    the defect row and each breakdown has a covering index, so it stays fast on 100,000 defects.
    """
    today = today_local()
    base = scope_defects(filters.apply(sa.select(Defect), today), user).subquery()

    def grouped(column):
        rows = db.session.execute(sa.select(column, sa.func.count()).select_from(base)
                                  .group_by(column).order_by(sa.func.count().desc())).all()
        return [(key, count) for key, count in rows]

    totals = db.session.execute(sa.select(
        sa.func.count(),
        sa.func.sum(sa.case((overdue_clause(today, base), 1), else_=0)),
        sa.func.sum(sa.case((base.c.rework_count > 0, 1), else_=0)),
        sa.func.sum(sa.case((sa.or_(base.c.status.in_(["fixed", "verified"]), base.c.rework_count > 0), 1),
                            else_=0)),
        sa.func.sum(sa.case((base.c.quick_fix.is_(True), 1), else_=0)),
    ).select_from(base)).one()
    total, overdue, reworked, repaired, quick = (int(v or 0) for v in totals)
    by_status = {DefectStatus(key): count for key, count in grouped(base.c.status)}
    contractor_names = dict(db.session.execute(sa.select(Contractor.id, Contractor.name)).all())
    building_names = dict(db.session.execute(sa.select(Building.id, Building.name)).all())
    return {
        "total": total,
        "overdue": overdue,
        "quick_fix": quick,
        "reworked": reworked,
        #: share of repaired defects that failed re-inspection at least once (二次返修)
        "rework_rate": reworked / repaired if repaired else 0.0,
        "by_status": [(status, by_status.get(status, 0)) for status in DefectStatus],
        "by_category": grouped(base.c.category),
        "by_room": grouped(base.c.room),
        "by_building": [(key, building_names.get(key, key), n) for key, n in grouped(base.c.building_id)],
        "by_contractor": [(key, contractor_names.get(key) if key else None, n)
                          for key, n in grouped(base.c.contractor_id)],
    }
