"""API: tokens, owner activation codes, activation."""
from flask import request
from flask_babel import gettext as _
from flask_smorest import Blueprint

from handover.accounts import service
from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.accounts.schemas import (ActivateRequestSchema, ActivatedSchema, ActivationCodeSchema,
                                       PasswordChangeSchema, ResetRequestSchema, TokenRequestSchema, TokenSchema)
from handover.accounts.signin_limits import (counting_failures, limit_failed_activations, limit_failed_signins,
                                             record_failure)
from handover.api.schemas import ApiErrorSchema
from handover.core.access import public
from handover.core.errors import Unauthenticated
from handover.extensions import db
from handover.projects import queries

blp = Blueprint("accounts_api", __name__, description="Tokens and homeowner activation")


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
    """The owner's one-time portal activation code: the live one (the same code every time, until
    it is used or expires: printed notices stay valid) or a new one, valid until the owner's
    handover window ends plus 30 days. An owner who already has an account uses it, with their ID
    number, at `/auth/reset`."""
    user = request_user()
    owner = queries.get_owner(user, owner_id)
    code = service.issue_activation_code(owner, actor=user)
    expires_at = service.activation_code_expiry(owner)
    db.session.commit()
    return {"code": code, "expires_at": expires_at}


@blp.route("/auth/activate", methods=["POST"])
@public
@limit_failed_activations
@blp.arguments(ActivateRequestSchema)
@blp.response(200, ActivatedSchema)
@blp.alt_response(422, schema=ApiErrorSchema)
@blp.alt_response(429, schema=ApiErrorSchema, description="too many failed attempts for the phone or address")
def activate(data):
    """A homeowner without an account creates it with mobile number + activation code; the code
    is spent. Failed attempts are limited per phone number and per address (shared with the page)."""
    user = counting_failures(service.activate_owner)(data["phone"], data["code"], data["password"])
    db.session.commit()
    return {"username": user.username}


@blp.route("/auth/reset", methods=["POST"])
@public
@limit_failed_activations
@blp.arguments(ResetRequestSchema)
@blp.response(200, ActivatedSchema)
@blp.alt_response(422, schema=ApiErrorSchema)
@blp.alt_response(429, schema=ApiErrorSchema, description="too many failed attempts for the phone or address")
def reset(data):
    """A homeowner who has an account sets a new password with mobile number + a code from staff
    + the last six characters of their ID number; the code is spent, every session and token ends."""
    user = counting_failures(service.reset_owner_password)(data["phone"], data["code"], data["id_tail"],
                                                           data["password"])
    db.session.commit()
    return {"username": user.username}
