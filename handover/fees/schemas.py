"""Request and response schemas of the fee API; amounts are decimal strings."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from handover.fees.models import PaymentKind, PaymentMethod


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
    settled = fields.Boolean()
    area_differential_settled = fields.Boolean()
    pending = fields.List(fields.String())


class PaymentInSchema(Schema):
    kind = fields.Enum(PaymentKind, by_value=True, required=True)
    amount = StrictMoney(required=True, validate=validate.Range(min=0, min_inclusive=False))
    method = fields.Enum(PaymentMethod, by_value=True, required=True)
    receipt_no = fields.String(load_default="", validate=validate.Length(max=40),
                               metadata={"description": "blank: the project's next receipt number"})
    note = fields.String(load_default="", validate=validate.Length(max=255))


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


class HandoverInSchema(Schema):
    handed_over_on = fields.Date(required=True)
