"""Idempotent API requests: a client that may resend an act sends a key with it.

The key travels in the ``Idempotency-Key`` header or in the body's ``idempotency_key`` field
(either; both must then agree). The service stores it with the act (core.idempotency): the
same key returns the first result and never acts twice. Routes document it with
``@blp.doc(parameters=[IDEMPOTENCY_KEY_HEADER])`` and add ``IdempotentSchema``'s fields to their body.
"""
from flask import request
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from handover.core.errors import ValidationFailed
from handover.core.idempotency import MAX_KEY_LENGTH

HEADER = "Idempotency-Key"

#: the OpenAPI description of the header, for `@blp.doc(parameters=[...])`
IDEMPOTENCY_KEY_HEADER = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    "description": "A key the client makes up for this act (a UUID). Resending the request with the "
                   "same key returns the first result and never acts twice. Same as the body's "
                   "`idempotency_key`.",
}


class IdempotentSchema(Schema):
    """Body fields of an act a client may resend, or sync later from an offline tablet."""

    idempotency_key = fields.String(load_default=None, validate=validate.Length(max=MAX_KEY_LENGTH), metadata={
        "description": f"same as the {HEADER} header: resending the same key returns the first result"})
    at = fields.AwareDateTime(load_default=None, metadata={
        "description": "when the act happened (ISO 8601 with an offset), for a tablet syncing later; "
                       "default now, never later than now"})


def idempotency_key(data: dict) -> str | None:
    """The request's key: the header or the body field (popped from `data`); both must agree."""
    from_body = data.pop("idempotency_key", None)
    from_header = request.headers.get(HEADER)
    if from_body and from_header and from_body.strip() != from_header.strip():
        message = _("The Idempotency-Key header and the body's idempotency_key differ.")
        raise ValidationFailed(message, details=[{"field": "idempotency_key", "message": message}])
    return from_header or from_body
