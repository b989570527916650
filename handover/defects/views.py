"""Defect pages for site staff and contractors: log a defect on a tablet, a defect's detail with
its history and the action buttons its status allows, and the photos themselves.

Every decision comes from `defects.rules`/`defects.service`: a view parses the form, calls the
service, commits once and redirects; a refusal rolls everything back and is shown on the page.
"""
import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound as HttpNotFound

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.errors import Conflict, NotFound, TransitionNotAllowed
from handover.core.timeutil import today_local
from handover.core.timeutil import to_local
from handover.defects import plans, queries, rules, service
from handover.defects.api import send_photo
from handover.defects.forms import ActionForm, LogDefectForm, contractor_choices, uploaded_files
from handover.defects.models import Defect, DefectPhoto, PhotoKind
from handover.defects.photos import process_photo
from handover.extensions import db
from handover.inspections import queries as inspection_queries
from handover.inspections import service as inspection_service
from handover.inspections.models import Inspection, InspectionStage
from handover.projects import queries as project_queries
from handover.projects.models import Unit
from handover.web import held
from handover.web.forms import Outcome, attempt, submit
from handover.risks import queries as risk_queries

bp = Blueprint("defects", __name__)

#: the actions a page form may post; "dispute" and "confirm" are the owner's, in the portal
PAGE_ACTIONS = ("assign", "fix", "verify", "reject", "unfixable")


def conflict_message() -> str:
    return _("Someone else changed this defect while you were looking at it. Nothing was saved: "
             "check its current state below and try again if it is still needed.")


def _default_stage(unit: Unit, inspection: Inspection | None) -> str:
    if inspection is not None:
        return inspection.stage.value
    requested = request.args.get("stage", "")
    if requested in InspectionStage._value2member_map_:
        return requested
    return (InspectionStage.WARRANTY if unit.handed_over_on else InspectionStage.UNIT_ACCEPTANCE).value


def _inspection_of(unit: Unit, inspection_id: str | None) -> Inspection | None:
    inspection = db.session.get(Inspection, int(inspection_id)) if (inspection_id or "").isdigit() else None
    return inspection if inspection is not None and inspection.unit_id == unit.id else None


def _recorded(user, defect_id: str | None) -> Defect | None:
    if not defect_id:
        return None
    try:
        return queries.get_defect(user, defect_id)
    except NotFound:
        return None


@bp.route("/units/<int:unit_id>/defects/new", methods=["GET", "POST"])
@requires("defects.create")
def log_defect(unit_id: int):
    """The tablet page: room, item, description chips, severity, photos; one defect per form, however often sent."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    items = inspection_service.checklist_for(unit.fitout_type)
    form = LogDefectForm(items)
    if request.method == "GET":
        inspection = _inspection_of(unit, request.args.get("inspection_id"))
        form.id.data = str(uuid.uuid4())
        form.inspection_id.data = str(inspection.id) if inspection else ""
        form.stage.data = _default_stage(unit, inspection)
        form.room.data = request.args.get("room") or None
        form.checklist_item_id.data = request.args.get("item") or None
        if form.chosen_item():
            form.category.data = form.chosen_item().category
    else:
        inspection = _inspection_of(unit, form.inspection_id.data)
    held_names = held.clean_names(request.form.getlist("held_photos"))
    contents = [upload.read() for upload in uploaded_files(form.photos)] if request.method == "POST" else []
    outcome = submit(form, lambda: _record(unit, form, user, held_names, contents),
                     field_aliases={"file": "photos"})
    if outcome:
        defect, created = outcome.value
        held.discard(user.id, form.id.data)
        if created:
            flash(_("Defect recorded."), "success")
        else:
            flash(_("This defect had already been recorded; it was not recorded twice."), "info")
        return redirect(url_for("defects.log_defect", unit_id=unit.id, room=defect.room, stage=defect.stage.value,
                                inspection_id=defect.inspection_id, last=defect.id))
    kept = keep_photos(form, user, held_names, contents) if request.method == "POST" else []
    return render_template("defects/log.html", unit=unit, form=form, items=items, inspection=inspection,
                           plan=plans.plan_for(unit), held_photos=kept,
                           item_groups=inspection_queries.by_category(items),
                           last=_recorded(user, request.args.get("last"))), 422 if request.method == "POST" else 200


def _record(unit: Unit, form: LogDefectForm, user, held_names: list[str], contents: list[bytes]):
    """Record the defect and its photos (held ones first) in one transaction: a refused photo leaves nothing."""
    defect, created = service.record_defect(unit, form.new_defect(), actor=user)
    if created:
        for content in held.read(user.id, form.id.data, held_names) + contents:
            service.add_photo(defect, content, actor=user)
    return defect, created


def _prepared(content: bytes) -> tuple[bytes, bytes]:
    processed = process_photo(content)
    return processed.image, processed.thumbnail


def keep_photos(form, user, held_names: list[str], contents: list[bytes], field: str = "photos",
                key_field: str = "id") -> list[held.HeldPhoto]:
    """After a failed save: hold the newly sent photos with those already held, so none is taken twice.
    A file that is no photo is not kept, and the form says which one it was."""
    key = form[key_field].data
    names, refused = held.hold(user.id, key, contents, _prepared)
    reasons = {problem.message for problem in refused}
    photo_errors = [error for error in form[field].errors if error not in reasons]  # said per photo below
    for problem in refused:
        message = _("Photo %(n)d: %(reason)s", n=problem.position, reason=problem.message)
        if message not in photo_errors:
            photo_errors = [*photo_errors, message]
    form[field].errors = photo_errors
    return held.held(user.id, key, held_names + names)


def _warranty(defect: Defect) -> dict | None:
    """Warranty standing of a warranty-stage defect: under warranty until…, expired, or not started."""
    if defect.stage != InspectionStage.WARRANTY:
        return None
    handed_over_on = defect.unit.handed_over_on if defect.unit else None
    return {
        "covered": rules.is_under_warranty(defect.warranty_class, handed_over_on, today_local()),
        "ends_on": rules.warranty_ends_on(defect.warranty_class, handed_over_on) if handed_over_on else None,
        "warranty_class": defect.warranty_class,
        "basis": rules.warranty_basis(defect.warranty_class),
    }


def photo_groups(defect: Defect) -> list[tuple[PhotoKind, list[DefectPhoto]]]:
    """Photos by kind, in the order of the defect's life: found, after the fix, owner's objection."""
    groups = [(kind, [p for p in defect.photos if p.kind == kind]) for kind in PhotoKind]
    return [(kind, photos) for kind, photos in groups if photos]


def _action_forms(defect: Defect, actions: list[str], contractors: list[tuple[str, str]]) -> dict[str, ActionForm]:
    """One form per action, carrying the version this page shows (and a key for photos held after a failure)."""
    return {action: ActionForm(formdata=None, contractors=contractors, version=defect.version,
                               contractor_id=str(defect.contractor_id or ""),
                               due_date=None if action == "reject" else defect.due_date,
                               photo_key=str(uuid.uuid4()))
            for action in actions}


@bp.get("/defects/<defect_id>")
@requires("defects.work_on")
def detail(defect_id: str):
    """A defect: status, photos, history, and one button per action this user may take now."""
    user = request_user()
    return render_detail(queries.get_defect(user, defect_id), user)


def render_detail(defect: Defect, user, *, failed: tuple[str, ActionForm] | None = None,
                  held_photos: list | None = None, status: int = 200):
    """The detail page; after a failed action, that action's form comes back open, as it was sent."""
    actions = [a for a in rules.actions_for(defect.status, user) if a in PAGE_ACTIONS]
    contractors = contractor_choices()
    forms = _action_forms(defect, actions, contractors)
    if failed and failed[0] in forms:
        forms[failed[0]] = failed[1]
    return render_template("defects/detail.html", defect=defect, actions=actions,
                           plan=plans.plan_for(defect.unit) if defect.pin_x is not None else None,
                           forms=forms, action_labels=rules.ACTION_LABELS,
                           open_action=failed[0] if failed else None, held_photos=held_photos or [],
                           overdue=rules.is_overdue(defect.status, defect.due_date, today_local()),
                           warranty=_warranty(defect), photo_groups=photo_groups(defect),
                           contractor_names={int(key): name for key, name in contractors},
                           protection=_protection(defect)), status


def _protection(defect: Defect) -> str | None:
    """Who protected finished work when the defect was found: the property company from the
    building's transfer on (risks.BuildingTransfer), the general contractor before it."""
    if defect.building_id is None:
        return None
    return risk_queries.protection_duty(defect.building_id, to_local(defect.created_at).date())


@bp.post("/defects/<defect_id>/actions/<action>")
@requires("defects.work_on")
def act(defect_id: str, action: str):
    """Apply one action; a stale `version` shows the conflict instead of overwriting someone's change.

    Done, a contractor goes back to their list (the next defect to fix); staff stay on the defect.
    Refused, the page comes back with the form as it was sent, its photos held, the errors on top.
    """
    if action not in PAGE_ACTIONS:
        raise HttpNotFound()
    user = request_user()
    defect = queries.get_defect(user, defect_id, for_update=True)
    form = ActionForm(contractors=contractor_choices())
    held_names = held.clean_names(request.form.getlist("held_photos"))
    contents = [upload.read() for upload in uploaded_files(form.photos)]
    if form.validate_on_submit():
        photos = held.read(user.id, form.photo_key.data, held_names) + contents
        done = run_step(defect, form.version.data, lambda: _apply_action(defect, form, action, user, photos),
                        form=form)
        if done:
            held.discard(user.id, form.photo_key.data)
            flash(_("Done: %(action)s.", action=rules.ACTION_LABELS[action]), "success")
            if user.is_contractor:  # back to their work list
                return redirect(url_for("contractor.defects"))
            return redirect(url_for("defects.detail", defect_id=defect.id))
        defect = queries.get_defect(user, defect_id, for_update=True)
        stale = isinstance(done.error, Conflict) and not isinstance(done.error, TransitionNotAllowed)
        if stale or action not in rules.actions_for(defect.status, user):
            flash(done.error.message, "error")  # the page they acted on is outdated: show the current one
            return redirect(url_for("defects.detail", defect_id=defect.id))
    kept = keep_photos(form, user, held_names, contents, key_field="photo_key") if contents or held_names else []
    return render_detail(defect, user, failed=(action, form), held_photos=kept, status=422)


def _apply_action(defect: Defect, form: ActionForm, action: str, user, photos: list[bytes]) -> None:
    """Photos (of the fixed work, or of what is still wrong when rejecting), then the transition.

    A rejection may set a new due date: the defect is then reassigned to the same contractor with it.
    """
    kind = PhotoKind.AFTER if action == "fix" else None
    for content in photos:
        service.add_photo(defect, content, actor=user, kind=kind)
    service.transition(defect, form.transition_input(action), actor=user, version=form.version.data)
    if action == "reject" and form.due_date.data:
        service.transition(defect, rules.TransitionInput("assign", contractor_id=defect.contractor_id,
                                                         due_date=form.due_date.data), actor=user)


#: a service's field names that the action forms call otherwise
ACTION_FIELD_ALIASES = {"photo": "photos", "file": "photos"}


def run_step(defect: Defect, version: int | None, step, *, form=None) -> Outcome:
    """Run one change of a defect (photos and transition) in one transaction and commit it.

    A page based on an older version is a conflict, reported before any photo is stored; any
    refusal rolls everything back and is shown on `form` (else flashed). The outcome is truthy when saved.
    """
    def checked_step():
        if version != defect.version:
            raise Conflict(conflict_message())
        try:
            return step()
        except Conflict as exc:  # saved by someone else meanwhile; a refused transition says why itself
            if isinstance(exc, TransitionNotAllowed):
                raise
            raise Conflict(conflict_message()) from exc

    return attempt(checked_step, form=form, field_aliases=ACTION_FIELD_ALIASES)


@bp.get("/photos/<int:photo_id>")
@requires("defects.view")
def photo(photo_id: int):
    """A defect photo (`?size=thumb` for the thumbnail) for whoever may see its defect."""
    row = db.session.get(DefectPhoto, photo_id)
    if row is None:
        raise NotFound(_("Photo not found."))
    queries.get_defect(request_user(), row.defect_id)  # 404 outside the caller's scope
    return send_photo(row, "thumb" if request.args.get("size") == "thumb" else "full")
