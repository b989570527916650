"""Request and response schemas of the inspection API."""
from marshmallow import Schema, fields, validate

from handover.inspections.models import InspectionStage, WarrantyClass
from handover.inspections.rules import describe_limit
from handover.projects.models import FitoutType


class ChecklistItemSchema(Schema):
    id = fields.Integer()
    category = fields.String()
    name = fields.String()
    fitout_type = fields.Enum(FitoutType, by_value=True, allow_none=True)
    warranty_class = fields.Enum(WarrantyClass, by_value=True)
    limit_min = fields.Decimal(as_string=True, allow_none=True)
    limit_max = fields.Decimal(as_string=True, allow_none=True)
    limit_unit = fields.String()
    limit = fields.Function(lambda i: describe_limit(i.limit_min, i.limit_max, i.limit_unit))
    phrases = fields.List(fields.String())


class ChecklistQuerySchema(Schema):
    fitout_type = fields.Enum(FitoutType, by_value=True, load_default=None)


class InspectionInSchema(Schema):
    stage = fields.Enum(InspectionStage, by_value=True, required=True)
    inspected_on = fields.Date(required=True)
    inspectors = fields.String(load_default="", validate=validate.Length(max=200))


class ResultInSchema(Schema):
    item_id = fields.Integer(required=True)
    passed = fields.Boolean(load_default=None)
    measured_value = fields.Decimal(load_default=None, places=None, validate=validate.Range(min=0, max=1000))
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class UnitResultInSchema(ResultInSchema):
    """A checklist result recorded on an offline tablet, synced later."""

    id = fields.UUID(required=True, metadata={"description": "the tablet's id of this record: resending it "
                                                             "returns the same result, never a second one"})
    stage = fields.Enum(InspectionStage, by_value=True, required=True)
    at = fields.AwareDateTime(load_default=None, metadata={
        "description": "when it was recorded (ISO 8601 with an offset); the newest record of an item wins"})


class ResultSchema(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    item = fields.Function(lambda r: f"{r.item.category} · {r.item.name}")
    passed = fields.Boolean()
    measured_value = fields.Decimal(as_string=True, allow_none=True)
    note = fields.String()
    at = fields.DateTime(allow_none=True, metadata={"description": "when it was recorded on the tablet"})
    inspection_id = fields.Integer()


class InspectionSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    stage = fields.Enum(InspectionStage, by_value=True)
    inspected_on = fields.Date()
    inspectors = fields.String()
    results = fields.List(fields.Nested(ResultSchema))
