"""API: projects, batches, units, unit import, contractors."""
import sqlalchemy as sa
from flask import jsonify
from flask_babel import gettext as _
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.schemas import ApiErrorSchema
from handover.core.errors import NotFound, ValidationFailed
from handover.core.pagination import page_body
from handover.extensions import db
from handover.core.staging import sha256_of
from handover.projects import import_runs, importing, queries, service
from handover.projects.models import Contractor, ImportRun, Unit
from handover.projects.schemas import (BatchInSchema, BatchSchema, ContractorInSchema, ContractorSchema,
                                       ImportArgsSchema, ImportFileSchema, ImportResultSchema, ImportRunSchema,
                                       ProjectInSchema, ProjectSchema, UnitDetailSchema, UnitPageSchema,
                                       UnitQuerySchema)

blp = Blueprint("projects_api", __name__, description="Projects, batches, units and contractors")


@blp.route("/projects", methods=["GET"])
@requires("projects.view")
@blp.response(200, ProjectSchema(many=True))
def list_projects():
    """Projects in the caller's scope."""
    return queries.list_projects(request_user())


@blp.route("/projects", methods=["POST"])
@requires("projects.create")
@blp.arguments(ProjectInSchema)
@blp.response(201, ProjectSchema)
@blp.alt_response(409, schema=ApiErrorSchema)
def create_project(data):
    """Create a development."""
    project = service.create_project(actor=request_user(), **data)
    db.session.commit()
    return project


@blp.route("/projects/<int:project_id>/batches", methods=["POST"])
@requires("projects.create_batch")
@blp.arguments(BatchInSchema)
@blp.response(201, BatchSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def create_batch(data, project_id: int):
    """Create a handover batch in a project."""
    project = queries.get_project(request_user(), project_id)
    batch = service.create_batch(project, actor=request_user(), **data)
    db.session.commit()
    return _batch_out(batch)


def _batch_out(batch):
    count = db.session.scalar(sa.select(sa.func.count()).where(Unit.batch_id == batch.id))
    return {"id": batch.id, "project_id": batch.project_id, "name": batch.name, "mode": batch.mode,
            "window_start": batch.window_start, "window_end": batch.window_end,
            "buildings": queries.buildings_of(batch), "unit_count": count}


@blp.route("/batches/<int:batch_id>", methods=["GET"])
@requires("projects.view")
@blp.response(200, BatchSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def get_batch(batch_id: int):
    """A batch with its buildings and unit count."""
    return _batch_out(queries.get_batch(request_user(), batch_id))


@blp.route("/batches/<int:batch_id>/units/import", methods=["POST"])
@requires("projects.import")
@blp.arguments(ImportArgsSchema, location="query")
@blp.arguments(ImportFileSchema, location="files")
@blp.response(200, ImportResultSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="warnings not accepted (each in details with row and "
                                                          "column); repeat with accept_warnings=true")
@blp.alt_response(422, schema=ApiErrorSchema, description="every bad cell with row and column; nothing imported")
def import_units(args, files, batch_id: int):
    """Import units, owners and contracts from the .xlsx template; all rows or none.

    `dry_run=true` returns the preview (new units, changed fields old → new, unchanged rows, skipped
    template examples, warnings) without writing. A file with warnings is written only with
    `accept_warnings=true`. The result names the import run, which can be undone the same day.
    """
    batch = queries.get_batch(request_user(), batch_id)
    content = files["file"].read()
    try:
        if args["dry_run"]:
            preview = importing.preview_units(batch, content)
            db.session.rollback()
            return _import_body(preview, dry_run=True)
        preview = importing.preview_units(batch, content)
        result = importing.import_units(batch, content, actor=request_user(), accept_warnings=args["accept_warnings"],
                                        expected_fingerprint=preview.fingerprint(),
                                        file_name=files["file"].filename or "", sha256=sha256_of(content))
    except ValidationFailed as exc:
        db.session.rollback()
        body = {"error": exc.code, "message": exc.message, "details": exc.details, "errors": exc.details}
        return jsonify(body), 422
    db.session.commit()
    return _import_body(preview, dry_run=False, run_id=result.run_id)


def _import_body(preview, *, dry_run: bool, run_id: int | None = None) -> dict:
    body = preview.as_dict()
    return {"dry_run": dry_run, "created": len(preview.new), "updated": len(preview.updated),
            "unchanged": preview.unchanged, "skipped_examples": preview.skipped_examples,
            "warnings": preview.warnings, "new": body["new"], "changed": body["updated"], "run_id": run_id}


@blp.route("/imports/<int:run_id>/undo", methods=["POST"])
@requires("projects.import")
@blp.response(200, ImportRunSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="not today, a later import on top, or units already in use")
def undo_import(run_id: int):
    """Undo a unit import as a whole: old values come back, units it created are removed."""
    run = db.session.get(ImportRun, run_id)
    if run is None or run.kind != importing.RUN_KIND:
        raise NotFound(_("No such import."))
    queries.get_batch(request_user(), run.batch_id)
    import_runs.undo_import(run, actor=request_user())
    db.session.commit()
    return run


@blp.route("/units", methods=["GET"])
@requires("projects.view_units")
@blp.arguments(UnitQuerySchema, location="query")
@blp.response(200, UnitPageSchema)
def list_units(args):
    """Units the caller may see, filtered by batch, building name, floor and search text."""
    stmt = queries.units_query(request_user(), batch_id=args.get("batch_id"), building=args.get("building"),
                               floor=args.get("floor"), q=args.get("q"))
    return page_body(stmt, args["page"], args["per_page"])


@blp.route("/units/<int:unit_id>", methods=["GET"])
@requires("projects.view_units")
@blp.response(200, UnitDetailSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def get_unit(unit_id: int):
    """One unit with its contract; another owner's or another project's unit is 404."""
    return queries.get_unit(request_user(), unit_id)


@blp.route("/contractors", methods=["GET"])
@requires("projects.view")
@blp.response(200, ContractorSchema(many=True))
def list_contractors():
    """Contractor companies."""
    return list(db.session.scalars(sa.select(Contractor).order_by(Contractor.name)))


@blp.route("/contractors", methods=["POST"])
@requires("projects.create_contractor")
@blp.arguments(ContractorInSchema)
@blp.response(201, ContractorSchema)
@blp.alt_response(409, schema=ApiErrorSchema)
def create_contractor(data):
    """Register a contractor company; its staff then get users with role contractor."""
    contractor = service.create_contractor(actor=request_user(), **data)
    db.session.commit()
    return contractor
