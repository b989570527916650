"""Pages: the user's inbox (owners and staff alike)."""
from flask import Blueprint, redirect, render_template, url_for
from flask_wtf import FlaskForm

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.notifications import queries, service
from handover.web.forms import attempt

bp = Blueprint("notifications", __name__)


@bp.get("/inbox")
@requires("notifications.inbox")
def inbox():
    user = request_user()
    return render_template("notifications/inbox.html", items=queries.inbox(user), unread=queries.unread_count(user),
                           form=FlaskForm())


@bp.post("/inbox/read")
@requires("notifications.inbox")
def read_all():
    user = request_user()
    if FlaskForm().validate_on_submit():
        attempt(lambda: service.mark_read(user))
    return redirect(url_for("notifications.inbox"))
