"""API: tokens, owner activation codes, activation."""
import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext as _
from flask_smorest import Blueprint

from handover.accounts import service
from handover.accounts.access import request_user
from handover.accounts.models import ActivationCode
from handover.accounts.permissions import requires
from handover.accounts.schemas import (ActivateRequestSchema, ActivatedSchema, ActivationCodeSchema,
                                       PasswordChangeSchema, TokenRequestSchema, TokenSchema)
from handover.accounts.signin_limits import limit_failed_signins, record_failure
from handover.api.schemas import ApiErrorSchema
from handover.core.access import public
from handover.core.errors import Unauthenticated
from handover.extensions import db, limiter
from handover.projects import queries

blp = Blueprint("accounts_api", __name__, description="Tokens and homeowner activation")


def _signin_limit() -> str:
    return current_app.config["SIGNIN_RATE_LIMIT"]


@blp.route("/auth/token", methods=["POST"])
@public
@limit_failed_signins
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema=ApiErrorSchema)
def create_token(data):
    """Exchange username (homeowners: mobile number) and password for a bearer token."""
    user = service.authenticate(data["username"], data["password"])
    if user is None:
        record_failure()
        raise Unauthenticated(_("Wrong username or password."))
    raw, token = service.issue_api_token(user)
    db.session.commit()
    return {"token": raw, "expires_at": token.expires_at, "role": user.role.value}


def _calling_token() -> str | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@blp.route("/auth/token", methods=["DELETE"])
@requires("accounts.own")
@blp.response(204)
@blp.alt_response(401, schema=ApiErrorSchema)
def revoke_token():
    """Sign out: the calling token stops working at once."""
    service.revoke_api_token(_calling_token())
    db.session.commit()


@blp.route("/auth/password", methods=["POST"])
@requires("accounts.own")
@blp.arguments(PasswordChangeSchema)
@blp.response(200, TokenSchema, description="a fresh token: every earlier token and session has ended")
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.alt_response(422, schema=ApiErrorSchema, description="wrong current password, or a weak new one")
def change_password(data):
    """Change your password. Every session and token of yours ends (this one too); the answer
    carries a new token."""
    user = request_user()
    service.change_password(user, data["current_password"], data["new_password"])
    raw, token = service.issue_api_token(user)
    db.session.commit()
    return {"token": raw, "expires_at": token.expires_at, "role": user.role.value}


@blp.route("/owners/<int:owner_id>/activation-code", methods=["POST"])
@requires("accounts.issue_activation_code")
@blp.response(201, ActivationCodeSchema)
def create_activation_code(owner_id: int):
    """Issue a one-time portal activation code for an owner (earlier unused codes stop working)."""
    user = request_user()
    owner = queries.get_owner(user, owner_id)
    code = service.issue_activation_code(owner, actor=user)
    expires_at = db.session.scalar(sa.select(ActivationCode.expires_at).where(ActivationCode.owner_id == owner.id)
                                   .order_by(ActivationCode.id.desc()).limit(1))
    db.session.commit()
    return {"code": code, "expires_at": expires_at}


@blp.route("/auth/activate", methods=["POST"])
@public
@limiter.limit(_signin_limit)
@blp.arguments(ActivateRequestSchema)
@blp.response(200, ActivatedSchema)
@blp.alt_response(422, schema=ApiErrorSchema)
def activate(data):
    """A homeowner sets their password with mobile number + activation code; the code is spent."""
    user = service.activate_owner(data["phone"], data["code"], data["password"])
    db.session.commit()
    return {"username": user.username}
