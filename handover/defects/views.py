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
from handover.accounts.models import STAFF_ROLES, Role
from handover.core.access import allow
from handover.core.errors import Conflict, DomainError, NotFound, TransitionNotAllowed
from handover.core.timeutil import to_local, today_local
from handover.defects import plans, queries, rules, service
from handover.defects.api import READERS, RECORDERS, send_photo
from handover.defects.forms import ActionForm, LogDefectForm, contractor_choices, uploaded_files
from handover.defects.models import Defect, DefectPhoto, PhotoKind
from handover.extensions import db
from handover.inspections import queries as inspection_queries
from handover.inspections import service as inspection_service
from handover.inspections.models import Inspection, InspectionStage
from handover.projects import queries as project_queries
from handover.projects.models import Unit
from handover.risks import queries as risk_queries

bp = Blueprint("defects", __name__)

#: staff and contractors open a defect's page; homeowners have their own in the portal
DETAIL_READERS = STAFF_ROLES | {Role.CONTRACTOR}
#: the actions a page form may post; "dispute" and "confirm" are the owner's, in the portal
PAGE_ACTIONS = ("assign", "fix", "verify", "reject", "unfixable")


def conflict_message() -> str:
    return _("Someone else changed this defect while you were looking at it. Nothing was saved: "
             "check its current state below and try again if it is still needed.")


def show_refusal(form, exc: DomainError) -> None:
    """Put a service refusal under the fields it names, else flash it at the top of the page."""
    details = exc.details if isinstance(exc.details, list) else []
    shown = False
    for detail in details:
        name = detail.get("field")
        if name and name in form:
            form[name].errors = [*form[name].errors, detail.get("message") or exc.message]
            shown = True
    if not shown:
        flash(exc.message, "error")


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
@allow(RECORDERS)
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
    if form.validate_on_submit():
        defect = _record(unit, form, user)
        if defect is not None:
            return redirect(url_for("defects.log_defect", unit_id=unit.id, room=defect.room, stage=defect.stage.value,
                                    inspection_id=defect.inspection_id, last=defect.id))
    return render_template("defects/log.html", unit=unit, form=form, items=items, inspection=inspection,
                           plan=plans.plan_for(unit),
                           item_groups=inspection_queries.by_category(items),
                           last=_recorded(user, request.args.get("last")))


def _record(unit: Unit, form: LogDefectForm, user) -> Defect | None:
    """Record the defect and its photos in one transaction: a refused photo leaves nothing behind."""
    try:
        defect, created = service.record_defect(unit, form.new_defect(), actor=user)
        if created:
            for upload in uploaded_files(form.photos):
                service.add_photo(defect, upload.read(), actor=user)
    except DomainError as exc:
        db.session.rollback()
        if any(d.get("field") == "file" for d in (exc.details or []) if isinstance(d, dict)):
            form.photos.errors = [*form.photos.errors, exc.message,
                                  _("Nothing was saved. Choose the photos again and send the form once more.")]
        else:
            show_refusal(form, exc)
        return None
    db.session.commit()
    if created:
        flash(_("Defect recorded."), "success")
    else:
        flash(_("This defect had already been recorded; it was not recorded twice."), "info")
    return defect


def _warranty(defect: Defect) -> dict | None:
    """Warranty standing of a warranty-stage defect: under warranty until…, expired, or not started."""
    if defect.stage != InspectionStage.WARRANTY:
        return None
    handed_over_on = defect.unit.handed_over_on if defect.unit else None
    return {
        "covered": rules.is_under_warranty(defect.warranty_class, handed_over_on, today_local()),
        "ends_on": rules.warranty_ends_on(defect.warranty_class, handed_over_on) if handed_over_on else None,
        "warranty_class": defect.warranty_class,
    }


def photo_groups(defect: Defect) -> list[tuple[PhotoKind, list[DefectPhoto]]]:
    """Photos by kind, in the order of the defect's life: found, after the fix, owner's objection."""
    groups = [(kind, [p for p in defect.photos if p.kind == kind]) for kind in PhotoKind]
    return [(kind, photos) for kind, photos in groups if photos]


def _action_forms(defect: Defect, actions: list[str], contractors: list[tuple[str, str]]) -> dict[str, ActionForm]:
    """One form per action, carrying the version this page shows."""
    return {action: ActionForm(formdata=None, contractors=contractors, version=defect.version,
                               contractor_id=str(defect.contractor_id or ""), due_date=defect.due_date)
            for action in actions}


@bp.get("/defects/<defect_id>")
@allow(DETAIL_READERS)
def detail(defect_id: str):
    """A defect: status, photos, history, and one button per action this user may take now."""
    user = request_user()
    defect = queries.get_defect(user, defect_id)
    actions = [a for a in rules.actions_for(defect.status, user.role) if a in PAGE_ACTIONS]
    contractors = contractor_choices()
    return render_template("defects/detail.html", defect=defect, actions=actions,
                           plan=plans.plan_for(defect.unit) if defect.pin_x is not None else None,
                           forms=_action_forms(defect, actions, contractors), action_labels=rules.ACTION_LABELS,
                           overdue=rules.is_overdue(defect.status, defect.due_date, today_local()),
                           warranty=_warranty(defect), photo_groups=photo_groups(defect),
                           contractor_names={int(key): name for key, name in contractors},
                           protection=_protection(defect))


def _protection(defect: Defect) -> str | None:
    """Who protected finished work when the defect was found: the property company from the
    building's transfer on (risks.BuildingTransfer), the general contractor before it."""
    if defect.building_id is None:
        return None
    return risk_queries.protection_duty(defect.building_id, to_local(defect.created_at).date())


@bp.post("/defects/<defect_id>/actions/<action>")
@allow(DETAIL_READERS)
def act(defect_id: str, action: str):
    """Apply one action; a stale `version` shows the conflict instead of overwriting someone's change."""
    if action not in PAGE_ACTIONS:
        raise HttpNotFound()
    user = request_user()
    defect = queries.get_defect(user, defect_id, for_update=True)
    form = ActionForm(contractors=contractor_choices())
    back = redirect(url_for("defects.detail", defect_id=defect.id))
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return back
    if run_step(defect, form.version.data, lambda: _apply_action(defect, form, action, user)):
        flash(_("Done: %(action)s.", action=rules.ACTION_LABELS[action]), "success")
    return back


def _apply_action(defect: Defect, form: ActionForm, action: str, user) -> None:
    for upload in uploaded_files(form.photos):
        service.add_photo(defect, upload.read(), actor=user, kind=PhotoKind.AFTER)
    service.transition(defect, form.transition_input(action), actor=user, version=form.version.data)


def run_step(defect: Defect, version: int | None, step) -> bool:
    """Run one change of a defect (photos and transition) in one transaction and commit it.

    A page based on an older version is a conflict, reported before any photo is stored; any
    refusal rolls everything back and is flashed. Returns whether the change was saved.
    """
    try:
        if version != defect.version:
            raise Conflict(conflict_message())
        step()
    except DomainError as exc:
        db.session.rollback()
        stale = isinstance(exc, Conflict) and not isinstance(exc, TransitionNotAllowed)
        flash(conflict_message() if stale else exc.message, "error")
        return False
    db.session.commit()
    return True


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        if errors:
            label = form[name].label.text if name in form else ""
            return f"{label}: {errors[0]}" if label else str(errors[0])
    return _("The form could not be read. Reload the page and try again.")


@bp.get("/photos/<int:photo_id>")
@allow(READERS)
def photo(photo_id: int):
    """A defect photo (`?size=thumb` for the thumbnail) for whoever may see its defect."""
    row = db.session.get(DefectPhoto, photo_id)
    if row is None:
        raise NotFound(_("Photo not found."))
    queries.get_defect(request_user(), row.defect_id)  # 404 outside the caller's scope
    return send_photo(row, "thumb" if request.args.get("size") == "thumb" else "full")
