"""API: the offline package a tablet downloads to work on a batch's buildings without a signal."""
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.schemas import ApiErrorSchema
from handover.field.package import offline_package

blp = Blueprint("field_api", __name__, description="The offline field client")


class PackageQuerySchema(Schema):
    building_id = fields.List(fields.Integer(), load_default=list,
                              metadata={"description": "buildings to take offline (repeat it); default all"})


@blp.route("/batches/<int:batch_id>/offline-package", methods=["GET"])
@requires("defects.create")
@blp.arguments(PackageQuerySchema, location="query")
@blp.response(200)
@blp.alt_response(404, schema=ApiErrorSchema)
def package(args, batch_id: int):
    """Units, floor plans, checklist, contractors, open defects and keys of the chosen buildings."""
    return offline_package(request_user(), batch_id, args["building_id"])
