"""API: the signed-in user's inbox."""
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.extensions import db
from handover.notifications import queries, service
from handover.notifications.schemas import InboxSchema, ReadInSchema, ReadSchema

blp = Blueprint("notifications_api", __name__, description="The user's inbox")


@blp.route("/me/notifications", methods=["GET"])
@requires("notifications.inbox")
@blp.response(200, InboxSchema)
def inbox():
    """The newest notifications and how many are unread."""
    user = request_user()
    return {"items": queries.inbox(user), "unread": queries.unread_count(user)}


@blp.route("/me/notifications/read", methods=["POST"])
@requires("notifications.inbox")
@blp.arguments(ReadInSchema)
@blp.response(200, ReadSchema)
def mark_read(data):
    """Mark the given notifications (or all) read."""
    user = request_user()
    marked = service.mark_read(user, data["ids"])
    db.session.commit()
    return {"marked": marked, "unread": queries.unread_count(user)}
