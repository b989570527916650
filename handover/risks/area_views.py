"""Pages around the risks: public areas and their defects, the sales-promise register (and its
checks on the walk-through), and the transfer of each building to the property company."""
import uuid
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import can, requires
from handover.defects import service as defect_service
from handover.defects.forms import uploaded_files
from handover.defects.models import Severity
from handover.web.forms import attempt, submit
from handover.extensions import db
from handover.inspections.models import InspectionStage
from handover.projects import queries as project_queries
from handover.risks import documents, queries, rules, service
from handover.risks.forms import (
    AreaDefectForm,
    AreaForm,
    PromiseCheckForm,
    PromiseForm,
    TransferForm,
    set_buildings,
)
from handover.risks.models import AreaKind, PromiseSource

bp = Blueprint("risk_areas", __name__)


def _batch(batch_id: int):
    return project_queries.get_batch(request_user(), batch_id)


# --- public areas ----------------------------------------------------------------------------

@bp.route("/batches/<int:batch_id>/areas", methods=["GET", "POST"])
@requires("risks.view")
def areas(batch_id: int):
    """Public areas of the batch with their open defects; add one."""
    batch = _batch(batch_id)
    form = AreaForm()
    set_buildings(form.building_id, project_queries.buildings_of(batch))
    status = 200
    if request.method == "POST":
        if not can(request_user(), "risks.areas"):
            flash(_("You may not add public areas."), "error")
            return redirect(url_for("risk_areas.areas", batch_id=batch_id))
        if submit(form, lambda: service.add_area(batch, name=form.name.data, kind=AreaKind(form.kind.data),
                                                 building_id=form.building_id.building_id(), actor=request_user()),
                  success=_("Public area added.")):
            return redirect(url_for("risk_areas.areas", batch_id=batch_id))
        status = 422
    return render_template("risks/areas.html", batch=batch, rows=queries.areas_of(batch.id), form=form,
                           can_add=can(request_user(), "risks.areas")), status


@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
@requires("risks.view")
def area_detail(area_id: int):
    """A public area's defects, and logging a new one (the same defect workflow as in a unit)."""
    user = request_user()
    area = queries.get_area(user, area_id)
    form = AreaDefectForm()
    status = 200
    if request.method == "POST":
        if not can(user, "risks.area_defects"):
            flash(_("You may not log defects."), "error")
            return redirect(url_for("risk_areas.area_detail", area_id=area_id))

        def record():
            defect, _created = defect_service.record_defect(None, defect_service.NewDefect(
                id=form.id.data or None, stage=InspectionStage(form.stage.data), room=form.room.data,
                category=form.category.data, description=form.description.data,
                severity=Severity(form.severity.data)), actor=user, area=area)
            for upload in uploaded_files(form.photos):
                defect_service.add_photo(defect, upload.read(), actor=user)
            return defect

        outcome = submit(form, record, success=_("Defect recorded."))
        if outcome:
            return redirect(url_for("defects.detail", defect_id=outcome.value.id))
        status = 422
    return render_template("risks/area.html", area=area, defects=queries.area_defects(area.id), form=form,
                           can_log=can(user, "risks.area_defects"), uuid=str(uuid.uuid4())), status


# --- sales promises --------------------------------------------------------------------------

@bp.route("/batches/<int:batch_id>/promises", methods=["GET", "POST"])
@requires("risks.view")
def promises(batch_id: int):
    """The sales-promise register with each promise's scope; add a promise."""
    user = request_user()
    batch = _batch(batch_id)
    buildings = project_queries.buildings_of(batch)
    form = PromiseForm()
    form.building_ids.choices = [(b.id, b.name) for b in buildings]
    units = list(db.session.scalars(project_queries.units_query(user, batch_id=batch.id)))
    form.unit_ids.choices = [(u.id, u.label) for u in units]
    status = 200
    if request.method == "POST":
        if not can(user, "risks.edit"):
            flash(_("You may not add promises."), "error")
            return redirect(url_for("risk_areas.promises", batch_id=batch_id))
        if submit(form, lambda: service.add_promise(batch, service.NewPromise(
                text=form.text.data, source=PromiseSource(form.source.data), reference=form.reference.data or "",
                building_ids=tuple(form.building_ids.data or ()), unit_ids=tuple(form.unit_ids.data or ())),
                actor=user), success=_("Promise registered.")):
            return redirect(url_for("risk_areas.promises", batch_id=batch_id))
        status = 422
    rows = [(p, queries.scope_label(p)) for p in queries.promises_of(batch.id)]
    return render_template("risks/promises.html", batch=batch, rows=rows, form=form,
                           coverage=queries.promise_coverage(batch.id), can_add=can(user, "risks.edit")), status


@bp.post("/promises/<int:promise_id>/checks")
@requires("risks.edit")
def check_promise(promise_id: int):
    """Kept / not kept in a unit, from the walk-through's checklist; not kept opens a category C risk."""
    user = request_user()
    promise = queries.get_promise(user, promise_id)
    form = PromiseCheckForm()
    back = request.form.get("next") or url_for("risk_areas.promises", batch_id=promise.batch_id)
    if not back.startswith("/"):
        back = url_for("risk_areas.promises", batch_id=promise.batch_id)
    if not form.validate_on_submit():
        flash(_("The form has expired. Reload the page and try again."), "error")
        return redirect(back)
    unit = project_queries.get_unit(user, form.unit_id.data)
    attempt(lambda: service.check_promise(promise, unit, kept=form.kept.data == "1", note=form.note.data or "",
                                          actor=user, inspection_id=form.inspection_id.data),
            success=lambda check: (_("Promise not kept: a category C risk was opened.") if check.risk_id
                                   else _("Promise checked: kept.")))
    return redirect(back)


# --- the transfer to the property company ----------------------------------------------------

def _open_items(form: TransferForm) -> list[service.OpenItem]:
    """Lines "what | YYYY-MM-DD"; a line without a readable date keeps its text and no date (the
    service then says which line needs one)."""
    items = []
    for line in (form.open_items.data or "").splitlines():
        if not line.strip():
            continue
        text, _sep, when = line.partition("|")
        try:
            promised_on = date.fromisoformat(when.strip()) if when.strip() else None
        except ValueError:
            promised_on = None
        items.append(service.OpenItem(description=text.strip(), promised_on=promised_on))
    return items


@bp.route("/batches/<int:batch_id>/transfers", methods=["GET", "POST"])
@requires("risks.view")
def transfers(batch_id: int):
    """Per building: transferred or not, the latest day it is due (20 days before the window), and
    the record: date, open items with promised dates, both signatories."""
    user = request_user()
    batch = _batch(batch_id)
    form = TransferForm()
    status = 200
    if request.method == "POST":
        if not can(user, "risks.transfer"):
            flash(_("You may not record transfers."), "error")
            return redirect(url_for("risk_areas.transfers", batch_id=batch_id))
        outcome = submit(form, lambda: service.record_transfer(
            queries.get_building(user, form.building_id.data), service.NewTransfer(
                transferred_on=form.transferred_on.data, developer_signatory=form.developer_signatory.data,
                property_signatory=form.property_signatory.data, note=form.note.data or "",
                open_items=tuple(_open_items(form))), actor=user), success=_("Transfer recorded."))
        if outcome:
            if rules.is_transfer_late(outcome.value.transferred_on, batch.window_start):
                flash(documents.late_warning(batch), "error")
            return redirect(url_for("risk_areas.transfers", batch_id=batch_id))
        status = 422
    return render_template("risks/transfers.html", batch=batch, rows=queries.transfers_of(batch), form=form,
                           posted_building=form.building_id.data if request.method == "POST" else None,
                           can_record=can(user, "risks.transfer")), status

