"""Pages: the owner answers a survey from the invitation; staff see the satisfaction dashboard."""
from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.projects import queries as project_queries
from handover.surveys import queries, service
from handover.surveys.forms import SurveyForm
from handover.surveys.models import DIMENSION_LABELS, DIMENSIONS, Touchpoint
from handover.web.forms import submit

bp = Blueprint("surveys", __name__)


@bp.route("/my/surveys/<int:invitation_id>", methods=["GET", "POST"])
@requires("surveys.answer")
def answer(invitation_id: int):
    user = request_user()
    invitation = service.get_invitation(user, invitation_id)
    form = SurveyForm()
    scores = {name: int(getattr(form, name).data) for name in DIMENSIONS if getattr(form, name).data}
    if invitation.answered_at is None and submit(
            form, lambda: service.respond(invitation, recommend=int(form.recommend.data), scores=scores,
                                          comment=form.comment.data or "", complaint=form.complaint.data,
                                          actor=user), success=_("Thank you for your answer!")):
        return redirect(url_for("portal.home"))
    return render_template("surveys/answer.html", form=form, invitation=invitation, dimensions=DIMENSIONS), \
        422 if form.errors else 200


@bp.get("/batches/<int:batch_id>/satisfaction")
@requires("surveys.dashboard")
def dashboard(batch_id: int):
    batch = project_queries.get_batch(request_user(), batch_id)
    return render_template("surveys/dashboard.html", batch=batch, data=queries.satisfaction(batch.id),
                           touchpoints=Touchpoint, dimensions=DIMENSIONS, dimension_labels=DIMENSION_LABELS)
