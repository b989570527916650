"""Read side of cases, always scoped to what the user may see (another owner's case is 404)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from handover.accounts.models import User
from handover.accounts.permissions import can
from handover.cases import rules
from handover.cases.models import Case, CaseEvent, CaseKind, CaseStatus
from handover.core.errors import NotFound
from handover.core.scoping import NOTHING, Scope, only_if
from handover.core.timeutil import now_utc
from handover.extensions import db
from handover.projects.queries import in_owned_units, in_visible_batches

OPEN = [s for s in CaseStatus if s not in (CaseStatus.RESOLVED, CaseStatus.CLOSED)]


def _owner_rule(user: User):
    return sa.or_(in_owned_units(Case.unit_id)(user), Case.owner_id == user.owner_id)


scope_cases = Scope("cases", default=only_if(lambda user: can(user, "cases.view"), in_visible_batches(Case.batch_id)),
                    by_kind={"owner": _owner_rule, "contractor": NOTHING})


def overdue_clause(now: datetime):
    """A case whose committed time has passed unmet (the SQL twin of rules.breach_of)."""
    return sa.and_(Case.status.in_(OPEN), sa.or_(
        sa.and_(Case.status == CaseStatus.NEW, Case.acknowledge_by < now), Case.resolve_by < now))


@dataclass(frozen=True)
class CaseFilters:
    batch_id: int | None = None
    status: str | None = None
    kind: str | None = None
    overdue: bool | None = None
    unit_id: int | None = None
    escalated: bool | None = None


def list_cases(user: User, filters: CaseFilters = CaseFilters(), *, now: datetime | None = None,
               limit: int = 500) -> list[Case]:
    """Cases the user may see; overdue ones first, then the newest."""
    now = now or now_utc()
    stmt = scope_cases(sa.select(Case), user).options(selectinload(Case.unit), selectinload(Case.area))
    if filters.batch_id:
        stmt = stmt.where(Case.batch_id == filters.batch_id)
    if filters.unit_id:
        stmt = stmt.where(Case.unit_id == filters.unit_id)
    if filters.status == "open":
        stmt = stmt.where(Case.status.in_(OPEN))
    elif filters.status:
        stmt = stmt.where(Case.status == CaseStatus(filters.status))
    if filters.kind:
        stmt = stmt.where(Case.kind == CaseKind(filters.kind))
    if filters.overdue is True:
        stmt = stmt.where(overdue_clause(now))
    elif filters.overdue is False:
        stmt = stmt.where(sa.not_(overdue_clause(now)))
    if filters.escalated:
        stmt = stmt.where(Case.escalated_at.is_not(None), Case.status.in_(OPEN))
    overdue_first = sa.case((overdue_clause(now), 0), else_=1)
    return list(db.session.scalars(stmt.order_by(overdue_first, Case.id.desc()).limit(limit)))


def get_case(user: User, case_id: int) -> Case:
    case = db.session.scalar(scope_cases(sa.select(Case).where(Case.id == case_id), user))
    if case is None:
        raise NotFound(_("Case not found."))
    return case


def events_for(case: Case, user: User) -> list[CaseEvent]:
    """The case's history as this user may read it: owners never see internal notes."""
    if user.is_owner:
        return [event for event in case.events if not event.internal]
    return list(case.events)


def breach_now(case: Case, now: datetime | None = None) -> str:
    return rules.breach_of(case.status, case.acknowledge_by, case.resolve_by, now or now_utc())


def case_of_defect(defect_id: str) -> Case | None:
    """The case a defect came from (the link back from the defect)."""
    return db.session.scalar(sa.select(Case).where(Case.defect_id == defect_id))


def owner_has_open_complaint(owner_id: int, session=None) -> bool:
    session = session or db.session
    return bool(session.scalar(sa.select(sa.func.count(Case.id)).where(
        Case.owner_id == owner_id, Case.kind == CaseKind.COMPLAINT, Case.status.in_(OPEN))))


def dashboard(user: User, batch_id: int | None = None, *, now: datetime | None = None) -> dict:
    """Open, overdue, by kind and category, mean hours to acknowledge and resolve, SLA met %."""
    now = now or now_utc()
    cases = list_cases(user, CaseFilters(batch_id=batch_id), now=now, limit=100000)
    open_cases = [c for c in cases if c.is_open]
    overdue = [c for c in open_cases if breach_now(c, now)]
    by_category: dict[str, int] = {}
    for case in open_cases:
        key = case.category or str(case.kind.label)
        by_category[key] = by_category.get(key, 0) + 1

    def hours(start, end):
        return (end - start).total_seconds() / 3600

    acknowledged = [c for c in cases if c.acknowledged_at]
    resolved = [c for c in cases if c.resolved_at]
    finished = [c for c in cases if c.resolved_at or c.breached_at]
    met = [c for c in finished if not c.breached_at]
    return {
        "total": len(cases), "open": len(open_cases), "overdue": len(overdue),
        "escalated": sum(1 for c in open_cases if c.escalated_at),
        "by_kind": {kind.value: sum(1 for c in open_cases if c.kind == kind) for kind in CaseKind},
        "by_category": dict(sorted(by_category.items(), key=lambda item: -item[1])),
        "hours_to_acknowledge": round(sum(hours(c.created_at, c.acknowledged_at) for c in acknowledged)
                                      / len(acknowledged), 1) if acknowledged else None,
        "hours_to_resolve": round(sum(hours(c.created_at, c.resolved_at) for c in resolved) / len(resolved), 1)
        if resolved else None,
        "sla_met_percent": round(100 * len(met) / len(finished)) if finished else None,
    }
