"""Staff pages for master data: dashboard, unit lists, unit detail, import, owner activation."""
import sqlalchemy as sa
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from handover.accounts import service as accounts_service
from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.errors import DomainError, ValidationFailed
from handover.core.pagination import paginate
from handover.extensions import db
from handover.projects import importing, queries, service
from handover.projects.forms import BatchForm, ProjectForm, UnitImportForm
from handover.projects.models import HandoverMode, Unit

bp = Blueprint("projects", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/dashboard")
@requires("projects.view")
def dashboard():
    """Projects and batches in the user's scope, with unit counts."""
    user = request_user()
    batches = queries.list_batches(user)
    counts = dict(db.session.execute(
        sa.select(Unit.batch_id, sa.func.count()).where(Unit.batch_id.in_([b.id for b in batches]))
        .group_by(Unit.batch_id)).all())
    return render_template("projects/dashboard.html", projects=queries.list_projects(user),
                           batches=batches, counts=counts)


@bp.route("/projects/new", methods=["GET", "POST"])
@requires("projects.create")
def new_project():
    form = ProjectForm()
    if form.validate_on_submit():
        try:
            service.create_project(form.name.data, actor=request_user(), city=form.city.data or "",
                                   address=form.address.data or "", developer=form.developer.data or "")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Project created."), "success")
            return redirect(url_for("projects.dashboard"))
    return render_template("projects/form.html", form=form, title=_("New project"))


@bp.route("/projects/<int:project_id>/batches/new", methods=["GET", "POST"])
@requires("projects.create_batch")
def new_batch(project_id: int):
    project = queries.get_project(request_user(), project_id)
    form = BatchForm()
    if form.validate_on_submit():
        try:
            batch = service.create_batch(project, form.name.data, actor=request_user(),
                                         mode=HandoverMode(form.mode.data), window_start=form.window_start.data,
                                         window_end=form.window_end.data)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Batch created."), "success")
            return redirect(url_for("projects.units", batch_id=batch.id))
    return render_template("projects/form.html", form=form, title=_("New batch in %(p)s", p=project.name))


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.lstrip("-").isdigit() else None


@bp.get("/batches/<int:batch_id>/units")
@requires("projects.view")
def units(batch_id: int):
    """Browse a batch's units, filtered by building, floor and owner/room/contract search."""
    user = request_user()
    batch = queries.get_batch(user, batch_id)
    building_id, floor = _int_arg("building_id"), _int_arg("floor")
    q = request.args.get("q", "").strip()
    stmt = queries.units_query(user, batch_id=batch.id, building_id=building_id, floor=floor, q=q or None)
    page = paginate(stmt, _int_arg("page") or 1, current_app.config["UNITS_PER_PAGE"])
    return render_template("projects/units.html", batch=batch, page=page, buildings=queries.buildings_of(batch),
                           floors=queries.floors_of(batch.id, building_id), building_id=building_id,
                           floor=floor, q=q)


@bp.get("/units/<int:unit_id>")
@requires("projects.view")
def unit_detail(unit_id: int):
    unit = queries.get_unit(request_user(), unit_id)
    return render_template("projects/unit.html", unit=unit)


@bp.route("/batches/<int:batch_id>/import", methods=["GET", "POST"])
@requires("projects.import")
def import_units(batch_id: int):
    """Upload the unit/owner/contract spreadsheet; all or nothing, every problem listed."""
    batch = queries.get_batch(request_user(), batch_id)
    form = UnitImportForm()
    problems = None
    if form.validate_on_submit():
        try:
            result = importing.import_units(batch, form.file.data.read())
        except ValidationFailed as exc:
            db.session.rollback()
            problems = exc.details
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Import finished: %(c)d units created, %(u)d updated.", c=result.created, u=result.updated),
                  "success")
            for warning in result.warnings:
                flash(_("Row %(row)d: %(message)s", row=warning["row"], message=warning["message"]), "error")
            return redirect(url_for("projects.units", batch_id=batch.id))
    return render_template("projects/import.html", batch=batch, form=form, problems=problems)


@bp.get("/import-template.xlsx")
@requires("projects.view")
def import_template():
    return Response(importing.template_workbook(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=units-template.xlsx"})


@bp.post("/owners/<int:owner_id>/activation-code")
@requires("accounts.issue_activation_code")
def issue_activation_code(owner_id: int):
    """Issue a one-time portal activation code and show it, ready to print."""
    user = request_user()
    owner = queries.get_owner(user, owner_id)
    unit_id = request.form.get("unit_id", type=int)
    try:
        code = accounts_service.issue_activation_code(owner, actor=user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("projects.unit_detail", unit_id=unit_id) if unit_id else url_for("projects.dashboard"))
    db.session.commit()
    units = queries.units_of_owner(owner.id)
    return render_template("projects/activation_code.html", owner=owner, code=code, units=units,
                           activate_url=url_for("accounts.activate", _external=True))


@bp.get("/batches/<int:batch_id>")
@requires("projects.view")
def batch_detail(batch_id: int):
    return redirect(url_for("projects.units", batch_id=queries.get_batch(request_user(), batch_id).id))
