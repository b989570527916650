"""Domain refusals: raised by services, turned into form errors, flashes or JSON by the boundary.

`details` has one shape everywhere: a list of ``{"field": ..., "message": ...}`` dicts (import rows
may add "row"/"column"). Whatever a raiser passes is normalised to it, so forms and the API never
have to guess.
"""
from collections.abc import Mapping


class DomainError(Exception):
    """Base of all business refusals. `code` is a stable English identifier for the API."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, details: object | None = None):
        super().__init__(message)
        self.message = message
        self.details = normalise_details(details, message)


class NotFound(DomainError):
    """Missing, or not visible to this user: the two answer identically."""

    code = "not_found"
    status = 404


class NotPermitted(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class ValidationFailed(DomainError):
    """Bad input; `details` is a list of {field|row, column, message} dicts."""

    code = "validation_failed"
    status = 422


class Unauthenticated(DomainError):
    code = "unauthorized"
    status = 401


def normalise_details(details: object | None, message: str | None = None) -> list[dict] | None:
    """Any details (a list of dicts, one ``{"field": ...}`` dict, or a mapping of name → value) as a list
    of ``{"field", "message"}`` dicts; a row without a message gets `message`. A mapping's list values
    become one message ("fix, verify")."""
    if details is None:
        return None
    if isinstance(details, Mapping) and "field" in details:
        return [{**details, "message": str(details.get("message") or message or details["field"])}]
    if isinstance(details, Mapping):
        return flatten_messages(details, one_per_item=False)
    if isinstance(details, (list, tuple)):
        rows: list[dict] = []
        for item in details:
            if isinstance(item, Mapping) and "message" in item:
                rows.append({**item, "message": str(item["message"])})
            elif isinstance(item, Mapping):
                rows.extend(flatten_messages(item, one_per_item=False))
            else:
                rows.append({"field": None, "message": str(item)})
        return rows
    return [{"field": None, "message": str(details)}]


def flatten_messages(mapping: Mapping, *, one_per_item: bool = True, prefix: str = "") -> list[dict]:
    """Nested ``{field: messages}`` (marshmallow's shape) as ``{"field", "message"}`` rows; nested
    fields get dotted names (``lines.0.amount``), schema-wide errors (``_schema``) the parent's name."""
    rows: list[dict] = []
    for key, value in mapping.items():
        name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
        if isinstance(value, Mapping):
            rows.extend(flatten_messages(value, one_per_item=one_per_item, prefix=name))
        elif isinstance(value, (list, tuple)) and one_per_item:
            rows.extend({"field": name or None, "message": str(v)} for v in value)
        elif isinstance(value, (list, tuple)):
            rows.append({"field": name or None, "message": ", ".join(str(v) for v in value)})
        else:
            rows.append({"field": name or None, "message": str(value)})
    return rows
