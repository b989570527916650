"""Request and response schemas of the handover API; amounts are decimal strings."""
from marshmallow import Schema, fields, validate

from handover.fees.schemas import StatementSchema
from handover.handovers.rules import HANDED_ITEMS


class HandoverInSchema(Schema):
    handed_over_on = fields.Date(load_default=None, metadata={"description": "default: today"})
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when the owner signed (default: now)"})
    items = fields.List(fields.String(validate=validate.OneOf(list(HANDED_ITEMS))), load_default=list,
                        metadata={"description": "what was handed: " + ", ".join(HANDED_ITEMS)})
    documents = fields.List(fields.String(validate=validate.OneOf(list(HANDED_ITEMS))), load_default=list,
                            metadata={"description": "the documents handed (added to items)"})
    owner_signature = fields.String(load_default=None, metadata={"description": "PNG data URL; required where "
                                                                                  "the batch runs a handover day"})
    staff_signature = fields.String(load_default=None, metadata={"description": "PNG data URL"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    idempotency_key = fields.String(load_default=None, validate=validate.Length(min=1, max=80),
                                    metadata={"description": "or the Idempotency-Key header: a resend returns "
                                                             "the first record and signs nothing more"})


class OwedLineSchema(Schema):
    code = fields.String()
    label = fields.String()
    owed = fields.Decimal(as_string=True)


class ConditionSchema(Schema):
    code = fields.String(metadata={"description": "handed_over, returned, no_contract, statement_pending, "
                                                  "fees_unsettled, refund_unpaid, …"})
    message = fields.String()
    amount = fields.Decimal(as_string=True, allow_none=True)
    lines = fields.List(fields.Nested(OwedLineSchema))


class RecordSchema(Schema):
    id = fields.Integer()
    action = fields.String(metadata={"description": "sign, correct or revoke"})
    handed_over_on = fields.Date(allow_none=True)
    items = fields.List(fields.String())
    note = fields.String()
    actor_name = fields.String()
    at = fields.DateTime()
    recorded_at = fields.DateTime()


class HandoverSchema(Schema):
    unit_id = fields.Integer(attribute="unit.id")
    state = fields.String(attribute="state.value", metadata={"description": "not_handed_over or handed_over"})
    handed_over_on = fields.Date(allow_none=True, metadata={"description": "every warranty runs from this date"})
    may_sign = fields.Boolean(attribute="gate.open")
    conditions = fields.List(fields.Nested(ConditionSchema), attribute="gate.conditions",
                             metadata={"description": "every unmet condition of the gate, with its reason"})
    record = fields.Nested(RecordSchema, allow_none=True)
    history = fields.List(fields.Nested(RecordSchema))
    statement = fields.Nested(StatementSchema, attribute="settlement", allow_none=True)
