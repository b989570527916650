"""Domain refusals: raised by services, turned into form errors, flashes or JSON by the boundary."""


class DomainError(Exception):
    """Base of all business refusals. `code` is a stable English identifier for the API."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, details: object | None = None):
        super().__init__(message)
        self.message = message
        self.details = details


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
