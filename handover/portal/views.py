"""Homeowner pages. Every lookup goes through the same scoped queries as staff pages."""
import io
import uuid

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.errors import Conflict
from handover.core.timeutil import today_local
from handover.defects import exports as defect_exports
from handover.defects import queries as defect_queries
from handover.defects import rules as defect_rules
from handover.defects import service as defect_service
from handover.defects.forms import OwnerReplyForm, uploaded_files
from handover.defects.views import keep_photos, photo_groups, run_step
from handover.fees import queries as fee_queries
from handover.keys import queries as key_queries
from handover.projects import queries
from handover.projects import rules as project_rules
from handover.projects.models import HandoverMode
from handover.fees import exports as fee_exports
from handover.fees.documents import STEPS, WHAT_TO_BRING
from handover.handovers import appointments as handover_appointments
from handover.web import held

bp = Blueprint("portal", __name__, url_prefix="/my")


@bp.get("/")
@requires("portal.use")
def home():
    """The owner's units."""
    user = request_user()
    return render_template("portal/home.html", units=queries.units_of_owner(user.owner_id), owner=user.owner)


@bp.get("/units/<int:unit_id>")
@requires("portal.use")
def unit(unit_id: int):
    """One of the owner's units with its fee statement and payments; another owner's unit is 404."""
    unit = queries.get_unit(request_user(), unit_id)
    fees = fee_queries.statement_view(unit) if unit.contract else {}
    phase = project_rules.handover_phase(unit.handed_over_on, unit.batch.window_start, unit.batch.window_end,
                                         today_local())
    return render_template("portal/unit.html", unit=unit, **fees, **key_queries.portal_view(request_user(), unit),
                           handover_phase=phase, visit=_visit(unit, phase),
                           defects=defect_queries.owner_unit_defects(request_user(), unit.id))


def _visit(unit, phase: str) -> dict | None:
    """The handover visit as the notice announces it: when, how (window or appointment), where,
    what to bring and the steps; None once the unit is handed over."""
    if phase == "handed_over":
        return None
    appointment = handover_appointments.appointment_of(unit.id)
    return {"scattered": unit.batch.mode == HandoverMode.SCATTERED, "address": unit.batch.project.address,
            "what_to_bring": WHAT_TO_BRING, "steps": STEPS,
            "appointment": appointment.slot if appointment and appointment.slot else None,
            "slots_open": bool(handover_appointments.slots(unit.batch_id, upcoming=True))}


@bp.get("/payments/<int:payment_id>/receipt.pdf")
@requires("portal.receipts")
def receipt(payment_id: int):
    """The owner's own receipt (another unit's is 404), the same document finance prints."""
    result = fee_exports.receipt_pdf(fee_queries.get_payment(request_user(), payment_id))
    return send_file(io.BytesIO(result.content), mimetype=result.mimetype, download_name=result.name)


@bp.get("/units/<int:unit_id>/defects.pdf")
@requires("portal.use")
def defect_list(unit_id: int):
    """The owner's own defect list (another unit's is 404): the list they sign at handover, with only
    the stages they take part in, the same document staff print."""
    result = defect_exports.unit_pdf(queries.get_unit(request_user(), unit_id))
    return send_file(io.BytesIO(result.content), mimetype=result.mimetype, download_name=result.name)


@bp.get("/defects/<defect_id>")
@requires("portal.use")
def defect(defect_id: str):
    """A defect in the owner's unit: photos, status in plain words, expected date; no staff notes or names."""
    user = request_user()
    found = defect_queries.get_defect(user, defect_id)
    return _defect_page(found, user, OwnerReplyForm(formdata=None, version=found.version, photo_key=str(uuid.uuid4())))


def _defect_page(found, user, form: OwnerReplyForm, *, held_photos=None, status: int = 200):
    warranty = defect_rules.warranty_standing(found.warranty_class, found.unit.handed_over_on, today_local())
    return render_template("portal/defect.html", defect=found, photo_groups=photo_groups(found), form=form,
                           held_photos=held_photos or [], warranty=warranty,
                           can_dispute="dispute" in defect_rules.actions_for(found.status, user)), status


@bp.post("/defects/<defect_id>/reply")
@requires("portal.use")
def defect_reply(defect_id: str):
    """After the handover: confirm a closed fix, or dispute it with a note and photos (back to re-inspection).

    A refused dispute comes back with the note as typed, the photos held and the errors on top.
    """
    user = request_user()
    found = defect_queries.get_defect(user, defect_id, for_update=True)
    form = OwnerReplyForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Reload the page and try again."), "error")
        return redirect(url_for("portal.defect", defect_id=found.id))
    if request.form.get("reply") == "confirm":
        if run_step(found, form.version.data, lambda: defect_service.confirm_fix(found, actor=user)):
            flash(_("Thank you: you confirmed the repair."), "success")
        return redirect(url_for("portal.defect", defect_id=found.id))
    held_names = held.clean_names(request.form.getlist("held_photos"))
    contents = [upload.read() for upload in uploaded_files(form.photos)]
    photos = held.read(user.id, form.photo_key.data, held_names) + contents
    done = run_step(found, form.version.data, lambda: _dispute(found, form, user, photos), form=form)
    if done:
        held.discard(user.id, form.photo_key.data)
        flash(_("Thank you: we will inspect the repair again."), "success")
        return redirect(url_for("portal.defect", defect_id=found.id))
    found = defect_queries.get_defect(user, defect_id)
    if isinstance(done.error, Conflict) or "dispute" not in defect_rules.actions_for(found.status, user):
        flash(done.error.message, "error")  # the page they replied on is outdated: show the current one
        return redirect(url_for("portal.defect", defect_id=found.id))
    kept = keep_photos(form, user, held_names, contents, key_field="photo_key") if contents or held_names else []
    return _defect_page(found, user, form, held_photos=kept, status=422)


def _dispute(found, form: OwnerReplyForm, user, photos: list[bytes]) -> None:
    for content in photos:
        defect_service.add_photo(found, content, actor=user)
    defect_service.transition(found, defect_rules.TransitionInput("dispute", note=form.note.data or ""), actor=user,
                              version=form.version.data)
