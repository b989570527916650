"""Staff pages for master data: dashboard, unit lists, unit detail, import, owner activation."""
import sqlalchemy as sa
from flask import Blueprint, flash, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from handover.accounts import service as accounts_service
from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.errors import NotFound
from handover.core.staging import discard_staged, load_staged
from handover.core.pagination import paginate
from handover.extensions import db
from handover.projects import import_runs, importing, queries, service, unit_sheet
from handover.projects.forms import BatchForm, CompanyDetailsForm, ImportConfirmForm, ProjectForm, UnitImportForm
from handover.projects.models import HandoverMode, ImportRun, Unit
from handover.web.imports import preview_upload, recent_imports
from handover.web.forms import attempt, submit

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
    if submit(form, lambda: service.create_project(form.name.data, actor=request_user(), city=form.city.data or "",
                                                   address=form.address.data or "",
                                                   developer=form.developer.data or ""),
              success=_("Project created.")):
        return redirect(url_for("projects.dashboard"))
    return render_template("projects/form.html", form=form, title=_("New project"))


@bp.route("/projects/<int:project_id>/settings", methods=["GET", "POST"])
@requires("projects.settings")
def project_settings(project_id: int):
    """The company details every document prints: name, address, phone, hours, venue, bank account, seal box."""
    project = queries.get_project(request_user(), project_id)
    form = CompanyDetailsForm(obj=project)
    if submit(form, lambda: service.update_company_details(
            project, actor=request_user(), **{name: getattr(form, name).data for name in service.COMPANY_FIELDS}),
              success=_("Settings saved.")):
        return redirect(url_for("projects.project_settings", project_id=project.id))
    return render_template("projects/form.html", form=form, title=_("Document settings of %(p)s", p=project.name))


@bp.route("/projects/<int:project_id>/batches/new", methods=["GET", "POST"])
@requires("projects.create_batch")
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
    """Upload the unit/owner/contract spreadsheet and see what it would change; nothing is written yet."""
    user = request_user()
    batch = queries.get_batch(user, batch_id)
    form = UnitImportForm()
    found = preview_upload(form, lambda content: importing.preview_units(batch, content), purpose=_purpose(batch.id), user_id=user.id)
    return render_template("projects/import.html", batch=batch, form=form, **found,
                           **recent_imports(batch.id, importing.RUN_KIND))


def _purpose(batch_id: int) -> str:
    return f"{importing.RUN_KIND}:{batch_id}"


@bp.post("/batches/<int:batch_id>/import/confirm")
@requires("projects.import")
def confirm_import(batch_id: int):
    """Write exactly the previewed file (same hash, same preview), then offer undo on the import page."""
    user = request_user()
    batch = queries.get_batch(user, batch_id)
    form = ImportConfirmForm()
    back = redirect(url_for("projects.import_units", batch_id=batch.id))
    if not form.validate_on_submit():
        flash(_("The confirmation was incomplete; upload the file again."), "error")
        return back

    def confirm():
        staged = load_staged(form.token.data, purpose=_purpose(batch.id), user_id=user.id, sha256=form.sha256.data)
        return staged, importing.import_units(batch, staged.content, actor=user,
                                              accept_warnings=form.accept_warnings.data,
                                              expected_fingerprint=staged.fingerprint, file_name=staged.file_name,
                                              sha256=staged.sha256)

    outcome = attempt(confirm, success=lambda done: _(
        "Import finished: %(c)d units created, %(u)d updated. It can be undone today below.",
        c=done[1].created, u=done[1].updated))
    if outcome:
        discard_staged(outcome.value[0].token)
    return back


@bp.post("/imports/<int:run_id>/undo")
@requires("projects.import")
def undo_import(run_id: int):
    """Undo a unit import as a whole (same day, latest first, created units not yet in use)."""
    user = request_user()
    run = db.session.get(ImportRun, run_id)
    if run is None or run.kind != importing.RUN_KIND:
        raise NotFound(_("No such import."))
    batch = queries.get_batch(user, run.batch_id)
    attempt(lambda: import_runs.undo_import(run, actor=user), success=_("The import was undone."))
    return redirect(url_for("projects.import_units", batch_id=batch.id))


@bp.get("/import-template.xlsx")
@requires("projects.view")
def import_template():
    return Response(unit_sheet.template_workbook(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=units-template.xlsx"})


@bp.post("/owners/<int:owner_id>/activation-code")
@requires("accounts.issue_activation_code")
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
    has_account = accounts_service.has_portal_account(owner)
    return render_template("projects/activation_code.html", owner=owner, code=code, units=units,
                           expires_at=accounts_service.activation_code_expiry(owner), has_account=has_account,
                           activate_url=url_for("accounts.reset" if has_account else "accounts.activate",
                                                _external=True))


@bp.get("/batches/<int:batch_id>")
@requires("projects.view")
def batch_detail(batch_id: int):
    return redirect(url_for("projects.units", batch_id=queries.get_batch(request_user(), batch_id).id))
