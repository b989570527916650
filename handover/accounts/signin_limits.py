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

from handover.core.errors import ValidationFailed
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


def _phone_key() -> str:
    phone = request.form.get("phone")
    if phone is None and request.is_json:
        body = request.get_json(silent=True)
        phone = body.get("phone") if isinstance(body, dict) else None
    return "phone:" + str(phone or "").strip()[:32]


def _activation_phone_limit() -> str:
    return current_app.config["ACTIVATION_PHONE_FAILURE_LIMIT"]


def _activation_address_limit() -> str:
    return current_app.config["ACTIVATION_ADDRESS_FAILURE_LIMIT"]


def counting_failures(act: Callable) -> Callable:
    """`act` for an activation or reset: a wrong code (ValidationFailed) counts as a failure."""
    def run(*args, **kwargs):
        try:
            return act(*args, **kwargs)
        except ValidationFailed:
            record_failure()
            raise
    return run


def limit_failed_activations(view: Callable) -> Callable:
    """Refuse (429) activations and password resets by code for a phone number, or from an
    address, that failed too often lately: an 8-digit code cannot be guessed from many addresses
    for one phone, nor for many phones from one address. The activation and reset pages and their
    API routes share both counters."""
    view = limiter.shared_limit(_activation_address_limit, scope="activation-address",
                                key_func=get_remote_address, methods=["POST"], deduct_when=_failed)(view)
    return limiter.shared_limit(_activation_phone_limit, scope="activation-phone", key_func=_phone_key,
                                methods=["POST"], deduct_when=_failed)(view)
