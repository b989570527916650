"""Schemas shared by every domain's API: errors and pagination."""
from marshmallow import INCLUDE, Schema, fields, validate

from handover.core.pagination import MAX_PAGE, MAX_PER_PAGE


class ApiErrorDetailSchema(Schema):
    """One problem; a domain may add keys of its own (documented as additional properties)."""

    class Meta:
        unknown = INCLUDE

    field = fields.String(allow_none=True)
    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    column_letter = fields.String(allow_none=True, metadata={"description": "spreadsheet imports: A, B, …"})
    code = fields.String(metadata={"description": "stable English code of the problem, e.g. fees_unsettled"})
    amount = fields.String(allow_none=True, metadata={"description": "a decimal string, e.g. what is still owed",
                                                      "format": "decimal"})
    message = fields.String(required=True)


class ApiErrorSchema(Schema):
    """The one error body of the API. Spreadsheet imports repeat `details` as `errors`."""

    class Meta:
        unknown = INCLUDE

    error = fields.String(required=True, metadata={"description": "stable English code"})
    message = fields.String(required=True, metadata={"description": "translated, for people"})
    details = fields.List(fields.Nested(ApiErrorDetailSchema))
    errors = fields.List(fields.Nested(ApiErrorDetailSchema),
                         metadata={"description": "spreadsheet imports: the same rows as details"})


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """A {items, total, page, per_page} envelope around a list of `item_schema`."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "total": fields.Integer(required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
    }, name=name)
