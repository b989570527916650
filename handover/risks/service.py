"""Risk use cases: record a risk, move it through its life cycle, the guided self-check, sales
promises and their checks, public areas, and the transfer of a building to the property company.

Services flush and never commit; the page or API handler commits once.
"""
from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from handover.accounts.models import User
from handover.accounts.permissions import ensure
from handover.core import storage
from handover.core.errors import Conflict, NotPermitted, ValidationFailed
from handover.core.events import announce, building_transferred, risk_status_changed
from handover.core.timeutil import now_utc, today_local
from handover.extensions import db
from handover.projects.models import Batch, Building, Unit
from handover.risks import rules
from handover.risks.models import (
    AreaKind,
    BuildingTransfer,
    CheckAnswer,
    Promise,
    PromiseCheck,
    PromiseScope,
    PromiseSource,
    PublicArea,
    Risk,
    RiskCategory,
    RiskEvent,
    RiskEvidence,
    RiskSeverity,
    RiskStatus,
    SelfCheck,
    SelfCheckAnswer,
    TransferItem,
)

MAX_EVIDENCE_BYTES = 15 * 1024 * 1024


def _refuse(problems: list[dict]) -> None:
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)


def _building_of(batch: Batch, building_id: int | None, field_name: str = "building_id") -> Building | None:
    if building_id is None:
        return None
    building = db.session.get(Building, building_id)
    if building is None or building.batch_id != batch.id:
        _refuse([{"field": field_name, "message": _("That building is not in this batch.")}])
    return building


def _event(risk: Risk, action: str, actor: User, *, from_status: RiskStatus | None, note: str = "",
           data: dict | None = None) -> RiskEvent:
    event = RiskEvent(risk=risk, action=action, from_status=from_status, to_status=risk.status, note=note or "",
                      actor_id=actor.id, actor_name=actor.name, at=now_utc(), data=data or {})
    db.session.add(event)
    return event


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_("Someone else changed this risk meanwhile. Reload it and try again.")) from None


# --- risks -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewRisk:
    category: RiskCategory
    title: str
    severity: RiskSeverity
    description: str = ""
    department: str = ""
    building_id: int | None = None
    #: the self-check answer ("risk found") this risk was opened from
    answer_id: int | None = None


def record_risk(batch: Batch, data: NewRisk, *, actor: User) -> Risk:
    """Record a risk found in a batch (or one of its buildings); it starts open.

    Raises NotPermitted without `risks.edit`, ValidationFailed for a missing title or a building
    or self-check answer of another batch.
    """
    ensure(actor, "risks.edit")
    _refuse(rules.required(data.title, "title", _("This field is required.")))
    building = _building_of(batch, data.building_id)
    answer = db.session.get(SelfCheckAnswer, data.answer_id) if data.answer_id else None
    if data.answer_id and (answer is None or answer.self_check.batch_id != batch.id):
        _refuse([{"field": "answer_id", "message": _("That self-check answer is not of this batch.")}])
    risk = Risk(batch_id=batch.id, building_id=building.id if building else None, category=data.category,
                title=data.title.strip(), description=(data.description or "").strip(), severity=data.severity,
                department=(data.department or "").strip(), status=RiskStatus.OPEN, found_by_id=actor.id,
                found_by_name=actor.name, found_on=today_local(), created_at=now_utc())
    db.session.add(risk)
    _event(risk, "record", actor, from_status=None, note=risk.title)
    if answer is not None:
        answer.risk = risk
    db.session.flush()
    _announce(risk, "record", None)
    return risk


def act(risk: Risk, data: rules.RiskAct, *, actor: User, version: int | None = None) -> Risk:
    """Apply one life-cycle action (plan, resolve, accept, reopen) and append it to the history.

    Raises NotPermitted (the action's permission; accepting needs `risks.approve` and a second
    person), TransitionNotAllowed (409) from the wrong status, ValidationFailed when a guard
    fails (no plan or deadline, no statement or compensation plan…), Conflict for a stale version.
    """
    if version is not None and version != risk.version:
        raise Conflict(_("Someone else changed this risk meanwhile. Reload it and try again."),
                       details=[{"field": "version", "message": str(risk.version)}])
    ensure(actor, rules.ACTION_PERMISSIONS.get(data.action, "risks.edit"))
    target = rules.RISK.next(risk.status, data.action)
    data = _with_defaults(risk, data, actor)
    _refuse(rules.RISK.check(data.action, data))
    if data.action == "accept":
        problems = rules.second_person_problems(actor.id, reporter_id=risk.found_by_id,
                                                proposer_id=risk.proposed_by_id)
        if problems:
            raise NotPermitted(problems[0]["message"], details=problems)
    previous = risk.status
    changes = _apply(risk, data, actor)
    risk.status = target
    _event(risk, data.action, actor, from_status=previous, note=data.note, data=changes)
    _flush()
    _announce(risk, data.action, previous)
    return risk


def _with_defaults(risk: Risk, data: rules.RiskAct, actor: User) -> rules.RiskAct:
    """Fill what the act may leave out: the plan's owner (the department), the drafted statement."""
    values: dict = {"today": today_local(), "evidence_count": len(risk.evidence)}
    if data.action == "plan" and not data.plan_owner.strip():
        values["plan_owner"] = risk.department or actor.name
    if data.action == "accept":
        values["statement"] = data.statement.strip() or risk.statement
        values["compensation_plan"] = data.compensation_plan.strip() or risk.compensation_plan
    return dataclasses.replace(data, **values)


def _apply(risk: Risk, data: rules.RiskAct, actor: User) -> dict:
    if data.action == "plan":
        risk.plan, risk.plan_owner, risk.due_date = data.plan.strip(), data.plan_owner.strip(), data.due_date
        return {"plan": risk.plan, "plan_owner": risk.plan_owner, "due_date": data.due_date.isoformat()}
    if data.action == "accept":
        risk.statement, risk.compensation_plan = data.statement.strip(), data.compensation_plan.strip()
        risk.approved_by_id, risk.approved_by_name, risk.approved_at = actor.id, actor.name, now_utc()
        return {"statement": risk.statement, "compensation_plan": risk.compensation_plan,
                "approved_by": actor.name}
    if data.action == "reopen":
        cleared = {"override_reason": risk.override_reason} if risk.override_at else {}
        risk.approved_by_id, risk.approved_by_name, risk.approved_at = None, "", None
        risk.override_reason, risk.override_by_name, risk.override_at = "", "", None
        return cleared
    return {}


def _announce(risk: Risk, action: str, previous: RiskStatus | None) -> None:
    announce(risk_status_changed, risk_id=risk.id, batch_id=risk.batch_id, building_id=risk.building_id,
             action=action, from_status=previous.value if previous else None, to_status=risk.status.value,
             severity=risk.severity.value)


def propose_acceptance(risk: Risk, *, statement: str, compensation_plan: str, actor: User) -> Risk:
    """Draft the agreed statement and compensation plan for a manager to approve (status unchanged)."""
    ensure(actor, "risks.edit")
    rules.RISK.next(risk.status, "accept")  # only where acceptance is possible
    _refuse(rules.needs_statement(rules.RiskAct("accept", statement=statement, compensation_plan=compensation_plan)))
    risk.statement, risk.compensation_plan = statement.strip(), compensation_plan.strip()
    risk.proposed_by_id = actor.id
    _event(risk, "propose", actor, from_status=risk.status,
           data={"statement": risk.statement, "compensation_plan": risk.compensation_plan})
    _flush()
    return risk


def override_blocking(risk: Risk, *, reason: str, actor: User) -> Risk:
    """A manager's written decision that this undecided blocking risk does not stop handovers."""
    ensure(actor, "risks.approve")
    _refuse(rules.required(reason, "reason", _("Write down the reason for the override.")))
    if not rules.is_blocking_open(risk.severity, risk.status, risk.is_overridden):
        raise Conflict(_("Only an undecided blocking risk can be overridden."))
    risk.override_reason, risk.override_by_name, risk.override_at = reason.strip(), actor.name, now_utc()
    _event(risk, "override", actor, from_status=risk.status, note=risk.override_reason)
    _flush()
    _announce(risk, "override", risk.status)
    return risk


def add_evidence(risk: Risk, *, filename: str, content: bytes, content_type: str, actor: User) -> RiskEvidence:
    """Attach a photo or a file (at most 15 MB) to a risk; the history notes it."""
    ensure(actor, "risks.edit")
    if not content:
        _refuse([{"field": "file", "message": _("The file is empty.")}])
    if len(content) > MAX_EVIDENCE_BYTES:
        _refuse([{"field": "file", "message": _("The file is larger than 15 MB.")}])
    suffix = PurePosixPath(filename or "").suffix.lower()[:10]
    path = f"risks/{risk.id}/{uuid.uuid4().hex}{suffix}"
    storage.save_bytes(path, content)
    evidence = RiskEvidence(risk=risk, filename=(filename or "file")[:200], path=path,
                            content_type=(content_type or "application/octet-stream")[:100],
                            uploaded_by_name=actor.name, uploaded_at=now_utc())
    db.session.add(evidence)
    _event(risk, "evidence", actor, from_status=risk.status, note=evidence.filename)
    _flush()
    return evidence


# --- the guided self-check -------------------------------------------------------------------

def start_self_check(batch: Batch, *, building_id: int | None, actor: User) -> SelfCheck:
    """Start walking categories A–H for a batch or one of its buildings."""
    ensure(actor, "risks.edit")
    building = _building_of(batch, building_id)
    check = SelfCheck(batch_id=batch.id, building_id=building.id if building else None,
                      started_by_name=actor.name, started_at=now_utc())
    db.session.add(check)
    db.session.flush()
    return check


def answer_question(check: SelfCheck, question: str, answer: CheckAnswer, *, actor: User,
                    note: str = "") -> SelfCheckAnswer:
    """Answer (or change the answer to) one question; the check completes when every one is answered."""
    ensure(actor, "risks.edit")
    if question not in rules.QUESTIONS_BY_CODE:
        _refuse([{"field": "question", "message": _("Unknown question.")}])
    row = next((a for a in check.answers if a.question == question), None)
    if row is None:
        row = SelfCheckAnswer(self_check=check, question=question)
        db.session.add(row)
    row.answer, row.note = answer, (note or "").strip()
    row.answered_by_name, row.answered_at = actor.name, now_utc()
    if answer != CheckAnswer.RISK:
        row.risk_id = None
    db.session.flush()
    answered = {a.question for a in check.answers}
    check.completed_at = now_utc() if answered >= set(rules.QUESTIONS_BY_CODE) else None
    db.session.flush()
    return row


# --- sales promises --------------------------------------------------------------------------

@dataclass(frozen=True)
class NewPromise:
    text: str
    source: PromiseSource
    reference: str = ""
    building_ids: tuple[int, ...] = field(default_factory=tuple)
    unit_ids: tuple[int, ...] = field(default_factory=tuple)


def add_promise(batch: Batch, data: NewPromise, *, actor: User) -> Promise:
    """Register a promise; without buildings or units it covers the whole batch."""
    ensure(actor, "risks.edit")
    problems = rules.required(data.text, "text", _("This field is required."))
    for building_id in data.building_ids:
        building = db.session.get(Building, building_id)
        if building is None or building.batch_id != batch.id:
            problems.append({"field": "building_ids", "message": _("Building %(id)s is not in this batch.",
                                                                   id=building_id)})
    for unit_id in data.unit_ids:
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.batch_id != batch.id:
            problems.append({"field": "unit_ids", "message": _("Unit %(id)s is not in this batch.", id=unit_id)})
    _refuse(problems)
    promise = Promise(batch_id=batch.id, text=data.text.strip(), source=data.source,
                      reference=(data.reference or "").strip(), created_by_name=actor.name, created_at=now_utc())
    promise.scopes = ([PromiseScope(building_id=b) for b in dict.fromkeys(data.building_ids)]
                      + [PromiseScope(unit_id=u) for u in dict.fromkeys(data.unit_ids)])
    db.session.add(promise)
    db.session.flush()
    return promise


def check_promise(promise: Promise, unit: Unit, *, kept: bool, actor: User, note: str = "",
                  inspection_id: int | None = None) -> PromiseCheck:
    """Record whether a promise was kept in a unit; a broken promise opens a category C risk."""
    ensure(actor, "risks.edit")
    from handover.risks.queries import promise_covers

    if not promise_covers(promise, unit):
        _refuse([{"field": "unit_id", "message": _("This promise does not cover that unit.")}])
    if not kept and not (note or "").strip():
        _refuse([{"field": "note", "message": _("Say what was found instead.")}])
    check = PromiseCheck(promise_id=promise.id, unit_id=unit.id, inspection_id=inspection_id, kept=kept,
                         note=(note or "").strip(), checked_by_name=actor.name, checked_at=now_utc())
    if not kept:
        risk = record_risk(db.session.get(Batch, promise.batch_id), NewRisk(
            category=RiskCategory.C, severity=RiskSeverity.MEDIUM, building_id=unit.building_id,
            title=_("Promise not kept in %(unit)s: %(promise)s", unit=unit.label, promise=promise.text[:120]),
            description=check.note, department=_("Sales")), actor=actor)
        check.risk_id = risk.id
    db.session.add(check)
    db.session.flush()
    return check


# --- public areas ----------------------------------------------------------------------------

def add_area(batch: Batch, *, name: str, kind: AreaKind, building_id: int | None, actor: User) -> PublicArea:
    """Register a public area (lobby, lift, roof…) of a batch or one of its buildings."""
    ensure(actor, "risks.areas")
    _refuse(rules.required(name, "name", _("This field is required.")))
    building = _building_of(batch, building_id)
    same = sa.select(PublicArea.id).where(PublicArea.batch_id == batch.id, PublicArea.name == name.strip())
    if db.session.scalar(same) is not None:
        _refuse([{"field": "name", "message": _("This batch already has a public area of that name.")}])
    area = PublicArea(batch_id=batch.id, building_id=building.id if building else None, name=name.strip(),
                      kind=kind, created_at=now_utc())
    db.session.add(area)
    db.session.flush()
    return area


# --- the transfer to the property company ----------------------------------------------------

@dataclass(frozen=True)
class OpenItem:
    description: str
    promised_on: date | None = None
    area_id: int | None = None


@dataclass(frozen=True)
class NewTransfer:
    transferred_on: date
    developer_signatory: str = ""
    property_signatory: str = ""
    note: str = ""
    open_items: tuple[OpenItem, ...] = ()


def record_transfer(building: Building, data: NewTransfer, *, actor: User) -> BuildingTransfer:
    """Record the transfer of a building (its units and public areas) to the property company.

    Unfinished items carry a promised date (art. 7.2). A building is transferred once: a
    second record is a Conflict. Whether it came in time is for the readiness view to say.
    """
    ensure(actor, "risks.transfer")
    if db.session.scalar(sa.select(BuildingTransfer.id).where(BuildingTransfer.building_id == building.id)):
        raise Conflict(_("This building has already been transferred."))
    problems = []
    for index, item in enumerate(data.open_items):
        if not item.description.strip():
            problems.append({"field": "open_items", "row": index, "message": _("Describe the open item.")})
        if item.promised_on is None:
            problems.append({"field": "open_items", "row": index,
                             "message": _("Give the date the open item is promised for.")})
        area = db.session.get(PublicArea, item.area_id) if item.area_id else None
        if item.area_id and (area is None or area.batch_id != building.batch_id):
            problems.append({"field": "open_items", "row": index, "message": _("That public area is not in this batch.")})
    _refuse(problems)
    transfer = BuildingTransfer(building_id=building.id, batch_id=building.batch_id,
                                transferred_on=data.transferred_on,
                                developer_signatory=data.developer_signatory.strip(),
                                property_signatory=data.property_signatory.strip(), note=data.note.strip(),
                                recorded_by_name=actor.name, recorded_at=now_utc())
    transfer.open_items = [TransferItem(description=i.description.strip(), promised_on=i.promised_on,
                                        area_id=i.area_id) for i in data.open_items]
    db.session.add(transfer)
    db.session.flush()
    announce(building_transferred, building_id=building.id, batch_id=building.batch_id,
             transferred_on=data.transferred_on.isoformat())
    return transfer
