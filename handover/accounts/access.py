"""Request-time access control: who is calling, and may they call this route at all.

Denied by default: a route that declares no access (`@public` or `@requires("…")`) answers 403
and is caught by a test that walks the URL map.
"""
from flask import Flask, current_app, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import Forbidden, Unauthorized

from handover.accounts.models import User
from handover.accounts.permissions import can
from handover.accounts.rules import id_number_for, phone_for
from handover.accounts.service import user_for_api_token, user_for_login_session
from handover.audit.recorder import set_actor
from handover.core.access import PUBLIC, declared_access, declared_permission
from handover.core.http import is_api_request
from handover.extensions import login_manager


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    return user_for_login_session(session_id)


def _bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_api_token(token.strip())


def request_user() -> User | None:
    """The caller: a bearer token for the API (never the cookie), the session for pages."""
    if "request_user" not in g:
        if is_api_request():
            g.request_user = _bearer_user()
        else:
            g.request_user = current_user._get_current_object() if current_user.is_authenticated else None
    return g.request_user


def enforce_access():
    """before_request: refuse undeclared routes, unauthenticated callers and callers without the permission."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    access = declared_access(view, request.method)
    if access is None:
        current_app.logger.error("route %s declares no access; refused", request.endpoint)
        raise Forbidden()
    user = request_user()
    if user is not None:
        set_actor(user.id, user.name)
    if access is PUBLIC:
        return None
    if user is None:
        if is_api_request():
            raise Unauthorized()
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    permission = declared_permission(view, request.method)
    if permission is None or not can(user, permission):
        raise Forbidden()
    return None


def register_template_globals(app: Flask) -> None:
    """The caller in every template: `me`, `can("perm")`, and personal data as they may see it."""

    @app.context_processor
    def _user_globals():
        user = request_user() if request else None
        return {
            "me": user,
            "can": (lambda permission: can(user, permission)),
            "show_phone": (lambda phone: phone_for(user, phone)),
            "show_id_number": (lambda number: id_number_for(user, number)),
        }
