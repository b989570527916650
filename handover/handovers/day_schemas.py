"""Request and response schemas of the handover day's API."""
from marshmallow import Schema, fields, validate

from handover.api.idempotency import IdempotentSchema
from handover.handovers import day_rules


class SlotInSchema(Schema):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=10000))


class SlotSchema(Schema):
    id = fields.Integer()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    capacity = fields.Integer()
    booked = fields.Integer()


class AppointmentInSchema(Schema):
    slot_id = fields.Integer(required=True)


class AppointmentSchema(Schema):
    unit_id = fields.Integer()
    unit = fields.String(attribute="unit.label")
    slot_id = fields.Integer()
    starts_at = fields.DateTime(attribute="slot.starts_at")
    ends_at = fields.DateTime(attribute="slot.ends_at")


class AppointmentQuerySchema(Schema):
    date = fields.Date(load_default=None)


class CheckInSchema(IdempotentSchema):
    identity = fields.String(load_default="owner", validate=validate.OneOf(list(day_rules.IDENTITIES)))
    id_last4 = fields.String(load_default="", validate=validate.Length(max=4))
    visitor_name = fields.String(load_default="", validate=validate.Length(max=60))
    proxy_letter = fields.String(load_default="", validate=validate.Length(max=120))


class VisitStepSchema(Schema):
    step = fields.String()
    status = fields.String()
    note = fields.String()
    waiting_since = fields.DateTime(allow_none=True)
    called_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class VisitSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    day = fields.Date()
    ticket_no = fields.Integer()
    status = fields.String(metadata={"description": "open, completed or refused"})
    identity = fields.String()
    visitor_name = fields.String()
    checked_in_at = fields.DateTime()
    steps = fields.List(fields.Nested(VisitStepSchema))


class StepInSchema(IdempotentSchema):
    step = fields.String(required=True, validate=validate.OneOf(list(day_rules.STEPS)))
    status = fields.String(required=True, validate=validate.OneOf(["done", "refused", "skipped", "call"]))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class SignaturesInSchema(IdempotentSchema):
    owner_signature = fields.String(load_default=None, metadata={"description": "PNG data URL"})
    staff_signature = fields.String(load_default=None, metadata={"description": "PNG data URL"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class WalkthroughSchema(Schema):
    inspection_id = fields.Integer()
    unit_id = fields.Integer()
    signed = fields.Boolean(dump_default=True)
    actor_name = fields.String()
    at = fields.DateTime()


class ReadingsInSchema(IdempotentSchema):
    water = fields.Raw(load_default=None, metadata={"description": "decimal string ≥ 0"})
    electricity = fields.Raw(load_default=None, metadata={"description": "decimal string ≥ 0"})
    gas = fields.Raw(load_default=None, metadata={"description": "decimal string ≥ 0"})


class ReadingsSchema(Schema):
    unit_id = fields.Integer()
    visit_id = fields.Integer(allow_none=True)
    water = fields.Decimal(as_string=True)
    electricity = fields.Decimal(as_string=True)
    gas = fields.Decimal(as_string=True)
    actor_name = fields.String()
    at = fields.DateTime()


class DayQuerySchema(Schema):
    date = fields.Date(load_default=None)


class DaySummarySchema(Schema):
    date = fields.Date()
    appointments = fields.Integer()
    checked_in = fields.Integer()
    waiting = fields.Dict(keys=fields.String(), values=fields.Integer())
    handed_over = fields.Integer()
    handed_over_total = fields.Integer()
    planned = fields.Integer(allow_none=True)
    refused = fields.List(fields.Dict())
    average_wait_minutes = fields.Float(allow_none=True, metadata={"description": "over every station"})
    average_wait_per_station = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
