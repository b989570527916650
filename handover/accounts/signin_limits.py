"""Sign-in limiting that stops guessing without locking out a site.

Only *failed* sign-ins count, and they count twice: per account (someone guessing one user's
password from many addresses) and per client address (someone trying many users). Successful
sign-ins never count, so fifty tablets behind one Wi-Fi router, or everyone behind the
reverse proxy, sign in on a handover morning. The page and the API share both counters.

The client address is `request.remote_addr`; behind a reverse proxy set `PROXY_COUNT` so it
comes from `X-Forwarded-For` (see handover.create_app), and only then.
"""
from collections.abc import Callable

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from handover.extensions import limiter

_FAILED = "signin_failed"


def record_failure() -> None:
    """The view calls this when the credentials were wrong: this attempt then counts."""
    g.setdefault(_FAILED, True)


def _failed(_response) -> bool:
    return bool(g.get(_FAILED))


def _account_key() -> str:
    username = request.form.get("username")
    if username is None and request.is_json:
        body = request.get_json(silent=True)
        username = body.get("username") if isinstance(body, dict) else None
    return "account:" + str(username or "").strip().lower()[:64]


def _account_limit() -> str:
    return current_app.config["SIGNIN_ACCOUNT_FAILURE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["SIGNIN_ADDRESS_FAILURE_LIMIT"]


def limit_failed_signins(view: Callable) -> Callable:
    """Refuse (429) sign-ins to an account, or from an address, that failed too often lately."""
    view = limiter.shared_limit(_address_limit, scope="signin-address", key_func=get_remote_address,
                                methods=["POST"], deduct_when=_failed)(view)
    return limiter.shared_limit(_account_limit, scope="signin-account", key_func=_account_key,
                                methods=["POST"], deduct_when=_failed)(view)
