"""Handover pages: a unit's gate (every unmet condition), signing, and the record with its history."""
import secrets

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import can, requires
from handover.handovers import queries, rules, service
from handover.handovers.forms import CorrectForm, RevokeForm, SignForm
from handover.projects import queries as project_queries
from handover.web.forms import attempt, show_errors
from handover.handovers import appointments, visits, walkthrough
from handover.handovers.day_forms import ReadingsForm

bp = Blueprint("handovers", __name__)


def _page(unit, *, sign: SignForm | None = None, correct: CorrectForm | None = None,
          revoke: RevokeForm | None = None, status: int = 200):
    user = request_user()
    if sign is None:
        sign = SignForm(formdata=None)
        sign.idempotency_key.data = secrets.token_urlsafe(16)
    day = {"uses_visits": appointments.uses_visits(unit.batch_id), "reading": visits.latest_reading(unit.id),
           "walkthrough_signed": visits.walkthrough_signed(unit.id), "visit": visits.open_visit(unit.id),
           "readings": ReadingsForm(formdata=None)}
    return render_template("handovers/unit.html", unit=unit, view=queries.handover_view(unit), sign=sign, day=day,
                           correct=correct or CorrectForm(formdata=None), revoke=revoke or RevokeForm(formdata=None),
                           items=rules.HANDED_ITEMS, can_sign=can(user, "handovers.sign"),
                           can_revoke=can(user, "handovers.revoke")), status


def _attempt(form, step, success):
    """Commit once through the form helper; a refusal goes under its fields and into the summary,
    except the gate's conditions, which the page already lists at the top with their reasons."""
    outcome = attempt(step, form=form, success=success, quiet=True)
    exc = outcome.error
    if exc is not None and not any(isinstance(d, dict) and d.get("field") == "gate" for d in exc.details or []):
        show_errors(form, exc)
    return outcome


@bp.get("/units/<int:unit_id>/handover")
@requires("handovers.view")
def unit(unit_id: int):
    """The unit's handover: every condition still unmet with its reason, the signing, the record."""
    return _page(project_queries.get_unit(request_user(), unit_id))


@bp.post("/units/<int:unit_id>/handover")
@requires("handovers.sign")
def sign(unit_id: int):
    """Sign the handover for the owner; refused, with every reason, while the gate is closed."""
    user = request_user()
    unit_row = project_queries.get_unit(user, unit_id)
    form = SignForm()
    if not form.validate_on_submit():
        return _page(unit_row, sign=form, status=400)
    outcome = _attempt(form, lambda: service.sign_handover(
        unit_row, on=form.handed_over_on.data, actor=user, items=form.items.data or [], note=form.note.data or "",
        idempotency_key=form.idempotency_key.data or None,
        owner_signature=request.form.get("owner_signature") or None,
        staff_signature=request.form.get("staff_signature") or None),
        success=lambda _record: _("Handover signed: handed over on %(on)s.", on=unit_row.handed_over_on))
    if not outcome:
        return _page(unit_row, sign=form, status=outcome.error.status)
    return redirect(url_for("handovers.unit", unit_id=unit_row.id))


@bp.post("/units/<int:unit_id>/handover/correction")
@requires("handovers.revoke")
def correct(unit_id: int):
    """Correct the handover date: a new entry in the history; the first one stays."""
    user = request_user()
    unit_row = project_queries.get_unit(user, unit_id)
    form = CorrectForm()
    if not form.validate_on_submit():
        return _page(unit_row, correct=form, status=400)
    outcome = _attempt(form, lambda: service.correct_handover(unit_row, on=form.handed_over_on.data,
                                                              note=form.note.data, actor=user),
                       success=lambda _record: _("Handover date corrected to %(on)s.", on=unit_row.handed_over_on))
    if not outcome:
        return _page(unit_row, correct=form, status=outcome.error.status)
    return redirect(url_for("handovers.unit", unit_id=unit_row.id))


@bp.post("/units/<int:unit_id>/handover/revocation")
@requires("handovers.revoke")
def revoke(unit_id: int):
    """Revoke a handover signed by mistake: a new entry in the history; the unit is open again."""
    user = request_user()
    unit_row = project_queries.get_unit(user, unit_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _page(unit_row, revoke=form, status=400)
    outcome = _attempt(form, lambda: service.revoke_handover(unit_row, note=form.note.data, actor=user),
                       success=_("Handover revoked."))
    if not outcome:
        return _page(unit_row, revoke=form, status=outcome.error.status)
    return redirect(url_for("handovers.unit", unit_id=unit_row.id))


@bp.post("/units/<int:unit_id>/handover/walkthrough")
@requires("handovers.station")
def sign_walkthrough(unit_id: int):
    """The owner and the accompanying staff sign the walk-through (the unit's handover round)."""
    user = request_user()
    unit_row = project_queries.get_unit(user, unit_id)

    def step():
        inspection = walkthrough.walkthrough_round(unit_row, actor=user)
        return walkthrough.sign_walkthrough(inspection, owner_signature=request.form.get("owner_signature"),
                                            staff_signature=request.form.get("staff_signature"), actor=user)

    attempt(step, success=_("Walk-through signed."))
    return redirect(url_for("handovers.unit", unit_id=unit_row.id))
