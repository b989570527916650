"""API: record defects (idempotent), photos, life-cycle transitions, lists, bulk assignment."""
from flask import send_file
from flask_babel import gettext as _
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.idempotency import IDEMPOTENCY_KEY_HEADER, idempotency_key
from handover.api.schemas import ApiErrorSchema
from handover.core import storage
from handover.core.errors import NotFound
from handover.core.pagination import page_body
from handover.defects import queries, rules, service
from handover.defects.models import DefectPhoto
from handover.defects.schemas import (BulkAssignInSchema, BulkResultSchema, DefectDetailSchema, DefectInSchema,
                                      DefectPageSchema, DefectQuerySchema, DefectSchema, PhotoFormSchema, PhotoQuerySchema,
                                      PhotoSchema, PhotoUploadSchema, TransitionInSchema)
from handover.extensions import db
from handover.projects import queries as project_queries

blp = Blueprint("defects_api", __name__, description="Defects and their rectification")


@blp.route("/units/<int:unit_id>/defects", methods=["POST"])
@requires("defects.create")
@blp.arguments(DefectInSchema)
@blp.response(201, DefectSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="the id is already used for another unit")
def record_defect(data, unit_id: int):
    """Record a defect. Resending the same `id` returns the same defect, never a duplicate."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    defect_id, at = data.pop("id"), data.pop("at")
    defect, _created = service.record_defect(unit, service.NewDefect(id=str(defect_id) if defect_id else None,
                                                                     **data), actor=user, at=at)
    db.session.commit()
    return defect


@blp.route("/defects", methods=["GET"])
@requires("defects.view")
@blp.arguments(DefectQuerySchema, location="query")
@blp.response(200, DefectPageSchema)
def list_defects(args):
    """Defects the caller may see (contractors: their company's; owners: their units'), filtered."""
    page, per_page = args.pop("page"), args.pop("per_page")
    return page_body(queries.defects_query(request_user(), queries.DefectFilters(**args)), page, per_page)


@blp.route("/defects/<defect_id>", methods=["GET"])
@requires("defects.view")
@blp.response(200, DefectDetailSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def get_defect(defect_id: str):
    """One defect with its status, rework count, history and photos."""
    return queries.get_defect(request_user(), defect_id)


@blp.route("/defects/<defect_id>/transitions", methods=["POST"])
@requires("defects.view")
@blp.doc(parameters=[IDEMPOTENCY_KEY_HEADER])
@blp.arguments(TransitionInSchema)
@blp.response(200, DefectDetailSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="not allowed from the current status, or stale version")
@blp.alt_response(422, schema=ApiErrorSchema, description="a precondition is missing (contractor, photo, …)")
def transition(data, defect_id: str):
    """Move a defect through its life cycle: assign, fix, verify, reject, unfixable; owners dispute or confirm.

    Resending with the same idempotency key returns the defect and acts only once (the version
    check applies to the first request only)."""
    user = request_user()
    defect = queries.get_defect(user, defect_id, for_update=True)
    version, at, key = data.pop("version"), data.pop("at"), idempotency_key(data)
    if data["action"] == "confirm":
        service.confirm_fix(defect, actor=user, at=at, idempotency_key=key)
    else:
        service.transition(defect, rules.TransitionInput(**data), actor=user, version=version, at=at,
                           idempotency_key=key)
    db.session.commit()
    return queries.get_defect(user, defect_id)


@blp.route("/defects/<defect_id>/photos", methods=["POST"])
@requires("defects.add_photo")
@blp.doc(parameters=[IDEMPOTENCY_KEY_HEADER])
@blp.arguments(PhotoUploadSchema, location="files")
@blp.arguments(PhotoFormSchema, location="form")
@blp.response(201, PhotoSchema)
@blp.alt_response(422, schema=ApiErrorSchema, description="not a valid image")
def upload_photo(files, form, defect_id: str):
    """Attach a photo (JPEG/PNG/WebP). It is re-encoded without EXIF and gets a thumbnail.

    Resending with the same idempotency key (an offline tablet's photo id) returns the first photo."""
    user = request_user()
    defect = queries.get_defect(user, defect_id)
    photo = service.add_photo(defect, files["file"].read(), actor=user, at=form["at"],
                              idempotency_key=idempotency_key({}))
    db.session.commit()
    return photo


@blp.route("/defects/<defect_id>/photos/<int:photo_id>", methods=["GET"])
@requires("defects.view")
@blp.arguments(PhotoQuerySchema, location="query")
@blp.response(200)
def get_photo(args, defect_id: str, photo_id: int):
    """The photo itself (or its thumbnail), for whoever may see the defect."""
    defect = queries.get_defect(request_user(), defect_id)
    photo = next((p for p in defect.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound(_("Photo not found."))
    return send_photo(photo, args["size"])


def send_photo(photo: DefectPhoto, size: str):
    path = storage.resolve(photo.thumb_path if size == "thumb" else photo.path)
    return send_file(path, mimetype="image/jpeg", max_age=3600)


@blp.route("/defects/bulk-assign", methods=["POST"])
@requires("defects.assign")
@blp.arguments(BulkAssignInSchema)
@blp.response(200, BulkResultSchema)
def bulk_assign(data):
    """Assign every open defect matching the filters (e.g. all window defects of building 3)."""
    user = request_user()
    project_queries.get_batch(user, data["batch_id"])
    filters = queries.DefectFilters(batch_id=data["batch_id"], building_id=data["building_id"],
                                    category=data["category"], stage=data["stage"])
    defects = list(db.session.scalars(queries.defects_query(user, filters)))
    count = service.bulk_assign(defects, contractor_id=data["contractor_id"], due_date=data["due_date"],
                                actor=user, note=data["note"])
    db.session.commit()
    return {"assigned": count}
