"""Read side of risks: the register, readiness per batch or building, the gate's blockers for a
unit, promises for a unit's walk-through, the statements library, public areas and transfers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from handover.accounts.models import User
from handover.core.errors import NotFound
from handover.core.lifecycle import is_overdue
from handover.core.timeutil import today_local
from handover.defects.models import CLOSED_STATUSES, Defect
from handover.extensions import db
from handover.projects import queries as project_queries
from handover.projects.models import Batch, Building, Unit
from handover.risks import rules
from handover.risks.models import (
    DECIDED_STATUSES,
    BuildingTransfer,
    Promise,
    PromiseCheck,
    PromiseScope,
    PublicArea,
    Risk,
    RiskCategory,
    RiskSeverity,
    RiskStatus,
    SelfCheck,
)


def risk_overdue(risk: Risk, today: date | None = None) -> bool:
    """A rectification plan past its deadline while the risk is still undecided."""
    return is_overdue(risk.due_date, done=risk.status in DECIDED_STATUSES, today=today or today_local())


# --- one record, in the user's scope ----------------------------------------------------------

def get_risk(user: User, risk_id: int) -> Risk:
    risk = db.session.get(Risk, risk_id)
    if risk is None:
        raise NotFound(_("Risk not found."))
    project_queries.get_batch(user, risk.batch_id)  # scope: 404 outside it
    return risk


def get_self_check(user: User, check_id: int) -> SelfCheck:
    check = db.session.get(SelfCheck, check_id)
    if check is None:
        raise NotFound(_("Self-check not found."))
    project_queries.get_batch(user, check.batch_id)
    return check


def get_promise(user: User, promise_id: int) -> Promise:
    promise = db.session.get(Promise, promise_id)
    if promise is None:
        raise NotFound(_("Promise not found."))
    project_queries.get_batch(user, promise.batch_id)
    return promise


def get_area(user: User, area_id: int) -> PublicArea:
    area = db.session.get(PublicArea, area_id)
    if area is None:
        raise NotFound(_("Public area not found."))
    project_queries.get_batch(user, area.batch_id)
    return area


def get_building(user: User, building_id: int) -> Building:
    building = db.session.get(Building, building_id)
    if building is None:
        raise NotFound(_("Building not found."))
    project_queries.get_batch(user, building.batch_id)
    return building


# --- the register ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RiskFilters:
    building_id: int | None = None
    status: RiskStatus | None = None
    category: RiskCategory | None = None
    severity: RiskSeverity | None = None
    overdue: bool | None = None
    q: str | None = None


def risks_of(batch_id: int, filters: RiskFilters = RiskFilters()) -> list[Risk]:
    """A batch's risks, most severe and oldest first. A building filter keeps batch-wide risks too
    (they cover every building)."""
    stmt = sa.select(Risk).where(Risk.batch_id == batch_id).options(selectinload(Risk.building))
    if filters.building_id:
        stmt = stmt.where(sa.or_(Risk.building_id == filters.building_id, Risk.building_id.is_(None)))
    for column, value in ((Risk.status, filters.status), (Risk.category, filters.category),
                          (Risk.severity, filters.severity)):
        if value:
            stmt = stmt.where(column == value)
    if filters.q:
        like = f"%{filters.q.strip()}%"
        stmt = stmt.where(sa.or_(Risk.title.ilike(like), Risk.description.ilike(like)))
    order = {s: i for i, s in enumerate(rules.severity_order())}
    risks = sorted(db.session.scalars(stmt), key=lambda r: (order[r.severity], r.category.value, r.id))
    if filters.overdue is not None:
        today = today_local()
        risks = [r for r in risks if risk_overdue(r, today) == filters.overdue]
    return risks


def covers(risk: Risk, unit: Unit) -> bool:
    return risk.batch_id == unit.batch_id and risk.building_id in (None, unit.building_id)


# --- the handover gate ------------------------------------------------------------------------

def readiness_blockers(unit: Unit) -> list[dict]:
    """Why this unit may not be handed over yet, as far as risks go: every blocking risk covering
    its batch or building that is neither resolved nor accepted, unless a manager overrode it.
    Each item has the gate code "readiness" (the handovers gate lists them with its own)."""
    stmt = (sa.select(Risk).where(Risk.batch_id == unit.batch_id, Risk.severity == RiskSeverity.BLOCKING,
                                  Risk.status.not_in(list(DECIDED_STATUSES)), Risk.override_at.is_(None),
                                  sa.or_(Risk.building_id.is_(None), Risk.building_id == unit.building_id))
            .order_by(Risk.id))
    return [{"code": "readiness", "risk_id": risk.id, "title": risk.title,
             "message": _("Blocking risk not resolved or accepted: %(title)s", title=risk.title)}
            for risk in db.session.scalars(stmt)]


# --- the self-check --------------------------------------------------------------------------

def latest_self_check(batch_id: int, building_id: int | None = None) -> SelfCheck | None:
    """The newest self-check of the building, else the newest of the whole batch."""
    base = sa.select(SelfCheck).where(SelfCheck.batch_id == batch_id).order_by(SelfCheck.started_at.desc(),
                                                                               SelfCheck.id.desc())
    if building_id:
        found = db.session.scalar(base.where(SelfCheck.building_id == building_id).limit(1))
        if found is not None:
            return found
    return db.session.scalar(base.where(SelfCheck.building_id.is_(None)).limit(1))


def self_checks_of(batch_id: int) -> list[SelfCheck]:
    return list(db.session.scalars(sa.select(SelfCheck).where(SelfCheck.batch_id == batch_id)
                                   .order_by(SelfCheck.started_at.desc(), SelfCheck.id.desc())))


def check_progress(check: SelfCheck | None) -> dict[RiskCategory, dict]:
    return rules.category_progress({a.question: a.answer for a in check.answers} if check else {})


# --- promises --------------------------------------------------------------------------------

def promise_covers(promise: Promise, unit: Unit) -> bool:
    if promise.batch_id != unit.batch_id:
        return False
    if not promise.scopes:
        return True
    return any(s.unit_id == unit.id or s.building_id == unit.building_id for s in promise.scopes)


def promises_of(batch_id: int) -> list[Promise]:
    return list(db.session.scalars(sa.select(Promise).where(Promise.batch_id == batch_id)
                                   .options(selectinload(Promise.scopes)).order_by(Promise.id)))


def promises_for_unit(unit: Unit) -> list[dict]:
    """The promises the unit's walk-through checks, each with its latest check in this unit (or None).
    The handover-stage checklist shows them as items of their own."""
    in_scope = sa.or_(~Promise.scopes.any(),
                      Promise.scopes.any(sa.or_(PromiseScope.unit_id == unit.id,
                                                PromiseScope.building_id == unit.building_id)))
    promises = list(db.session.scalars(sa.select(Promise).where(Promise.batch_id == unit.batch_id, in_scope)
                                       .order_by(Promise.id)))
    checks = latest_promise_checks([unit.id])
    return [{"promise": p, "check": checks.get((unit.id, p.id))} for p in promises]


def latest_promise_checks(unit_ids: list[int]) -> dict[tuple[int, int], PromiseCheck]:
    rows = db.session.scalars(sa.select(PromiseCheck).where(PromiseCheck.unit_id.in_(unit_ids))
                              .order_by(PromiseCheck.checked_at, PromiseCheck.id))
    return {(c.unit_id, c.promise_id): c for c in rows}


def scope_label(promise: Promise) -> str:
    if not promise.scopes:
        return _("Whole batch")
    names = []
    for scope in promise.scopes:
        if scope.building_id:
            names.append(_("Building %(name)s", name=db.session.get(Building, scope.building_id).name))
        else:
            names.append(db.session.get(Unit, scope.unit_id).label)
    return ", ".join(names)


def promise_coverage(batch_id: int, building_id: int | None = None) -> dict:
    """How many (unit, promise) pairs are due a check, how many were checked, how many not kept."""
    units = list(db.session.scalars(_units_stmt(batch_id, building_id)))
    promises = promises_of(batch_id)
    checks = latest_promise_checks([u.id for u in units]) if units else {}
    due = [(u.id, p.id) for u in units for p in promises if promise_covers(p, u)]
    checked = [checks[pair] for pair in due if pair in checks]
    return {"promises": len(promises), "due": len(due), "checked": len(checked),
            "not_kept": sum(1 for c in checked if not c.kept)}


def _units_stmt(batch_id: int, building_id: int | None) -> sa.Select:
    stmt = sa.select(Unit).where(Unit.batch_id == batch_id)
    return stmt.where(Unit.building_id == building_id) if building_id else stmt


# --- statements, public areas, transfers -----------------------------------------------------

def statements(batch_id: int, q: str | None = None) -> list[Risk]:
    """Accepted risks with their agreed statements, for staff on handover day."""
    stmt = (sa.select(Risk).where(Risk.batch_id == batch_id, Risk.status == RiskStatus.ACCEPTED)
            .options(selectinload(Risk.building)).order_by(Risk.category, Risk.id))
    if q and q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(sa.or_(Risk.title.ilike(like), Risk.statement.ilike(like),
                                 Risk.description.ilike(like)))
    return list(db.session.scalars(stmt))


def areas_of(batch_id: int) -> list[dict]:
    """Public areas with their open-defect counts."""
    areas = list(db.session.scalars(sa.select(PublicArea).where(PublicArea.batch_id == batch_id)
                                    .options(selectinload(PublicArea.building))
                                    .order_by(PublicArea.building_id.is_not(None), PublicArea.building_id,
                                              PublicArea.name)))
    counts = dict(db.session.execute(
        sa.select(Defect.area_id, sa.func.count()).where(Defect.area_id.in_([a.id for a in areas]),
                                                         Defect.status.not_in(list(CLOSED_STATUSES)))
        .group_by(Defect.area_id)).all()) if areas else {}
    return [{"area": a, "open_defects": counts.get(a.id, 0)} for a in areas]


def area_defects(area_id: int) -> list[Defect]:
    return list(db.session.scalars(sa.select(Defect).where(Defect.area_id == area_id)
                                   .order_by(Defect.created_at.desc(), Defect.id)))


def open_area_defects(batch_id: int, building_id: int | None = None) -> int:
    stmt = (sa.select(sa.func.count()).select_from(Defect).join(PublicArea, Defect.area_id == PublicArea.id)
            .where(PublicArea.batch_id == batch_id, Defect.status.not_in(list(CLOSED_STATUSES))))
    if building_id:
        stmt = stmt.where(PublicArea.building_id == building_id)
    return db.session.scalar(stmt) or 0


def transfers_of(batch: Batch, building_id: int | None = None) -> list[dict]:
    """Per building: its transfer (or None), the latest day it is due, and whether it is late."""
    buildings = [b for b in project_queries.buildings_of(batch) if not building_id or b.id == building_id]
    found = {t.building_id: t for t in db.session.scalars(
        sa.select(BuildingTransfer).where(BuildingTransfer.batch_id == batch.id)
        .options(selectinload(BuildingTransfer.open_items)))}
    due_by = rules.latest_transfer_date(batch.window_start)
    today = today_local()
    rows = []
    for building in buildings:
        transfer = found.get(building.id)
        late = (rules.is_transfer_late(transfer.transferred_on, batch.window_start) if transfer
                else due_by is not None and today > due_by)
        rows.append({"building": building, "transfer": transfer, "due_by": due_by, "late": late})
    return rows


def transfer_of(building_id: int) -> BuildingTransfer:
    transfer = db.session.scalar(sa.select(BuildingTransfer).where(BuildingTransfer.building_id == building_id))
    if transfer is None:
        raise NotFound(_("This building has not been transferred yet."))
    return transfer


def protection_duty(building_id: int, on: date) -> str:
    """Who protects finished work on a day (art. 10.2): "contractor" before the building's
    transfer, "property_company" from the transfer day on."""
    transferred_on = db.session.scalar(sa.select(BuildingTransfer.transferred_on)
                                       .where(BuildingTransfer.building_id == building_id))
    return "property_company" if transferred_on is not None and on >= transferred_on else "contractor"


# --- readiness -------------------------------------------------------------------------------

def readiness(batch: Batch, building_id: int | None = None) -> dict:
    """Is the batch (or one building) ready to hand over, and if not, why not.

    Not ready while a blocking risk is neither resolved nor accepted (nor overridden), a high
    risk has no decision yet, a category of the self-check is unanswered, or a building has not
    been transferred to the property company. Overdue plans, a late transfer, promises found
    not kept and open public-area defects are warnings.
    """
    risks = risks_of(batch.id, RiskFilters(building_id=building_id))
    today = today_local()
    check = latest_self_check(batch.id, building_id)
    progress = check_progress(check)
    transfers = transfers_of(batch, building_id)
    promises = promise_coverage(batch.id, building_id)
    blocking = [r for r in risks if rules.is_blocking_open(r.severity, r.status, r.is_overridden)]
    undecided = [r for r in risks if rules.needs_decision(r.severity, r.status) and r not in blocking]
    unchecked = [c for c, p in progress.items() if not p["checked"]]
    untransferred = [row["building"] for row in transfers if row["transfer"] is None]
    reasons = [_("Blocking risk not resolved or accepted: %(title)s", title=r.title) for r in blocking]
    reasons += [_("High risk without a decision: %(title)s", title=r.title) for r in undecided]
    if unchecked:
        reasons.append(_("Self-check categories not checked: %(list)s", list=", ".join(c.value for c in unchecked)))
    reasons += [_("Building %(name)s not transferred to the property company", name=b.name)
                for b in untransferred]
    overdue = [r for r in risks if risk_overdue(r, today)]
    area_open = open_area_defects(batch.id, building_id)
    warnings = [_("Rectification plan overdue: %(title)s", title=r.title) for r in overdue]
    warnings += [_("Transfer of building %(name)s is later than 20 days before the handover window",
                   name=row["building"].name) for row in transfers if row["late"]]
    if promises["not_kept"]:
        warnings.append(_("%(n)d promise checks found the promise not kept", n=promises["not_kept"]))
    if area_open:
        warnings.append(_("%(n)d public-area defects still open", n=area_open))
    return {
        "batch_id": batch.id, "building_id": building_id, "ready": not reasons, "reasons": reasons,
        "warnings": warnings, "self_check_id": check.id if check else None,
        "blocking": [{"risk_id": r.id, "title": r.title} for r in blocking],
        "overridden": [{"risk_id": r.id, "title": r.title, "reason": r.override_reason}
                       for r in risks if r.is_overridden and not r.is_decided],
        "risks": {s.value: sum(1 for r in risks if r.status == s) for s in RiskStatus},
        "by_severity": {sev.value: {s.value: sum(1 for r in risks if r.severity == sev and r.status == s)
                                    for s in RiskStatus} for sev in rules.severity_order()},
        "categories": [{"category": c.value, "label": c.label, **p} for c, p in progress.items()],
        "promises": promises,
        "transfers": [{"building_id": row["building"].id, "building": row["building"].name,
                       "transferred_on": row["transfer"].transferred_on if row["transfer"] else None,
                       "due_by": row["due_by"], "late": row["late"]} for row in transfers],
        "transfer_done": not untransferred,
        "public_area_defects_open": area_open,
        "overdue_plans": len(overdue),
    }
