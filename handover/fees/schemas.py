"""Request and response schemas of the fee API; amounts are decimal strings."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from handover.fees.models import PaymentKind, PaymentMethod
from handover.fees.rules import LINE_CODES


class StrictMoney(fields.Decimal):
    """A money amount: a JSON number or string, at most 2 decimals, never a float in between."""

    def __init__(self, **kwargs):
        super().__init__(as_string=True, allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        number = super()._deserialize(str(value) if isinstance(value, (int, float)) else value, attr, data, **kwargs)
        if number.as_tuple().exponent < -2:
            raise ValidationError("at most 2 decimals")
        return number


class OtherChargeSchema(Schema):
    label = fields.String(required=True, validate=validate.Length(min=1, max=60))
    amount = StrictMoney(required=True, validate=validate.Range(min=0, min_inclusive=False))


class FeeSettingsSchema(Schema):
    property_fee_rate = fields.Decimal(as_string=True, load_default=None, places=None,
                                       validate=validate.Range(min=0),
                                       metadata={"description": "yuan per m² per month"})
    prepay_months = fields.Integer(load_default=None, validate=validate.Range(min=0, max=36))
    maintenance_fund_per_m2 = StrictMoney(load_default=None, validate=validate.Range(min=0))
    maintenance_fund_rate = fields.Decimal(as_string=True, load_default=None, validate=validate.Range(min=0, max=1))
    deed_tax_rate = fields.Decimal(as_string=True, load_default=None, validate=validate.Range(min=0, max=1))
    other = fields.List(fields.Nested(OtherChargeSchema), load_default=None)
    settle_before_handover = fields.List(
        fields.String(validate=validate.OneOf(LINE_CODES)), load_default=None,
        metadata={"description": "batch only: lines that must be settled before keys and signing (the area "
                                 "differential always is); null or empty: the whole statement"})

    @validates_schema
    def _places(self, data, **kwargs):
        for name, places in (("property_fee_rate", 4), ("maintenance_fund_rate", 6), ("deed_tax_rate", 6)):
            value = data.get(name)
            if value is not None and value.as_tuple().exponent < -places:
                raise ValidationError(f"at most {places} decimals", field_name=name)


class LineSchema(Schema):
    code = fields.String()
    label = fields.String()
    basis = fields.String()
    amount = fields.Decimal(as_string=True)


class LineStandingSchema(Schema):
    code = fields.Function(lambda s: s.line.code)
    label = fields.Function(lambda s: s.line.label)
    amount = fields.Function(lambda s: str(s.line.amount), metadata={"type": "string", "format": "decimal"})
    owed = fields.Decimal(as_string=True,
                          metadata={"description": "still owed on the line; negative: owed to the buyer"})
    settled = fields.Boolean()


class StatementSchema(Schema):
    unit_id = fields.Function(lambda s: s.unit.id)
    contract_area = fields.Decimal(as_string=True)
    measured_area = fields.Decimal(as_string=True, allow_none=True)
    unit_price = fields.Decimal(as_string=True, allow_none=True)
    unit_price_basis = fields.String()
    ratio = fields.Decimal(as_string=True, allow_none=True)
    return_right = fields.Boolean()
    decision = fields.Function(lambda s: s.decision.value if s.decision else None)
    lines = fields.List(fields.Nested(LineSchema))
    total = fields.Decimal(as_string=True)
    paid = fields.Decimal(as_string=True)
    refunded = fields.Decimal(as_string=True)
    balance = fields.Decimal(as_string=True)
    offset = fields.Decimal(as_string=True, metadata={"description": "area differential refund set off against "
                                                                      "the other lines"})
    settled = fields.Boolean()
    area_differential_settled = fields.Boolean()
    owed = fields.List(fields.Nested(LineStandingSchema), attribute="line_standings",
                       metadata={"description": "per line: what is still owed after offsets and payments"})
    cleared_for_handover = fields.Boolean(metadata={"description": "settled enough for keys and signing"})
    owed_before_handover = fields.Decimal(as_string=True)
    settle_before_handover = fields.Function(
        lambda s: None if s.settle_first is None else sorted(s.settle_first),
        metadata={"description": "lines the batch wants settled first (null: the whole statement)"})
    pending = fields.List(fields.String())


class PaymentInSchema(Schema):
    kind = fields.Enum(PaymentKind, by_value=True, required=True)
    amount = StrictMoney(required=True, validate=validate.Range(min=0, min_inclusive=False))
    method = fields.Enum(PaymentMethod, by_value=True, required=True)
    receipt_no = fields.String(load_default="", validate=validate.Length(max=40),
                               metadata={"description": "blank: the project's next receipt number"})
    note = fields.String(load_default="", validate=validate.Length(max=255))
    at = fields.AwareDateTime(load_default=None, metadata={"description": "when the money moved (default: now)"})
    idempotency_key = fields.String(load_default=None, validate=validate.Length(min=1, max=80),
                                    metadata={"description": "or the Idempotency-Key header: a resend returns "
                                                             "the first entry"})


class PaymentSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    kind = fields.Enum(PaymentKind, by_value=True)
    amount = fields.Decimal(as_string=True)
    method = fields.Enum(PaymentMethod, by_value=True)
    receipt_no = fields.String()
    reverses_id = fields.Integer(allow_none=True)
    note = fields.String()
    operator_name = fields.String()
    at = fields.DateTime()


class ReversalInSchema(Schema):
    receipt_no = fields.String(load_default="", validate=validate.Length(max=40))
    note = fields.String(load_default="", validate=validate.Length(max=255))


class ConversionInSchema(Schema):
    amount = StrictMoney(required=True, validate=validate.Range(min=0, min_inclusive=False))
    receipt_no = fields.String(load_default="", validate=validate.Length(max=36))


class ReturnDecisionInSchema(Schema):
    keep = fields.Boolean(required=True)


class DayEndQuerySchema(Schema):
    date = fields.Date(required=True)
    batch_id = fields.Integer(load_default=None)


class DayEndRowSchema(Schema):
    method = fields.Function(lambda r: r["method"].value)
    operator = fields.String()
    received = fields.Decimal(as_string=True)
    refunded = fields.Decimal(as_string=True)
    count = fields.Integer()
