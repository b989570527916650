"""Inspection page forms (input shape only): checklist items, starting a round, a round's results."""
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from handover.inspections.checklist import ChecklistItemInput
from handover.inspections.models import ChecklistItem, InspectionStage, WarrantyClass
from handover.inspections.service import ResultInput
from handover.projects.models import FitoutType

MAX_MEASURE = Decimal(1000)
PLACES = 3  # limits and measurements are stored with 3 decimals (millimetres when in metres)


def _measurement(raw: str) -> Decimal | None:
    """A measured value or limit: a finite number from 0 to 1000 with at most 3 decimals, else None."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 <= value <= MAX_MEASURE or value.normalize().as_tuple().exponent < -PLACES:
        return None
    return value


def _plain(value: Decimal | None) -> Decimal | None:
    """1.050 shown as 1.05, 10.000 as 10."""
    return None if value is None else Decimal(format(value.normalize(), "f"))


def _three_decimals(form, field):
    if field.data is not None and _measurement(str(field.data)) is None:
        raise ValidationError(_l("Enter a number with at most 3 decimals, e.g. 1.05."))


class ChecklistItemForm(FlaskForm):
    category = StringField(_l("Category"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Item"), validators=[DataRequired(), Length(max=120)])
    limit_min = DecimalField(_l("Lowest acceptable value"), places=None,
                             validators=[Optional(), _three_decimals])
    limit_max = DecimalField(_l("Highest acceptable value"), places=None,
                             validators=[Optional(), _three_decimals])
    limit_unit = StringField(_l("Unit of measurement"), validators=[Optional(), Length(max=10)])
    phrases = TextAreaField(_l("Common phrases, one per line"), validators=[Optional(), Length(max=2000)])
    fitout_type = SelectField(_l("Applies to"))
    warranty_class = SelectField(_l("Warranty class"))
    active = BooleanField(_l("In use"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fitout_type.choices = [("", _l("Every unit"))] + [(f.value, f.label) for f in FitoutType]
        self.warranty_class.choices = [(w.value, w.label) for w in WarrantyClass]

    @classmethod
    def for_item(cls, item: ChecklistItem) -> "ChecklistItemForm":
        return cls(data={
            "category": item.category, "name": item.name, "limit_min": _plain(item.limit_min),
            "limit_max": _plain(item.limit_max),
            "limit_unit": item.limit_unit, "phrases": "\n".join(item.phrases or []),
            "fitout_type": item.fitout_type.value if item.fitout_type else "",
            "warranty_class": item.warranty_class.value, "active": item.active,
        })

    def values(self) -> ChecklistItemInput:
        return ChecklistItemInput(
            category=self.category.data, name=self.name.data, warranty_class=WarrantyClass(self.warranty_class.data),
            fitout_type=FitoutType(self.fitout_type.data) if self.fitout_type.data else None,
            limit_min=self.limit_min.data, limit_max=self.limit_max.data, limit_unit=self.limit_unit.data or "",
            phrases=tuple((self.phrases.data or "").splitlines()), active=self.active.data,
        )


class RoundForm(FlaskForm):
    """Start an inspection round of a unit: stage, date and who inspects."""

    stage = SelectField(_l("Stage"))
    inspected_on = DateField(_l("Date"), validators=[DataRequired()])
    inspectors = StringField(_l("Inspectors"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = [(s.value, s.label) for s in InspectionStage]


class ResultsForm(FlaskForm):
    """A round's results: per item `passed-<id>` (pass/fail), `value-<id>` and `note-<id>`, read by `results()`."""

    def results(self, formdata, items: list[ChecklistItem]) -> tuple[list[ResultInput], dict[int, str]]:
        """The items given a result (untouched ones are left out), and per-item problems."""
        found, problems = [], {}
        for item in items:
            verdict = formdata.get(f"passed-{item.id}", "")
            raw_value = formdata.get(f"value-{item.id}", "").strip().replace(",", ".")
            note = formdata.get(f"note-{item.id}", "").strip()[:1000]
            if not verdict and not raw_value:
                continue
            value = _measurement(raw_value) if raw_value else None
            if raw_value and value is None:
                problems[item.id] = str(_l("Enter a number with at most 3 decimals, e.g. 1.05."))
                continue
            passed = {"pass": True, "fail": False}.get(verdict)
            found.append(ResultInput(item_id=item.id, passed=passed, measured_value=value, note=note))
        return found, problems
