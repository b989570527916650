"""Read side of defects: scoped selects, filters, dashboard counts."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from handover.accounts.models import User
from handover.accounts.permissions import can
from handover.core.errors import NotFound
from handover.core.timeutil import today_local
from handover.defects.models import CLOSED_STATUSES, Defect, DefectStatus
from handover.defects.rules import OWNER_VISIBLE_STAGES
from handover.extensions import db
from handover.projects.models import Batch, Building, Contractor, Unit
from handover.projects.queries import owned_unit_ids, visible_project_ids


def scope_defects(stmt: sa.Select, user: User) -> sa.Select:
    """Staff: their projects; contractors: their company's defects; owners: their units' defects
    from the stages they take part in (internal quality checks stay internal)."""
    if user.is_owner:
        return stmt.where(Defect.unit_id.in_(owned_unit_ids(user.owner_id)),
                          Defect.stage.in_(list(OWNER_VISIBLE_STAGES)))
    if user.is_contractor:
        return stmt.where(Defect.contractor_id == user.contractor_id)
    if not can(user, "defects.view_lists"):
        return stmt.where(sa.false())
    ids = visible_project_ids(user)
    if ids is None:
        return stmt
    return stmt.where(Defect.batch_id.in_(sa.select(Batch.id).where(Batch.project_id.in_(ids))))


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


def overdue_clause(today: date):
    return sa.and_(Defect.due_date.is_not(None), Defect.due_date < today, Defect.status.not_in(CLOSED_STATUSES))


def defects_query(user: User, filters: DefectFilters) -> sa.Select:
    """Defects in the user's scope matching the filters, newest first, with unit and contractor loaded."""
    stmt = (sa.select(Defect)
            .options(joinedload(Defect.unit).joinedload(Unit.building), joinedload(Defect.contractor))
            .order_by(Defect.created_at.desc(), Defect.id))
    return scope_defects(filters.apply(stmt, today_local()), user)


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


def owner_unit_defects(user: User, unit_id: int) -> list[Defect]:
    """The defects of one unit that its owner may see, oldest first, with photos."""
    stmt = scope_defects(sa.select(Defect).where(Defect.unit_id == unit_id)
                         .options(joinedload(Defect.contractor), selectinload(Defect.photos))
                         .order_by(Defect.created_at), user)
    return list(db.session.scalars(stmt))


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
        sa.func.sum(sa.case((sa.and_(base.c.due_date.is_not(None), base.c.due_date < today,
                                     base.c.status.not_in([s.value for s in CLOSED_STATUSES])), 1), else_=0)),
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
