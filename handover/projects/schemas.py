"""Request and response schemas of the master data API (they also feed the OpenAPI document)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from handover.accounts.access import request_user
from handover.accounts.rules import phone_for
from handover.api.schemas import PageArgsSchema, page_schema
from handover.projects.models import FitoutType, HandoverMode


class ProjectInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    city = fields.String(load_default="", validate=validate.Length(max=60))
    address = fields.String(load_default="", validate=validate.Length(max=255))
    developer = fields.String(load_default="", validate=validate.Length(max=120))


class ProjectSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    city = fields.String()
    address = fields.String()
    developer = fields.String()


class BatchInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    mode = fields.Enum(HandoverMode, by_value=True, load_default=HandoverMode.CENTRALIZED)
    window_start = fields.Date(load_default=None)
    window_end = fields.Date(load_default=None)

    @validates_schema
    def _window_order(self, data, **kwargs):
        if data.get("window_start") and data.get("window_end") and data["window_end"] < data["window_start"]:
            raise ValidationError("window_end is before window_start", field_name="window_end")


class BuildingSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    floors = fields.Integer(allow_none=True)


class BatchSchema(Schema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    name = fields.String(required=True)
    mode = fields.Enum(HandoverMode, by_value=True)
    window_start = fields.Date(allow_none=True)
    window_end = fields.Date(allow_none=True)
    buildings = fields.List(fields.Nested(BuildingSchema))
    unit_count = fields.Integer()


class OwnerRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    phone = fields.Method("masked_phone", metadata={"description": "masked (138****0001) for roles that "
                                                                   "do not need it"})

    def masked_phone(self, owner) -> str:
        return phone_for(request_user(), owner.phone)


def _contract_attr(name):
    return lambda unit: getattr(unit.contract, name) if unit.contract else None


class UnitSchema(Schema):
    id = fields.Integer(required=True)
    batch_id = fields.Integer()
    building = fields.Function(lambda unit: unit.building.name)
    entrance = fields.String()
    floor = fields.Integer()
    room_no = fields.String()
    layout = fields.String()
    fitout_type = fields.Enum(FitoutType, by_value=True)
    contract_area = fields.Function(lambda unit: _decimal(_contract_attr("area")(unit)),
                                    metadata={"type": "string", "example": "89.37"})
    measured_area = fields.Function(lambda unit: _decimal(unit.measured_area),
                                    metadata={"type": "string", "nullable": True, "example": "90.12"})
    owner = fields.Function(lambda unit: OwnerRefSchema().dump(unit.contract.owner) if unit.contract else None,
                            metadata={"type": "object", "nullable": True})


def _decimal(value):
    return None if value is None else str(value)


class ContractSchema(Schema):
    number = fields.String()
    area = fields.Decimal(as_string=True)
    unit_price = fields.Decimal(as_string=True, allow_none=True)
    total_price = fields.Decimal(as_string=True, allow_none=True)
    diff_threshold = fields.Decimal(as_string=True)
    refund_multiplier = fields.Decimal(as_string=True)
    co_owners = fields.List(fields.Nested(OwnerRefSchema))


class UnitDetailSchema(UnitSchema):
    contract = fields.Nested(ContractSchema, allow_none=True)


UnitPageSchema = page_schema(UnitSchema, "UnitPage")


class UnitQuerySchema(PageArgsSchema):
    batch_id = fields.Integer()
    building = fields.String()
    floor = fields.Integer()
    q = fields.String(validate=validate.Length(max=60))


class ImportArgsSchema(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "true: return the preview, write nothing"})
    accept_warnings = fields.Boolean(load_default=False, metadata={
        "description": "required to write a file whose preview has warnings (contradictory prices or areas)"})


class ChangeSchema(Schema):
    field = fields.String(required=True, metadata={"description": "the file's column name"})
    old = fields.String(required=True)
    new = fields.String(required=True)


class PlannedRowSchema(Schema):
    row = fields.Integer(required=True)
    label = fields.String(required=True, metadata={"example": "1-1-1201"})
    summary = fields.String()
    changes = fields.List(fields.Nested(ChangeSchema))


class ImportWarningSchema(Schema):
    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    column_letter = fields.String(allow_none=True)
    message = fields.String(required=True)


class ImportResultSchema(Schema):
    """The preview (dry run) or the result of a confirmed import: the same fields either way."""

    dry_run = fields.Boolean(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    skipped_examples = fields.List(fields.Integer(), required=True,
                                   metadata={"description": "rows identical to the template's examples"})
    warnings = fields.List(fields.Nested(ImportWarningSchema), required=True)
    new = fields.List(fields.Nested(PlannedRowSchema))
    changed = fields.List(fields.Nested(PlannedRowSchema))
    run_id = fields.Integer(allow_none=True, metadata={"description": "undo with POST /imports/{run_id}/undo"})


class ImportRunSchema(Schema):
    id = fields.Integer(required=True)
    batch_id = fields.Integer()
    kind = fields.String()
    created_count = fields.Integer()
    updated_count = fields.Integer()
    created_at = fields.DateTime()
    undone_at = fields.DateTime(allow_none=True)


class ImportFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ContractorInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    contact_name = fields.String(load_default="", validate=validate.Length(max=60))
    phone = fields.String(load_default="", validate=validate.Length(max=20))


class ContractorSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    contact_name = fields.String()
    phone = fields.String()
