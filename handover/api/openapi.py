"""The OpenAPI document says what the API really answers: errors in the one error shape
({error, message, details?}, `ApiErrorSchema`) for every status, and a 405 with the `Allow` header
(the methods the path does take) on every operation."""
from apispec import BasePlugin

from handover.api.schemas import ApiErrorSchema

METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED_WITH_ALLOW"


class ErrorResponsesPlugin(BasePlugin):
    """An apispec plugin: registers the 405 response and adds it to each operation."""

    def init_spec(self, spec) -> None:
        self.spec = spec
        spec.components.response(METHOD_NOT_ALLOWED, {
            "description": "The path does not take this method; `Allow` lists the methods it does.",
            "headers": {"Allow": {"description": "the methods this path takes, e.g. `GET, HEAD, OPTIONS`",
                                  "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": ApiErrorSchema}},
        })

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for operation in (operations or {}).values():
            if isinstance(operation, dict):
                operation.setdefault("responses", {}).setdefault("405", METHOD_NOT_ALLOWED)


def api_spec_kwargs() -> dict:
    """What the app factory passes to flask-smorest's `init_app`."""
    return {"extra_plugins": [ErrorResponsesPlugin()]}


def use_error_shape(api) -> None:
    """flask-smorest documents its own error body by default; ours is ApiErrorSchema."""
    api.ERROR_SCHEMA = ApiErrorSchema
