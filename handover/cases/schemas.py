"""Request and response schemas of the cases API."""
from marshmallow import Schema, fields, validate

from handover.cases.models import CaseKind, CaseSeverity, CaseSource

ACTIONS = ["acknowledge", "start", "resolve", "close", "reopen", "escalate", "to_defect"]


class CaseInSchema(Schema):
    kind = fields.Enum(CaseKind, by_value=True, required=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    category = fields.String(load_default="", validate=validate.Length(max=60))
    severity = fields.Enum(CaseSeverity, by_value=True, load_default=CaseSeverity.NORMAL)
    source = fields.Enum(CaseSource, by_value=True, load_default=None,
                         metadata={"description": "staff: phone, desk, open_day; owners always portal"})
    major = fields.Boolean(load_default=False, metadata={"description": "a major complaint: escalated at once"})
    group = fields.Boolean(load_default=False, metadata={"description": "a group complaint (群诉): escalated at once"})


class CaseQuerySchema(Schema):
    batch_id = fields.Integer(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["open", "new", "acknowledged", "in_progress", "resolved", "closed"]))
    kind = fields.Enum(CaseKind, by_value=True, load_default=None)
    overdue = fields.Boolean(load_default=None)


class CaseEventSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    from_status = fields.String(attribute="from_status.value", allow_none=True)
    to_status = fields.String(attribute="to_status.value")
    note = fields.String()
    internal = fields.Boolean()
    actor_name = fields.String()
    at = fields.DateTime()


class CaseSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    kind = fields.String(attribute="kind.value")
    category = fields.String()
    severity = fields.String(attribute="severity.value")
    status = fields.String(attribute="status.value")
    source = fields.String(attribute="source.value")
    description = fields.String()
    batch_id = fields.Integer()
    unit_id = fields.Integer(allow_none=True)
    area_id = fields.Integer(allow_none=True)
    place = fields.String()
    major = fields.Boolean()
    group = fields.Boolean()
    escalated_at = fields.DateTime(allow_none=True)
    acknowledge_by = fields.DateTime()
    resolve_by = fields.DateTime()
    acknowledged_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    breached_at = fields.DateTime(allow_none=True)
    breach = fields.String()
    overdue = fields.Boolean(metadata={"description": "a committed time has passed unmet"})
    defect_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer()


class CaseDetailSchema(CaseSchema):
    events = fields.List(fields.Nested(CaseEventSchema), metadata={"description": "owners: without internal notes"})
    photos = fields.List(fields.String())


class CaseReplyInSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    internal = fields.Boolean(load_default=False, metadata={"description": "a staff note the owner never sees"})


class CaseTransitionInSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    note = fields.String(load_default="", validate=validate.Length(max=4000))
    version = fields.Integer(load_default=None, metadata={"description": "a stale version is refused with 409"})
