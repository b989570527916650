"""Request and response schemas of the risk API (they also feed the OpenAPI document)."""
from marshmallow import Schema, fields, validate

from handover.risks.models import (
    AreaKind,
    CheckAnswer,
    PromiseSource,
    RiskCategory,
    RiskSeverity,
    RiskStatus,
)

ACTIONS = ["plan", "resolve", "accept", "reopen"]


class RiskInSchema(Schema):
    category = fields.Enum(RiskCategory, by_value=True, required=True, metadata={"description": "A to H"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    severity = fields.Enum(RiskSeverity, by_value=True, required=True)
    building_id = fields.Integer(load_default=None)
    department = fields.String(load_default="", validate=validate.Length(max=60))
    answer_id = fields.Integer(load_default=None, metadata={"description": "the self-check answer it came from"})


class RiskQuerySchema(Schema):
    status = fields.Enum(RiskStatus, by_value=True, load_default=None)
    category = fields.Enum(RiskCategory, by_value=True, load_default=None)
    severity = fields.Enum(RiskSeverity, by_value=True, load_default=None)
    building_id = fields.Integer(load_default=None)
    overdue = fields.Boolean(load_default=None)
    q = fields.String(load_default=None)


class RiskTransitionInSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    plan = fields.String(load_default="", validate=validate.Length(max=4000))
    plan_owner = fields.String(load_default="", validate=validate.Length(max=80),
                               metadata={"description": "who carries out the plan (default: the department)"})
    due_date = fields.Date(load_default=None)
    note = fields.String(load_default="", validate=validate.Length(max=4000))
    statement = fields.String(load_default="", validate=validate.Length(max=4000))
    compensation_plan = fields.String(load_default="", validate=validate.Length(max=4000))
    version = fields.Integer(load_default=None, metadata={"description": "a stale version is refused with 409"})


class OverrideInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class RiskEventSchema(Schema):
    action = fields.String()
    from_status = fields.Enum(RiskStatus, by_value=True, allow_none=True)
    to_status = fields.Enum(RiskStatus, by_value=True)
    actor_name = fields.String()
    at = fields.DateTime()
    note = fields.String()
    data = fields.Dict()


class RiskSchema(Schema):
    id = fields.Integer()
    batch_id = fields.Integer()
    building_id = fields.Integer(allow_none=True)
    category = fields.Enum(RiskCategory, by_value=True)
    title = fields.String()
    description = fields.String()
    severity = fields.Enum(RiskSeverity, by_value=True)
    department = fields.String()
    status = fields.Enum(RiskStatus, by_value=True)
    status_label = fields.Function(lambda r: r.status.label)
    found_by_name = fields.String()
    found_on = fields.Date()
    plan = fields.String()
    plan_owner = fields.String()
    due_date = fields.Date(allow_none=True)
    overdue = fields.Function(lambda r: _overdue(r), metadata={"type": "boolean"})
    statement = fields.String()
    compensation_plan = fields.String()
    approved_by_name = fields.String()
    approved_at = fields.DateTime(allow_none=True)
    override_reason = fields.String()
    allowed_actions = fields.Function(lambda r: _allowed(r), metadata={"type": "array", "items": {"type": "string"}})
    version = fields.Integer()


def _overdue(risk) -> bool:
    from handover.risks.queries import risk_overdue

    return risk_overdue(risk)


def _allowed(risk) -> list[str]:
    from handover.risks.rules import RISK

    return RISK.allowed(risk.status)


class RiskDetailSchema(RiskSchema):
    history = fields.List(fields.Nested(RiskEventSchema), attribute="events")


class CountsSchema(Schema):
    open = fields.Integer()
    planned = fields.Integer()
    resolved = fields.Integer()
    accepted = fields.Integer()


class ReadinessQuerySchema(Schema):
    building_id = fields.Integer(load_default=None)


class ReadinessSchema(Schema):
    batch_id = fields.Integer()
    building_id = fields.Integer(allow_none=True)
    ready = fields.Boolean()
    reasons = fields.List(fields.String())
    warnings = fields.List(fields.String())
    blocking = fields.List(fields.Dict(), metadata={"description": "[{risk_id, title}]"})
    overridden = fields.List(fields.Dict())
    risks = fields.Nested(CountsSchema)
    by_severity = fields.Dict(keys=fields.String(), values=fields.Nested(CountsSchema))
    categories = fields.List(fields.Dict())
    promises = fields.Dict()
    transfers = fields.List(fields.Dict())
    transfer_done = fields.Boolean()
    public_area_defects_open = fields.Integer()
    overdue_plans = fields.Integer()
    self_check_id = fields.Integer(allow_none=True)


class PromiseInSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    source = fields.Enum(PromiseSource, by_value=True, required=True)
    reference = fields.String(load_default="", validate=validate.Length(max=200))
    building_ids = fields.List(fields.Integer(), load_default=list)
    unit_ids = fields.List(fields.Integer(), load_default=list)


class PromiseSchema(Schema):
    id = fields.Integer()
    batch_id = fields.Integer()
    text = fields.String()
    source = fields.Enum(PromiseSource, by_value=True)
    reference = fields.String()
    building_ids = fields.Function(lambda p: [s.building_id for s in p.scopes if s.building_id])
    unit_ids = fields.Function(lambda p: [s.unit_id for s in p.scopes if s.unit_id])


class PromiseCheckInSchema(Schema):
    unit_id = fields.Integer(required=True)
    kept = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=4000))
    inspection_id = fields.Integer(load_default=None)


class PromiseCheckSchema(Schema):
    id = fields.Integer()
    promise_id = fields.Integer()
    unit_id = fields.Integer()
    kept = fields.Boolean()
    note = fields.String()
    risk_id = fields.Integer(allow_none=True)
    checked_by_name = fields.String()
    checked_at = fields.DateTime()


class UnitPromiseSchema(Schema):
    """A promise as an item of the unit's handover checklist, with its latest check there."""

    promise = fields.Nested(PromiseSchema)
    check = fields.Nested(PromiseCheckSchema, allow_none=True)


class AreaInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.Enum(AreaKind, by_value=True, required=True)
    building_id = fields.Integer(load_default=None)


class AreaSchema(Schema):
    id = fields.Integer()
    batch_id = fields.Integer()
    building_id = fields.Integer(allow_none=True)
    name = fields.String()
    kind = fields.Enum(AreaKind, by_value=True)


class OpenItemInSchema(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    promised_on = fields.Date(required=True)
    area_id = fields.Integer(load_default=None)


class TransferInSchema(Schema):
    transferred_on = fields.Date(required=True)
    developer_signatory = fields.String(load_default="", validate=validate.Length(max=80))
    property_signatory = fields.String(load_default="", validate=validate.Length(max=80))
    note = fields.String(load_default="", validate=validate.Length(max=4000))
    open_items = fields.List(fields.Nested(OpenItemInSchema), load_default=list)


class OpenItemSchema(Schema):
    description = fields.String()
    promised_on = fields.Date(allow_none=True)
    area_id = fields.Integer(allow_none=True)


class TransferSchema(Schema):
    id = fields.Integer()
    building_id = fields.Integer()
    batch_id = fields.Integer()
    transferred_on = fields.Date()
    developer_signatory = fields.String()
    property_signatory = fields.String()
    note = fields.String()
    open_items = fields.List(fields.Nested(OpenItemSchema))
    late = fields.Boolean(metadata={"description": "later than 20 days before the handover window"})
    warning = fields.String(allow_none=True)


class SelfCheckInSchema(Schema):
    building_id = fields.Integer(load_default=None)


class AnswerInSchema(Schema):
    question = fields.String(required=True)
    answer = fields.Enum(CheckAnswer, by_value=True, required=True)
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class AnswerSchema(Schema):
    question = fields.String()
    answer = fields.Enum(CheckAnswer, by_value=True)
    note = fields.String()
    risk_id = fields.Integer(allow_none=True)


class SelfCheckSchema(Schema):
    id = fields.Integer()
    batch_id = fields.Integer()
    building_id = fields.Integer(allow_none=True)
    started_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    answers = fields.List(fields.Nested(AnswerSchema))
    questions = fields.Function(lambda c: _questions(), metadata={"type": "array", "items": {"type": "object"}})


def _questions() -> list[dict]:
    from handover.risks.rules import SELF_CHECK_QUESTIONS

    return [{"code": q.code, "category": q.category.value, "text": str(q.text)} for q in SELF_CHECK_QUESTIONS]


class EvidenceUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class EvidenceSchema(Schema):
    id = fields.Integer()
    risk_id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    uploaded_by_name = fields.String()
    uploaded_at = fields.DateTime()
