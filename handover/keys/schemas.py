"""Request and response schemas of the key API."""
from marshmallow import Schema, fields, validate

from handover.api.idempotency import IdempotentSchema
from handover.api.schemas import PageArgsSchema, page_schema
from handover.keys.models import KeyEventType, KeyKind, KeyStatus


class KeyInSchema(Schema):
    kind = fields.Enum(KeyKind, by_value=True, required=True)
    label = fields.String(required=True, validate=validate.Length(min=1, max=80))
    copies = fields.Integer(load_default=1, validate=validate.Range(min=1, max=20))
    cabinet_slot = fields.String(load_default=None, validate=validate.Length(max=20))


class BulkKeysInSchema(Schema):
    kind = fields.Enum(KeyKind, by_value=True, load_default=KeyKind.ENTRANCE_DOOR)
    sets_per_unit = fields.Integer(load_default=1, validate=validate.Range(min=1, max=5))
    copies = fields.Integer(load_default=3, validate=validate.Range(min=1, max=20))


class BulkKeysResultSchema(Schema):
    created = fields.Integer()


class KeyEventInSchema(IdempotentSchema):
    type = fields.Enum(KeyEventType, by_value=True, required=True)
    to = fields.String(load_default="", validate=validate.Length(max=80),
                       metadata={"description": "the counterparty: borrower, owner, contractor's person"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    result = fields.String(load_default=None, validate=validate.OneOf(["ok", "fails"]),
                           metadata={"description": "for type=checked: did the key open the lock"})
    signature = fields.String(load_default=None, metadata={"description": "PNG data URL from the signing pad"})


class KeyEventSchema(Schema):
    id = fields.Integer()
    type = fields.Enum(KeyEventType, by_value=True)
    to = fields.String(attribute="counterparty")
    note = fields.String()
    result = fields.Function(lambda e: None if e.result_ok is None else ("ok" if e.result_ok else "fails"))
    status_before = fields.Enum(KeyStatus, by_value=True, attribute="from_status", allow_none=True)
    status_after = fields.Enum(KeyStatus, by_value=True, attribute="to_status")
    actor_name = fields.String()
    at = fields.DateTime(metadata={"description": "when it happened"})
    recorded_at = fields.DateTime(metadata={"description": "when the server recorded it"})
    signed = fields.Function(lambda e: e.signature_path is not None)


class KeySchema(Schema):
    id = fields.Integer()
    batch_id = fields.Integer()
    unit_id = fields.Integer(allow_none=True)
    kind = fields.Enum(KeyKind, by_value=True)
    label = fields.String()
    code = fields.String()
    copies = fields.Integer()
    cabinet_slot = fields.String(allow_none=True)
    status = fields.Enum(KeyStatus, by_value=True)
    status_label = fields.Function(lambda k: k.status.label)
    holder = fields.String()
    due_back_on = fields.Date(allow_none=True)
    overdue = fields.Function(lambda k: _overdue(k), metadata={"type": "boolean"})


def _overdue(key) -> bool:
    from handover.core.timeutil import today_local
    from handover.keys.rules import is_overdue

    return is_overdue(key.status, key.due_back_on, today_local())


class KeyDetailSchema(KeySchema):
    events = fields.List(fields.Nested(KeyEventSchema))


KeyPageSchema = page_schema(KeySchema, "KeyPage")


class KeyQuerySchema(PageArgsSchema):
    batch_id = fields.Integer()
    unit_id = fields.Integer()
    status = fields.Enum(KeyStatus, by_value=True)
    overdue = fields.Boolean()
    q = fields.String(validate=validate.Length(max=80))
