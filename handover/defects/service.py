"""Defect use cases: record, photograph, move through the life cycle, bulk-assign, owner replies."""
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from handover.accounts.models import User
from handover.accounts.permissions import can
from handover.core import idempotency, storage
from handover.core.errors import Conflict, NotPermitted, TransitionNotAllowed, ValidationFailed
from handover.core.events import announce, defect_recorded, defect_status_changed
from handover.core.lifecycle import act_time
from handover.core.timeutil import now_utc, today_local
from handover.defects import photos, rules
from handover.defects.models import (CLOSED_STATUSES, Defect, DefectEvent, DefectPhoto, DefectStatus, PhotoKind,
                                     Severity)
from handover.extensions import db
from handover.inspections.models import ChecklistItem, Inspection, InspectionStage, WarrantyClass
from handover.projects.models import Contractor, Unit


@dataclass(frozen=True)
class NewDefect:
    stage: InspectionStage
    room: str
    category: str
    description: str
    severity: Severity = Severity.MINOR
    sub_item: str = ""
    quick_fix: bool = False
    design_class: bool = False
    checklist_item_id: int | None = None
    inspection_id: int | None = None
    pin_x: Decimal | None = None
    pin_y: Decimal | None = None
    id: str | None = None
    extra: dict = field(default_factory=dict)


def _event(defect: Defect, action: str, actor: User, *, at: datetime, from_status=None, note: str = "", data=None,
           idempotency_key: str | None = None) -> DefectEvent:
    event = DefectEvent(defect=defect, action=action, from_status=from_status, to_status=defect.status,
                        actor_id=actor.id, actor_name=actor.name, note=note or "", at=at, recorded_at=now_utc(),
                        internal=not actor.is_owner, data=data or {}, idempotency_key=idempotency_key)
    db.session.add(event)
    return event


def _announce_change(event: DefectEvent) -> None:
    announce(defect_status_changed, defect_id=event.defect_id, **{"from": _value(event.from_status)},
             to=event.to_status.value, action=event.action, at=event.at, actor_id=event.actor_id)


def _value(status: DefectStatus | None) -> str | None:
    return status.value if status is not None else None


def _check_new(unit: Unit | None, data: NewDefect) -> None:
    problems = []
    for name in ("room", "category", "description"):
        if not (getattr(data, name) or "").strip():
            problems.append({"field": name, "message": _("This field is required.")})
    for name in ("pin_x", "pin_y"):
        value = getattr(data, name)
        if value is not None and not (Decimal(0) <= value <= Decimal(1)):
            problems.append({"field": name, "message": _("The pin must lie on the floor plan.")})
    if data.id is not None:
        try:
            uuid.UUID(data.id)
        except ValueError:
            problems.append({"field": "id", "message": _("The id must be a UUID.")})
    if data.inspection_id is not None:
        inspection = db.session.get(Inspection, data.inspection_id)
        if inspection is None or unit is None or inspection.unit_id != unit.id:
            problems.append({"field": "inspection_id", "message": _("That inspection round is not of this unit.")})
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)


def record_defect(unit: Unit | None, data: NewDefect, *, actor: User, at: datetime | None = None,
                  area=None) -> tuple[Defect, bool]:
    """Record a defect in a unit, or (unit None) in a public area `area`, found at `at` (default
    now); returns (defect, created).

    The client's id is the idempotency key of this act: sending the same id again returns the
    defect already recorded, even when the two requests race (tablets resend on a weak signal).
    The same id on another unit is a Conflict.
    """
    place = unit if unit is not None else area
    _check_new(unit, data)
    at = act_time(at)
    defect_id = str(uuid.UUID(data.id)) if data.id else str(uuid.uuid4())
    existing = db.session.get(Defect, defect_id)
    if existing is not None:
        return _same_defect(existing, unit, area), False
    item = db.session.get(ChecklistItem, data.checklist_item_id) if data.checklist_item_id else None
    defect = Defect(
        id=defect_id, unit_id=unit.id if unit else None, area_id=area.id if unit is None else None,
        batch_id=place.batch_id, building_id=place.building_id,
        inspection_id=data.inspection_id, checklist_item_id=item.id if item else None, stage=data.stage,
        room=data.room.strip(), category=data.category.strip(), sub_item=(data.sub_item or "").strip(),
        description=data.description.strip(), severity=data.severity, quick_fix=data.quick_fix,
        design_class=data.design_class, warranty_class=item.warranty_class if item else WarrantyClass.INSTALLATION,
        pin_x=data.pin_x, pin_y=data.pin_y, status=DefectStatus.OPEN, created_by_id=actor.id, created_at=at,
    )
    try:
        with db.session.begin_nested():
            db.session.add(defect)
            _event(defect, "create", actor, at=at, note=defect.description)
            db.session.flush()
            announce(defect_recorded, defect_id=defect.id, batch_id=defect.batch_id)
    except IntegrityError:
        # Another request with the same id won the race; answer with its defect.
        existing = db.session.get(Defect, defect_id, populate_existing=True)
        if existing is None:
            raise
        return _same_defect(existing, unit, area), False
    return defect, True


def _same_defect(existing: Defect, unit: Unit | None, area=None) -> Defect:
    if (existing.unit_id, existing.area_id) != ((unit.id, None) if unit else (None, area.id)):
        raise Conflict(_("This defect id is already used for another unit."))
    return existing


def add_photo(defect: Defect, content: bytes, *, actor: User, kind: PhotoKind | None = None,
              at: datetime | None = None, idempotency_key: str | None = None) -> DefectPhoto:
    """Attach a verified, EXIF-free photo. Contractors' photos are "after" photos.

    Raises ValidationFailed for anything that is not a real image; no record or file remains.
    With an `idempotency_key` (an offline tablet's photo id), a resend returns the first photo;
    `at` is when it was taken (a tablet syncing later), never later than now.
    """
    if kind is None:
        kind = PhotoKind.AFTER if actor.is_contractor else PhotoKind.DISPUTE if actor.is_owner else PhotoKind.BEFORE
    key = idempotency.clean_key(idempotency_key)
    if key is not None:
        earlier = idempotency.find(DefectPhoto, key)
        if earlier is not None:
            return idempotency.once(DefectPhoto, key, act=lambda: earlier,
                                    same=lambda p: p.defect_id == defect.id)[0]
    if actor.is_contractor and defect.status != DefectStatus.ASSIGNED:
        raise NotPermitted(_("Photos can be added while the defect is assigned to you."))
    if actor.is_owner:
        _check_owner_may_reply(defect)
    processed = photos.process_photo(content)

    def act() -> DefectPhoto:
        path, thumb_path = photos.photo_paths(defect.id)
        storage.save_bytes(path, processed.image)
        storage.save_bytes(thumb_path, processed.thumbnail)
        photo = DefectPhoto(defect=defect, kind=kind, path=path, thumb_path=thumb_path, width=processed.width,
                            height=processed.height, uploaded_by_id=actor.id, uploaded_at=act_time(at),
                            idempotency_key=key)
        db.session.add(photo)
        db.session.flush()
        return photo

    photo, _acted = idempotency.once(DefectPhoto, key, act=act, same=lambda p: p.defect_id == defect.id)
    return photo


def _after_photos_since_assignment(defect: Defect) -> int:
    assigned_at = max((e.at for e in defect.events if e.action in ("assign", "reject")), default=None)
    return sum(1 for p in defect.photos
               if p.kind == PhotoKind.AFTER and (assigned_at is None or p.uploaded_at >= assigned_at))


def _check_actor(defect: Defect, action: str, actor: User) -> None:
    if not rules.may_take(actor, action):
        raise NotPermitted(_("You may not do this to a defect."))
    if actor.is_contractor and defect.contractor_id != actor.contractor_id:
        raise NotPermitted(_("This defect is not assigned to your company."))
    if actor.is_owner:
        _check_owner_may_reply(defect)


def _check_owner_may_reply(defect: Defect) -> None:
    """Homeowners confirm or dispute fixes once the unit is theirs (after the handover)."""
    if defect.unit is None or defect.unit.handed_over_on is None:
        raise NotPermitted(_("You can confirm or dispute fixes after the handover."))


def transition(defect: Defect, data: rules.TransitionInput, *, actor: User, version: int | None = None,
               at: datetime | None = None, idempotency_key: str | None = None) -> Defect:
    """Apply one life-cycle action (done at `at`, default now) and append it to the history.

    With an `idempotency_key`, a resent request (same key) returns the defect without acting
    again, whatever its status is now. Raises Conflict when `version` is not the current one
    (someone changed the defect meanwhile), TransitionNotAllowed for an action the status does not
    allow, NotPermitted for the wrong role or company, ValidationFailed when a guard fails (no
    contractor, no after photo…). Announces `defect_status_changed` (heard after the commit).
    """
    event, _acted = idempotency.once(
        DefectEvent, idempotency_key, same=lambda e: _same_act(e, defect, data.action, actor),
        act=lambda: _transition(defect, data, actor=actor, version=version, at=act_time(at),
                                idempotency_key=idempotency.clean_key(idempotency_key)))
    return event.defect


def _same_act(event: DefectEvent, defect: Defect, action: str, actor: User) -> bool:
    """Was the earlier act with this idempotency key this very act (same defect, action, person)?"""
    return (event.defect_id, event.action, event.actor_id) == (defect.id, action, actor.id)


def _transition(defect: Defect, data: rules.TransitionInput, *, actor: User, version: int | None, at: datetime,
                idempotency_key: str | None) -> DefectEvent:
    if version is not None and version != defect.version:
        raise Conflict(_("Someone else changed this defect meanwhile. Reload it and try again."),
                       details=[{"field": "version", "message": _("Reload the defect: it has changed."),
                                 "current_version": defect.version}])
    _check_actor(defect, data.action, actor)
    target = rules.DEFECT.next(defect.status, data.action)
    if data.contractor_id is not None and data.action == "assign" and \
            db.session.get(Contractor, data.contractor_id) is None:
        raise ValidationFailed(_("Contractor %(id)s does not exist.", id=data.contractor_id),
                               details=[{"field": "contractor_id", "message": "unknown"}])
    rules.check_guards(data.action, data, after_photos=_after_photos_since_assignment(defect), today=today_local())
    previous = defect.status
    changes = _apply(defect, data, target, at)
    event = _event(defect, data.action, actor, at=at, from_status=previous, note=data.note, data=changes,
                   idempotency_key=idempotency_key)
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_("Someone else changed this defect meanwhile. Reload it and try again.")) from None
    _announce_change(event)
    return event


def _apply(defect: Defect, data: rules.TransitionInput, target: DefectStatus, at: datetime) -> dict:
    changes: dict = {}
    if data.action == "assign":
        defect.contractor_id, defect.due_date = data.contractor_id, data.due_date
        changes = {"contractor_id": data.contractor_id, "due_date": data.due_date.isoformat()}
    elif data.action == "reject":
        defect.rework_count += 1
        changes = {"rework_count": defect.rework_count}
    elif data.action == "unfixable":
        defect.statement, defect.compensation_plan = data.statement.strip(), data.compensation_plan.strip()
        changes = {"statement": defect.statement, "compensation_plan": defect.compensation_plan}
    elif data.action == "dispute":
        defect.owner_confirmed_at = None
    defect.status = target
    defect.closed_at = at if target in CLOSED_STATUSES else None
    return changes


def confirm_fix(defect: Defect, *, actor: User, at: datetime | None = None,
                idempotency_key: str | None = None) -> Defect:
    """The homeowner accepts a closed fix (after handover). Recorded; the status stays closed."""

    def act() -> DefectEvent:
        if not can(actor, "defects.confirm_fix"):
            raise NotPermitted(_("Only the homeowner confirms a fix."))
        _check_owner_may_reply(defect)
        if defect.status != DefectStatus.VERIFIED:
            raise TransitionNotAllowed(_("Only a closed fix can be confirmed."))
        when = act_time(at)
        defect.owner_confirmed_at = when
        event = _event(defect, "confirm", actor, at=when, from_status=defect.status,
                       idempotency_key=idempotency.clean_key(idempotency_key))
        db.session.flush()
        return event

    event, _acted = idempotency.once(DefectEvent, idempotency_key, act=act,
                                     same=lambda e: _same_act(e, defect, "confirm", actor))
    return event.defect


def bulk_assign(defects: list[Defect], *, contractor_id: int, due_date, actor: User, note: str = "",
                at: datetime | None = None) -> int:
    """Assign every open (or reassign every assigned) defect in the list; returns how many changed."""
    count = 0
    data = rules.TransitionInput(action="assign", contractor_id=contractor_id, due_date=due_date, note=note)
    for defect in defects:
        if defect.status in (DefectStatus.OPEN, DefectStatus.ASSIGNED):
            transition(defect, data, actor=actor, at=at)
            count += 1
    return count

