"""Request and response schemas of the defect API (they also feed the OpenAPI document)."""
from flask import url_for
from marshmallow import Schema, fields, post_dump, post_load, validate

from handover.api.idempotency import IdempotentSchema
from handover.api.schemas import PageArgsSchema, page_schema
from handover.defects.models import DefectStatus, PhotoKind, Severity
from handover.defects.queries import DefectFilters
from handover.inspections.models import InspectionStage


class DefectInSchema(Schema):
    id = fields.UUID(load_default=None, metadata={"description": "client-generated id; resending it never "
                                                                 "creates a duplicate"})
    stage = fields.Enum(InspectionStage, by_value=True, required=True)
    room = fields.String(required=True, validate=validate.Length(min=1, max=40))
    category = fields.String(required=True, validate=validate.Length(min=1, max=40))
    sub_item = fields.String(load_default="", validate=validate.Length(max=120))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    severity = fields.Enum(Severity, by_value=True, load_default=Severity.MINOR)
    quick_fix = fields.Boolean(load_default=False)
    design_class = fields.Boolean(load_default=False)
    checklist_item_id = fields.Integer(load_default=None)
    inspection_id = fields.Integer(load_default=None)
    pin_x = fields.Decimal(load_default=None, places=4, validate=validate.Range(min=0, max=1))
    pin_y = fields.Decimal(load_default=None, places=4, validate=validate.Range(min=0, max=1))
    at = fields.AwareDateTime(load_default=None, metadata={
        "description": "when it was found (ISO 8601 with an offset), for a tablet syncing later; default now"})


class TransitionInSchema(IdempotentSchema):
    action = fields.String(required=True, validate=validate.OneOf(["assign", "fix", "verify", "reject",
                                                                   "unfixable", "dispute", "confirm"]))
    contractor_id = fields.Integer(load_default=None)
    due_date = fields.Date(load_default=None)
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    statement = fields.String(load_default="", validate=validate.Length(max=2000))
    compensation_plan = fields.String(load_default="", validate=validate.Length(max=2000))
    version = fields.Integer(load_default=None, metadata={"description": "the version you based the change on; "
                                                                         "a stale one is refused with 409"})


class BulkAssignInSchema(Schema):
    batch_id = fields.Integer(required=True)
    building_id = fields.Integer(load_default=None)
    category = fields.String(load_default=None)
    stage = fields.Enum(InspectionStage, by_value=True, load_default=None)
    contractor_id = fields.Integer(required=True)
    due_date = fields.Date(required=True)
    note = fields.String(load_default="")


class BulkResultSchema(Schema):
    assigned = fields.Integer(required=True)


class PhotoSchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(PhotoKind, by_value=True)
    width = fields.Integer()
    height = fields.Integer()
    uploaded_at = fields.DateTime()
    url = fields.Function(lambda p: url_for("defects_api.get_photo", defect_id=p.defect_id, photo_id=p.id,
                                            _external=True))
    thumbnail_url = fields.Function(lambda p: url_for("defects_api.get_photo", defect_id=p.defect_id,
                                                      photo_id=p.id, size="thumb", _external=True))


class EventSchema(Schema):
    action = fields.String()
    from_status = fields.Enum(DefectStatus, by_value=True, allow_none=True)
    to_status = fields.Enum(DefectStatus, by_value=True)
    actor_name = fields.String()
    at = fields.DateTime(metadata={"description": "when it happened"})
    recorded_at = fields.DateTime(metadata={"description": "when the server recorded it"})
    note = fields.String()
    data = fields.Dict()


class DefectSchema(Schema):
    id = fields.String(required=True)
    unit_id = fields.Integer(allow_none=True)
    area_id = fields.Integer(allow_none=True, metadata={"description": "the public area, for defects not in a unit"})
    batch_id = fields.Integer()
    building_id = fields.Integer(allow_none=True)
    stage = fields.Enum(InspectionStage, by_value=True)
    room = fields.String()
    category = fields.String()
    sub_item = fields.String()
    description = fields.String()
    severity = fields.Enum(Severity, by_value=True)
    quick_fix = fields.Boolean()
    design_class = fields.Boolean()
    status = fields.Enum(DefectStatus, by_value=True)
    status_label = fields.Function(lambda d: d.status.label)
    contractor_id = fields.Integer(allow_none=True)
    due_date = fields.Date(allow_none=True)
    overdue = fields.Function(lambda d: _overdue(d), metadata={"type": "boolean"})
    rework_count = fields.Integer()
    version = fields.Integer()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    pin_x = fields.Decimal(as_string=True, allow_none=True)
    pin_y = fields.Decimal(as_string=True, allow_none=True)


def _overdue(defect) -> bool:
    from handover.core.timeutil import today_local
    from handover.defects.rules import is_overdue

    return is_overdue(defect.status, defect.due_date, today_local())


class DefectDetailSchema(DefectSchema):
    statement = fields.String()
    compensation_plan = fields.String()
    history = fields.List(fields.Nested(EventSchema), attribute="events")
    photos = fields.List(fields.Nested(PhotoSchema))

    @post_dump
    def _hide_internal_from_owners(self, body, **kwargs):
        """Homeowners see the steps, never staff's internal notes or names."""
        from handover.accounts.access import request_user

        if request_user().is_owner:
            for event in body.get("history", []):
                if event["action"] != "dispute":
                    event["note"], event["data"] = "", {}
                event["actor_name"] = ""
            body.pop("compensation_plan", None)
        return body


DefectPageSchema = page_schema(DefectSchema, "DefectPage")


class DefectQuerySchema(PageArgsSchema):
    batch_id = fields.Integer()
    unit_id = fields.Integer()
    building_id = fields.Integer()
    status = fields.Enum(DefectStatus, by_value=True)
    contractor_id = fields.Integer()
    category = fields.String()
    room = fields.String()
    overdue = fields.Boolean()
    quick_fix = fields.Boolean()


class PhotoUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class PhotoFormSchema(Schema):
    at = fields.AwareDateTime(load_default=None, metadata={
        "description": "when the photo was taken (a tablet syncing later); default now"})


class PhotoQuerySchema(Schema):
    size = fields.String(load_default="full", validate=validate.OneOf(["full", "thumb"]))


class DefectFilterArgsSchema(Schema):
    """Query arguments of the export endpoints: the same filters as the defect list."""

    building_id = fields.Integer()
    status = fields.Enum(DefectStatus, by_value=True)
    contractor_id = fields.Integer()
    category = fields.String()
    room = fields.String()
    stage = fields.Enum(InspectionStage, by_value=True)
    overdue = fields.Boolean()
    quick_fix = fields.Boolean()

    @post_load
    def to_filters(self, data, **_kwargs) -> DefectFilters:
        return DefectFilters(**data)
