"""Staff pages for master data: dashboard, unit lists, unit detail, import, owner activation."""
import sqlalchemy as sa
from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from handover.accounts import service as accounts_service
from handover.accounts.access import request_user
from handover.accounts.models import STAFF_ROLES, Role
from handover.core.access import allow
from handover.core.pagination import paginate
from handover.extensions import db
from handover.accounts.rules import ACTIVATION_ROLES
from handover.projects import importing, queries, service
from handover.projects.rules import IMPORT_ROLES
from handover.projects.forms import BatchForm, ProjectForm, UnitImportForm
from handover.projects.models import HandoverMode, Unit
from handover.web.forms import attempt, import_problems, submit

bp = Blueprint("projects", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/dashboard")
@allow(STAFF_ROLES)
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
@allow(Role.ADMIN)
def new_project():
    form = ProjectForm()
    if submit(form, lambda: service.create_project(form.name.data, actor=request_user(), city=form.city.data or "",
                                                   address=form.address.data or "",
                                                   developer=form.developer.data or ""),
              success=_("Project created.")):
        return redirect(url_for("projects.dashboard"))
    return render_template("projects/form.html", form=form, title=_("New project"))


@bp.route("/projects/<int:project_id>/batches/new", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.MANAGER)
def new_batch(project_id: int):
    project = queries.get_project(request_user(), project_id)
    form = BatchForm()
    saved = submit(form, lambda: service.create_batch(project, form.name.data, actor=request_user(),
                                                      mode=HandoverMode(form.mode.data),
                                                      window_start=form.window_start.data,
                                                      window_end=form.window_end.data),
                   success=_("Batch created."))
    if saved:
        return redirect(url_for("projects.units", batch_id=saved.value.id))
    return render_template("projects/form.html", form=form, title=_("New batch in %(p)s", p=project.name))


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.lstrip("-").isdigit() else None


@bp.get("/batches/<int:batch_id>/units")
@allow(STAFF_ROLES)
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
                           floor=floor, q=q, can_import=user.role in IMPORT_ROLES)


@bp.get("/units/<int:unit_id>")
@allow(STAFF_ROLES)
def unit_detail(unit_id: int):
    unit = queries.get_unit(request_user(), unit_id)
    return render_template("projects/unit.html", unit=unit,
                           can_activate=request_user().role in ACTIVATION_ROLES)


@bp.route("/batches/<int:batch_id>/import", methods=["GET", "POST"])
@allow(IMPORT_ROLES)
def import_units(batch_id: int):
    """Upload the unit/owner/contract spreadsheet; all or nothing, every problem listed."""
    batch = queries.get_batch(request_user(), batch_id)
    form = UnitImportForm()
    done = submit(form, lambda: importing.import_units(batch, form.file.data.read()),
                  success=lambda result: _("Import finished: %(c)d units created, %(u)d updated.",
                                           c=result.created, u=result.updated))
    if done:
        return redirect(url_for("projects.units", batch_id=batch.id))
    problems = import_problems(done.error)
    return render_template("projects/import.html", batch=batch, form=form, problems=problems)


@bp.get("/import-template.xlsx")
@allow(STAFF_ROLES)
def import_template():
    return Response(importing.template_workbook(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=units-template.xlsx"})


@bp.post("/owners/<int:owner_id>/activation-code")
@allow(ACTIVATION_ROLES)
def issue_activation_code(owner_id: int):
    """Issue a one-time portal activation code and show it, ready to print."""
    user = request_user()
    owner = queries.get_owner(user, owner_id)
    unit_id = request.form.get("unit_id", type=int)
    issued = attempt(lambda: accounts_service.issue_activation_code(owner, actor=user))
    if not issued:
        return redirect(url_for("projects.unit_detail", unit_id=unit_id) if unit_id else url_for("projects.dashboard"))
    code = issued.value
    units = queries.units_of_owner(owner.id)
    return render_template("projects/activation_code.html", owner=owner, code=code, units=units,
                           activate_url=url_for("accounts.activate", _external=True))


@bp.get("/batches/<int:batch_id>")
@allow(STAFF_ROLES)
def batch_detail(batch_id: int):
    return redirect(url_for("projects.units", batch_id=queries.get_batch(request_user(), batch_id).id))
