"""One error shape for the API ({error, message, details?}) and error pages for people."""
from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from handover.core.errors import DomainError, flatten_messages

API_PREFIX = "/api/"

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "validation_failed",
          429: "too_many_requests", 500: "server_error"}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Sign in first: a valid token or session is required."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("Conflict with the current state."),
        413: _("The upload is too large."),
        422: _("Some values are not valid."),
        429: _("Too many attempts. Wait a minute and try again."),
        500: _("Something went wrong on our side. Nothing was saved."),
    }


def error_response(status: int, code: str | None = None, message: str | None = None, details=None):
    message = message or _messages().get(status, _("Error"))
    if is_api_request():
        body = {"error": code or _CODES.get(status, "error"), "message": message}
        if details is not None:
            body["details"] = details
        return jsonify(body), status
    # a status with a page of its own (errors/429.html) uses it; the rest share errors/error.html
    return render_template([f"errors/{status}.html", "errors/error.html"], status=status, message=message,
                           details=details), status


def _handle_domain(exc: DomainError):
    return error_response(exc.status, exc.code, exc.message, exc.details)


def _handle_http(exc: HTTPException):
    status = exc.code or 500
    details = None
    if status == 422 and getattr(exc, "data", None):
        # flask-smorest / webargs put per-field messages here
        details = _field_details(exc.data.get("messages", {}))
    if isinstance(exc, CSRFError):
        return error_response(400, "csrf_failed", _("The form has expired or was not sent from this site. "
                                                    "Reload the page and try again."))
    response = error_response(status, details=details)
    if status == 405 and getattr(exc, "valid_methods", None):
        body, code = response  # the methods the URL does take (RFC 9110: a 405 carries Allow)
        return body, code, {"Allow": ", ".join(exc.valid_methods)}
    return response


def _field_details(messages: dict) -> list[dict]:
    """webargs' {location: {field: [messages]}} (nested for nested schemas) as {field, message} rows."""
    details = []
    for location in messages.values():
        if isinstance(location, dict):
            details.extend(flatten_messages(location))
        else:
            details.extend({"field": None, "message": str(m)} for m in (location if isinstance(location, list)
                                                                         else [location]))
    return details


def _handle_unexpected(exc: Exception):
    if isinstance(exc, (OverflowError, DataError)):
        # a value the database cannot hold (a huge number in a page's query string) that no
        # schema stopped: the caller's mistake, not ours
        current_app.logger.warning("value out of range: %s", exc)
        return error_response(422, message=_("A number is too large or a value does not fit."))
    current_app.logger.exception("unhandled error")
    return error_response(500)


def register_error_handlers(app) -> None:
    app.register_error_handler(DomainError, _handle_domain)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(Exception, _handle_unexpected)
