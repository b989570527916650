"""API: a unit's handover gate and record, and signing the handover."""
from flask import request
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.schemas import ApiErrorSchema
from handover.core.timeutil import today_local
from handover.extensions import db
from handover.handovers import queries, service
from handover.handovers.schemas import HandoverInSchema, HandoverSchema
from handover.projects import queries as project_queries

blp = Blueprint("handovers_api", __name__, description="Handing units over: the gate and the signed record")


@blp.route("/units/<int:unit_id>/handover", methods=["GET"])
@requires("handovers.view")
@blp.response(200, HandoverSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def get_handover(unit_id: int):
    """The gate's unmet conditions (each with its reason, and for fees the amount and lines owed),
    the record in force and the history of acts."""
    return queries.handover_view(project_queries.get_unit(request_user(), unit_id))


@blp.route("/units/<int:unit_id>/handover", methods=["POST"])
@requires("handovers.sign")
@blp.arguments(HandoverInSchema)
@blp.response(200, HandoverSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="the gate is closed: every unmet condition in details")
def sign_handover(data, unit_id: int):
    """Record the signed handover; refused while any condition of the gate is unmet (fees not
    settled, returned unit, already handed over). A resend with the same idempotency key
    (field or `Idempotency-Key` header) returns the first record and signs nothing more."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    service.sign_handover(unit, on=data["handed_over_on"] or today_local(), actor=user, at=data["at"],
                          items=[*data["items"], *data["documents"]], note=data["note"],
                          owner_signature=data["owner_signature"], staff_signature=data["staff_signature"],
                          idempotency_key=data["idempotency_key"] or request.headers.get("Idempotency-Key"))
    db.session.commit()
    return queries.handover_view(unit)
