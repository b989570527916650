"""Fee forms (input shape only). Amounts are typed as text and parsed to Decimal, never float."""
import re
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields import SelectChoice, SelectMultipleField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from handover.core.money import parse_decimal
from handover.fees.models import PaymentKind, PaymentMethod, ReturnDecision

#: digits with optional thousands separators and decimals: 24000, 24,000.00, 0.5
PLAIN_NUMBER = re.compile(r"^(\d[\d,，]*)?(\.\d+)?$")
#: methods a clerk records by hand; "conversion" is only made by the refund conversion
HAND_METHODS = (PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.TRANSFER)


class DecimalTextField(StringField):
    """A number typed as text ("24,000.00" too), kept as Decimal with at most `places` decimals.

    The text stays in the box when it is wrong, so the clerk can correct it.
    """

    def __init__(self, label=None, validators=None, *, places: int = 2, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.places = places

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            if not PLAIN_NUMBER.match(text):  # no sign, exponent, NaN or letters
                raise ValueError(text)
            self.data = parse_decimal(text, places=self.places)
        except ValueError:
            raise ValueError(_("Enter a number such as 24000.00, with at most %(n)d decimals.", n=self.places)) \
                from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


def percent_to_rate(value: Decimal | None) -> Decimal | None:
    """1.5 (%) → 0.015, exactly."""
    return None if value is None else value.scaleb(-2)


def rate_to_percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.scaleb(2).normalize()


class OtherChargeForm(Form):
    # not "label": a field's label attribute would hide it
    name = StringField(_l("Charge"), validators=[Optional(), Length(max=60)])
    amount = DecimalTextField(_l("Amount (yuan)"), validators=[Optional()])


class FeeSettingsForm(FlaskForm):
    property_fee_rate = DecimalTextField(_l("Property fee (yuan per m² per month)"), validators=[Optional()],
                                         places=4)
    prepay_months = IntegerField(_l("Months of property fee collected in advance"), default=3,
                                 validators=[InputRequired(), NumberRange(min=0, max=36)])
    maintenance_fund_per_m2 = DecimalTextField(_l("Maintenance fund (yuan per m² of measured area)"),
                                               validators=[Optional()])
    maintenance_fund_percent = DecimalTextField(_l("…or maintenance fund, percent of the contract price"),
                                                validators=[Optional()], places=4)
    deed_tax_percent = DecimalTextField(_l("Deed tax, percent of the final price"), validators=[Optional()], places=4)
    other = FieldList(FormField(OtherChargeForm), min_entries=3)
    settle_before_handover = SelectMultipleField(
        _l("Also required before keys and signing"), validators=[Optional()],
        choices=[SelectChoice("property_fee", _l("Property fee prepayment")),
                 SelectChoice("maintenance_fund", _l("Public maintenance fund")),
                 SelectChoice("deed_tax", _l("Deed tax")), SelectChoice("other", _l("Other charges"))],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        description=_l("The area differential always must be settled first. Tick none to require the whole "
                       "statement (the default)."))

    def values(self) -> dict:
        """The form as `fees.service.set_fee_settings` takes it."""
        return {
            "property_fee_rate": self.property_fee_rate.data, "prepay_months": self.prepay_months.data,
            "maintenance_fund_per_m2": self.maintenance_fund_per_m2.data,
            "maintenance_fund_rate": percent_to_rate(self.maintenance_fund_percent.data),
            "deed_tax_rate": percent_to_rate(self.deed_tax_percent.data),
            "other": [{"label": entry.form.name.data.strip(), "amount": entry.form.amount.data} for entry in self.other
                      if (entry.form.name.data or "").strip() and entry.form.amount.data is not None],
            "settle_before_handover": list(self.settle_before_handover.data or []) or None,
        }

    def validate_other(self, field):
        for entry in field:
            if bool((entry.form.name.data or "").strip()) != (entry.form.amount.data is not None):
                raise ValidationError(_("Give each other charge both a name and an amount."))


RECEIPT_HINT = _l("Leave blank to take the project's next receipt number; type one only from a paper receipt book.")


class PaymentForm(FlaskForm):
    kind = SelectField(_l("Kind"), default=PaymentKind.PAYMENT.value)
    amount = DecimalTextField(_l("Amount (yuan)"), validators=[InputRequired(_l("Enter the amount."))])
    method = SelectField(_l("Method"), default=PaymentMethod.TRANSFER.value)
    receipt_no = StringField(_l("Receipt or invoice number"), validators=[Optional(), Length(max=40)],
                             description=RECEIPT_HINT)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, k.label) for k in PaymentKind]
        self.method.choices = [(m.value, m.label) for m in HAND_METHODS]


class ReversalForm(FlaskForm):
    receipt_no = StringField(_l("Receipt number of the reversal"), validators=[Optional(), Length(max=40)],
                             description=RECEIPT_HINT)
    note = StringField(_l("Reason"), validators=[Optional(), Length(max=255)])


class ConversionForm(FlaskForm):
    amount = DecimalTextField(_l("Amount to convert (yuan)"), validators=[InputRequired(_l("Enter the amount."))])
    # the service appends -R and -P, and receipt numbers hold 40 characters
    receipt_no = StringField(_l("Receipt number"), validators=[Optional(), Length(max=36)], description=RECEIPT_HINT)


class ReturnDecisionForm(FlaskForm):
    decision = RadioField(_l("Buyer's decision"), validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [(d.value, d.label) for d in ReturnDecision]


class ReceiptSequenceForm(FlaskForm):
    """A project's receipt numbering: SK- + 000123."""

    prefix = StringField(_l("Prefix"), validators=[Optional(), Length(max=20)])
    next_number = IntegerField(_l("Next number"), validators=[InputRequired(), NumberRange(min=1)])
    digits = IntegerField(_l("Digits"), validators=[InputRequired(), NumberRange(min=1, max=12)])
