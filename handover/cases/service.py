"""Case use cases: raise a case, move it through its life cycle, reply, attach photos, turn a
repair request into a defect, and the sweep that marks breaches and closes resolved cases.

Services flush and never commit; the page or API handler commits once. The sweep works in short
transactions of its own (a page read may call it, like the job sweeper).
"""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from handover.accounts.models import User
from handover.accounts.permissions import can, ensure
from handover.cases import rules
from handover.cases.models import Case, CaseEvent, CaseKind, CasePhoto, CaseSeverity, CaseSla, CaseSource, CaseStatus
from handover.core import storage, transactions
from handover.core.errors import Conflict, NotPermitted, ValidationFailed
from handover.core.events import announce, case_breached, case_escalated, case_raised, case_replied, case_status_changed
from handover.core.timeutil import now_utc
from handover.defects import service as defect_service
from handover.defects.models import Severity
from handover.extensions import db
from handover.inspections.models import InspectionStage
from handover.projects.models import Batch, Contract, Unit
from handover.risks.models import PublicArea

MAX_PHOTO_BYTES = 15 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "jpg", b"\x89PNG": "png", b"RIFF": "webp", b"GIF8": "gif"}


def _refuse(problems: list[dict]) -> None:
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)


def sla_for(project_id: int, kind: CaseKind, severity: CaseSeverity, session: Session | None = None) -> rules.Sla:
    """The project's committed times for this kind and severity (its own, else the defaults)."""
    session = session or db.session
    row = session.scalar(sa.select(CaseSla).where(CaseSla.project_id == project_id, CaseSla.kind == kind,
                                                  CaseSla.severity == severity))
    if row is not None:
        return rules.Sla(row.acknowledge_hours, row.resolve_hours)
    return rules.DEFAULT_SLA[(kind, severity)]


def set_sla(project_id: int, kind: CaseKind, severity: CaseSeverity, *, acknowledge_hours: int, resolve_hours: int,
            actor: User) -> CaseSla:
    ensure(actor, "cases.configure")
    problems = [{"field": name, "message": _("Enter a number of hours between 1 and 2000.")}
                for name, value in (("acknowledge_hours", acknowledge_hours), ("resolve_hours", resolve_hours))
                if not 1 <= value <= 2000]
    if acknowledge_hours > resolve_hours:
        problems.append({"field": "resolve_hours", "message": _("Resolving cannot be due before acknowledging.")})
    _refuse(problems)
    row = db.session.scalar(sa.select(CaseSla).where(CaseSla.project_id == project_id, CaseSla.kind == kind,
                                                     CaseSla.severity == severity))
    if row is None:
        row = CaseSla(project_id=project_id, kind=kind, severity=severity, acknowledge_hours=0, resolve_hours=0)
        db.session.add(row)
    row.acknowledge_hours, row.resolve_hours = acknowledge_hours, resolve_hours
    db.session.flush()
    return row


@dataclass(frozen=True)
class NewCase:
    kind: CaseKind
    description: str
    category: str = ""
    severity: CaseSeverity = CaseSeverity.NORMAL
    source: CaseSource | None = None
    major: bool = False
    group: bool = False
    photos: list[bytes] = field(default_factory=list)


def _event(case: Case, action: str, actor: User | None, *, from_status: CaseStatus | None, note: str = "",
           internal: bool = False, data: dict | None = None, at: datetime | None = None) -> CaseEvent:
    event = CaseEvent(case=case, action=action, from_status=from_status, to_status=case.status, note=note or "",
                      internal=internal, actor_id=actor.id if actor else None,
                      actor_name=actor.name if actor else _("System"), at=at or now_utc(), recorded_at=now_utc(),
                      data=data or {})
    db.session.add(event)
    return event


def _owner_of(unit: Unit | None) -> int | None:
    if unit is None:
        return None
    return db.session.scalar(sa.select(Contract.owner_id).where(Contract.unit_id == unit.id))


def raise_case(unit: Unit | None, data: NewCase, *, actor: User, area: PublicArea | None = None,
               now: datetime | None = None) -> Case:
    """Raise a case for a unit (an owner: their own, found by the caller's scoped query), or for a
    public area; its due times come from the project's SLA. A major or group complaint is
    escalated at once."""
    ensure(actor, "cases.raise")
    _refuse(rules.description_problems(data.description))
    if unit is None and area is None:
        _refuse([{"field": "unit_id", "message": _("Choose the unit or the public area.")}])
    place = unit if unit is not None else area
    batch = db.session.get(Batch, place.batch_id)
    now = now or now_utc()
    acknowledge_by, resolve_by = rules.due_times(now, sla_for(batch.project_id, data.kind, data.severity))
    source = data.source or (CaseSource.PORTAL if actor.is_owner else CaseSource.PHONE)
    if actor.is_owner:  # staff mark a complaint major or a group complaint, owners do not
        source = CaseSource.PORTAL
        data = NewCase(kind=data.kind, description=data.description, category=data.category, severity=data.severity,
                       photos=data.photos)
    owner_id = actor.owner_id if actor.is_owner else _owner_of(unit)
    case = Case(batch_id=batch.id, building_id=place.building_id, unit_id=unit.id if unit else None,
                area_id=area.id if unit is None else None, owner_id=owner_id, kind=data.kind,
                category=(data.category or "").strip()[:60], severity=data.severity,
                description=data.description.strip(), source=source, status=CaseStatus.NEW,
                major=data.major, group=data.group, acknowledge_by=acknowledge_by, resolve_by=resolve_by,
                created_by_id=actor.id, created_at=now)
    db.session.add(case)
    _event(case, "raise", actor, from_status=None, note=case.description, at=now)
    db.session.flush()
    for content in data.photos:
        add_photo(case, content, actor=actor)
    announce(case_raised, case_id=case.id, batch_id=case.batch_id, unit_id=case.unit_id, kind=case.kind.value)
    if rules.escalates_at_once(case.kind, case.major, case.group):
        _escalate(case, actor, _("group complaint") if case.group else _("major complaint"))
    return case


def _escalate(case: Case, actor: User | None, reason: str) -> None:
    if case.escalated_at is not None:
        return
    case.escalated_at, case.escalation_reason = now_utc(), reason[:120]
    _event(case, "escalate", actor, from_status=case.status, note=reason, internal=True)
    db.session.flush()
    announce(case_escalated, case_id=case.id, batch_id=case.batch_id, reason=reason)


def add_photo(case: Case, content: bytes, *, actor: User) -> CasePhoto:
    if not content:
        _refuse([{"field": "photos", "message": _("The photo is empty.")}])
    if len(content) > MAX_PHOTO_BYTES:
        _refuse([{"field": "photos", "message": _("A photo may be at most 15 MB.")}])
    extension = next((ext for magic, ext in PHOTO_TYPES.items() if content.startswith(magic)), None)
    if extension is None:
        _refuse([{"field": "photos", "message": _("Only JPEG, PNG, WebP or GIF photos.")}])
    relative = f"cases/{case.id}/{uuid.uuid4().hex}.{extension}"
    storage.save_bytes(relative, content)
    photo = CasePhoto(case=case, path=relative, uploaded_by_id=actor.id, created_at=now_utc())
    db.session.add(photo)
    db.session.flush()
    return photo


def act(case: Case, action: str, *, actor: User, note: str = "", version: int | None = None) -> Case:
    """One life-cycle action. Owners may only close (confirm) or reopen their own resolved case.

    Raises NotPermitted, TransitionNotAllowed (409) from the wrong status, Conflict on a stale version.
    """
    if version is not None and version != case.version:
        raise Conflict(_("Someone else changed this case meanwhile. Reload it and try again."),
                       details=[{"field": "version", "message": str(case.version)}])
    if actor.is_owner and action not in rules.OWNER_ACTIONS:
        raise NotPermitted(_("You are not allowed to do this."))
    ensure(actor, rules.ACTION_PERMISSIONS.get(action, "cases.handle"))
    target = rules.CASE.move(case.status, action)
    if action == "to_defect":
        return to_defect(case, actor=actor, note=note)
    if action == "reopen" and not (note or "").strip() and actor.is_owner:
        _refuse([{"field": "note", "message": _("Tell us what is still wrong, please.")}])
    previous = case.status
    now = now_utc()
    case.status = target
    if action == "acknowledge":
        case.acknowledged_at = now
    elif action == "start" and case.acknowledged_at is None:
        case.acknowledged_at = now
    elif action == "resolve":
        case.resolved_at = now
    elif action == "close":
        case.closed_at = now
    elif action == "reopen":
        case.resolved_at, case.closed_at = None, None
    if action == "escalate":
        _escalate(case, actor, (note or "").strip() or _("escalated by staff"))
    else:
        _event(case, action, actor, from_status=previous, note=note, at=now)
    _flush()
    if target != previous:
        _announce_status(case, action, previous, actor, note)
    return case


def _announce_status(case: Case, action: str, previous: CaseStatus, actor: User | None, note: str = "") -> None:
    announce(case_status_changed, case_id=case.id, batch_id=case.batch_id, unit_id=case.unit_id,
             owner_id=case.owner_id, kind=case.kind.value, action=action, from_status=previous.value,
             to_status=case.status.value, actor_id=actor.id if actor else None,
             by_owner=bool(actor and actor.is_owner), note=note or "")


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_("Someone else changed this case meanwhile. Reload it and try again.")) from None


def reply(case: Case, text: str, *, actor: User, internal: bool = False) -> CaseEvent:
    """A written reply: public ones the owner sees (and is told of), internal notes never."""
    ensure(actor, "cases.reply")
    _refuse([] if (text or "").strip() else [{"field": "text", "message": _("Write the reply, please.")}])
    if actor.is_owner:
        internal = False
    elif internal and not can(actor, "cases.handle"):
        raise NotPermitted(_("You are not allowed to do this."))
    event = _event(case, "reply", actor, from_status=case.status, note=text.strip(), internal=internal)
    db.session.flush()
    if not internal:
        announce(case_replied, case_id=case.id, batch_id=case.batch_id, owner_id=case.owner_id,
                 event_id=event.id, by_owner=actor.is_owner, text=text.strip()[:200])
    return event


def to_defect(case: Case, *, actor: User, note: str = "", room: str = "", category: str = ""):
    """Turn a repair request into a defect at the warranty stage, linked both ways."""
    ensure(actor, "cases.to_defect")
    if case.kind != CaseKind.REPAIR:
        _refuse([{"field": "action", "message": _("Only a repair request can become a defect.")}])
    if case.defect_id:
        raise Conflict(_("This case is already a defect."))
    target = rules.CASE.next(case.status, "to_defect")
    data = defect_service.NewDefect(
        stage=InspectionStage.WARRANTY, room=room or _("See the case"), category=category or case.category or _("Repair"),
        description=case.description, severity=Severity.MAJOR if case.severity == CaseSeverity.URGENT else Severity.MINOR,
        extra={"case_id": case.id, "case_number": case.number})
    defect, _created = defect_service.record_defect(case.unit, data, actor=actor, area=case.area)
    for photo in case.photos:
        defect_service.add_photo(defect, storage.resolve(photo.path).read_bytes(), actor=actor)
    previous = case.status
    case.defect_id, case.status = defect.id, target
    if case.acknowledged_at is None:
        case.acknowledged_at = now_utc()
    _event(case, "to_defect", actor, from_status=previous, note=note, internal=True, data={"defect_id": defect.id})
    _flush()
    if target != previous:
        _announce_status(case, "to_defect", previous, actor, note)
    return defect


# --- the sweep -------------------------------------------------------------------------------

@dataclass
class SweepReport:
    breached: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)


_LAST_SWEEP = "handover.cases.last_sweep"
_sweep_lock = threading.Lock()


def sweep(now: datetime | None = None) -> SweepReport:
    """Mark the cases whose committed time passed (escalating them, announcing `case_breached`),
    and close the cases resolved more than CASE_AUTO_CLOSE_DAYS ago without the owner's word.

    Works in short transactions of its own, so the caller's session is left alone.
    """
    now = now or now_utc()
    days = current_app.config.get("CASE_AUTO_CLOSE_DAYS", rules.AUTO_CLOSE_DAYS)
    report = SweepReport()
    open_statuses = [s for s in CaseStatus if s not in (CaseStatus.RESOLVED, CaseStatus.CLOSED)]
    with transactions.reading(), db.engine.connect() as conn:
        candidates = conn.execute(sa.select(Case.id).where(
            Case.status.in_(open_statuses), Case.breached_at.is_(None),
            sa.or_(Case.acknowledge_by < now, Case.resolve_by < now))).scalars().all()
        resolved = conn.execute(sa.select(Case.id).where(Case.status == CaseStatus.RESOLVED)).scalars().all()
    for case_id in candidates:
        with transactions.writing(), Session(db.engine) as session:
            case = session.get(Case, case_id)
            what = rules.breach_of(case.status, case.acknowledge_by, case.resolve_by, now)
            if not what or case.breached_at is not None:
                continue
            case.breached_at, case.breach = now, what
            reason = _("acknowledgement overdue") if what == "acknowledge" else _("resolution overdue")
            session.add(CaseEvent(case_id=case.id, action="breach", from_status=case.status, to_status=case.status,
                                  note=reason, internal=True, actor_name=_("System"), at=now, recorded_at=now))
            if case.escalated_at is None:
                case.escalated_at, case.escalation_reason = now, reason
            announce(case_breached, session=session, case_id=case.id, batch_id=case.batch_id, breach=what)
            session.commit()
            report.breached.append(case_id)
    for case_id in resolved:
        with transactions.writing(), Session(db.engine) as session:
            case = session.get(Case, case_id)
            if not rules.due_for_auto_close(case.status, case.resolved_at, now, days):
                continue
            previous, case.status, case.closed_at = case.status, CaseStatus.CLOSED, now
            session.add(CaseEvent(case_id=case.id, action="close", from_status=previous, to_status=case.status,
                                  note=_("Closed automatically %(days)s days after the resolution.", days=days),
                                  actor_name=_("System"), at=now, recorded_at=now))
            announce(case_status_changed, session=session, case_id=case.id, batch_id=case.batch_id,
                     unit_id=case.unit_id, owner_id=case.owner_id, kind=case.kind.value, action="close",
                     from_status=previous.value, to_status=case.status.value, actor_id=None, by_owner=False,
                     note="")
            session.commit()
            report.closed.append(case_id)
    return report


def maybe_sweep() -> None:
    """Sweep at most once per CASE_SWEEP_INTERVAL_SECONDS in this process (page reads call it)."""
    interval = current_app.config.get("CASE_SWEEP_INTERVAL_SECONDS", 60)
    with _sweep_lock:
        last = current_app.extensions.get(_LAST_SWEEP)
        if last is not None and time.monotonic() - last < interval:
            return
        current_app.extensions[_LAST_SWEEP] = time.monotonic()
    try:
        report = sweep()
    except Exception:  # noqa: BLE001 - a sweep that fails must not break the page that asked
        current_app.logger.exception("case sweep failed")
        return
    if (report.breached or report.closed) and not (db.session.new or db.session.dirty or db.session.deleted):
        db.session.rollback()  # a new snapshot: the cases just swept show their breach


def open_follow_up(*, batch_id: int, unit_id: int | None, owner_id: int, description: str,
                   actor: User | None) -> Case:
    """A follow-up case for a low survey score: a complaint to call back at once (source: survey)."""
    batch = db.session.get(Batch, batch_id)
    unit = db.session.get(Unit, unit_id) if unit_id else None
    now = now_utc()
    acknowledge_by, resolve_by = rules.due_times(now, sla_for(batch.project_id, CaseKind.COMPLAINT,
                                                              CaseSeverity.URGENT))
    case = Case(batch_id=batch.id, building_id=unit.building_id if unit else None, unit_id=unit_id,
                owner_id=owner_id, kind=CaseKind.COMPLAINT, category=_("Survey follow-up"),
                severity=CaseSeverity.URGENT, description=description, source=CaseSource.SURVEY,
                status=CaseStatus.NEW, acknowledge_by=acknowledge_by, resolve_by=resolve_by,
                created_by_id=actor.id if actor else None, created_at=now)
    db.session.add(case)
    _event(case, "raise", actor, from_status=None, note=description, at=now, internal=True)
    db.session.flush()
    return case
