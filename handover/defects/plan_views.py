"""Floor plans per layout: upload them for a batch, and serve them to the pages that pin defects."""
import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core import storage
from handover.core.errors import NotFound
from handover.defects import plans
from handover.defects.models import Defect, LayoutPlan
from handover.extensions import db
from handover.projects import queries as project_queries
from handover.web.forms import attempt

bp = Blueprint("plans", __name__)


@bp.route("/batches/<int:batch_id>/plans", methods=["GET", "POST"])
@requires("defects.manage_plans")
def batch_plans(batch_id: int):
    """One floor plan image per layout of the batch; defects are pinned on it."""
    batch = project_queries.get_batch(request_user(), batch_id)
    if request.method == "POST":
        upload = request.files.get("file")
        content = upload.read() if upload else b""
        attempt(lambda: plans.set_layout_plan(batch, request.form.get("layout", ""), content, actor=request_user()),
                success=_("Floor plan saved."))
        return redirect(url_for("plans.batch_plans", batch_id=batch.id))
    return render_template("defects/plans.html", batch=batch, layouts=plans.batch_layouts(batch),
                           plans=plans.plans_of(batch))


@bp.get("/plans/<int:plan_id>")
@requires("defects.view_plans")
def image(plan_id: int):
    """The plan image, for staff of the batch's project or a contractor with defects in that batch."""
    user = request_user()
    plan = db.session.get(LayoutPlan, plan_id)
    if plan is None:
        raise NotFound(_("Floor plan not found."))
    if user.is_contractor:
        mine = db.session.scalar(sa.select(Defect.id).where(Defect.batch_id == plan.batch_id,
                                                            Defect.contractor_id == user.contractor_id).limit(1))
        if mine is None:
            raise NotFound(_("Floor plan not found."))
    else:
        project_queries.get_batch(user, plan.batch_id)
    return send_file(storage.resolve(plan.path), mimetype="image/jpeg", max_age=3600)
