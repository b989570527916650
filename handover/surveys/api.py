"""API: the owner's open invitations and answers; the satisfaction dashboard of a batch."""
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.schemas import ApiErrorSchema
from handover.extensions import db
from handover.projects import queries as project_queries
from handover.surveys import queries, service
from handover.surveys.schemas import InvitationSchema, ResponseInSchema, ResponseSchema, SatisfactionSchema

blp = Blueprint("surveys_api", __name__, description="Satisfaction surveys")


@blp.route("/me/surveys", methods=["GET"])
@requires("surveys.answer")
@blp.response(200, InvitationSchema(many=True))
def my_surveys():
    """The owner's open invitations."""
    return service.open_invitations(request_user())


@blp.route("/survey-invitations/<int:invitation_id>/response", methods=["POST"])
@requires("surveys.answer")
@blp.arguments(ResponseInSchema)
@blp.response(201, ResponseSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="another owner's invitation")
@blp.alt_response(409, schema=ApiErrorSchema, description="already answered")
def respond(data, invitation_id: int):
    """Answer once: recommend 0–10, scores 1–5 per dimension, a comment. A low score opens a follow-up case."""
    user = request_user()
    response = service.respond(service.get_invitation(user, invitation_id), actor=user, **data)
    db.session.commit()
    return response


@blp.route("/batches/<int:batch_id>/satisfaction", methods=["GET"])
@requires("surveys.dashboard")
@blp.response(200, SatisfactionSchema)
def satisfaction(batch_id: int):
    """NPS, responses, response rate, by touchpoint and building, follow-ups opened and closed."""
    batch = project_queries.get_batch(request_user(), batch_id)
    return queries.satisfaction(batch.id)
