"""Risk page forms (input shape only); every business check is in risks.rules / risks.service."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from handover.defects.models import Severity
from handover.inspections.models import InspectionStage
from handover.risks.models import AreaKind, PromiseSource, RiskCategory, RiskSeverity


def _choices(enum_cls) -> list[tuple[str, str]]:
    return [(member.value, member.label) for member in enum_cls]


def _category_choices() -> list[tuple[str, str]]:
    return [(c.value, f"{c.value} · {c.label}") for c in RiskCategory]


class BuildingChoice(SelectField):
    """A building of the batch, or the whole batch (empty)."""

    def __init__(self, label, **kwargs):
        super().__init__(label, validate_choice=False, validators=[Optional()], **kwargs)

    def building_id(self) -> int | None:
        return int(self.data) if self.data and str(self.data).isdigit() else None


def set_buildings(field, buildings) -> None:
    field.choices = [("", _l("Whole batch"))] + [(str(b.id), b.name) for b in buildings]


class RiskForm(FlaskForm):
    category = SelectField(_l("Category"), choices=_category_choices, validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    severity = SelectField(_l("Severity"), choices=lambda: _choices(RiskSeverity), default="medium")
    building_id = BuildingChoice(_l("Building"))
    department = StringField(_l("Department responsible"), validators=[Optional(), Length(max=60)])
    answer_id = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ActionForm(FlaskForm):
    """One life-cycle action (plan, resolve, accept, propose, reopen, override) on a risk."""

    version = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    plan = TextAreaField(_l("Rectification plan"), validators=[Optional(), Length(max=4000)])
    plan_owner = StringField(_l("Who carries it out"), validators=[Optional(), Length(max=80)])
    due_date = DateField(_l("Deadline"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])
    statement = TextAreaField(_l("Agreed statement to buyers"), validators=[Optional(), Length(max=4000)])
    compensation_plan = TextAreaField(_l("Compensation plan"), validators=[Optional(), Length(max=4000)])


class EvidenceForm(FlaskForm):
    file = FileField(_l("Photo or file"))


class StartCheckForm(FlaskForm):
    building_id = BuildingChoice(_l("Building"))


class AnswerForm(FlaskForm):
    question = HiddenField(validators=[DataRequired()])
    answer = HiddenField(validators=[DataRequired()])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PromiseForm(FlaskForm):
    text = TextAreaField(_l("What was promised"), validators=[DataRequired(), Length(max=4000)])
    source = SelectField(_l("Source"), choices=lambda: _choices(PromiseSource))
    reference = StringField(_l("Where it was made"), validators=[Optional(), Length(max=200)])
    building_ids = MultiCheckboxField(_l("Buildings"), coerce=int, validate_choice=False)
    unit_ids = SelectMultipleField(_l("Units in scope"), coerce=int, validate_choice=False)


class PromiseCheckForm(FlaskForm):
    unit_id = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    inspection_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    kept = HiddenField(validators=[DataRequired()])
    note = StringField(_l("What was found"), validators=[Optional(), Length(max=4000)])


class AreaForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=lambda: _choices(AreaKind))
    building_id = BuildingChoice(_l("Building"))


class AreaDefectForm(FlaskForm):
    id = HiddenField()
    stage = SelectField(_l("Stage"), choices=lambda: _choices(InspectionStage), default="property_takeover")
    room = StringField(_l("Where exactly"), validators=[DataRequired(), Length(max=40)])
    category = StringField(_l("Category"), validators=[DataRequired(), Length(max=40)])
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=2000)])
    severity = SelectField(_l("Severity"), choices=lambda: _choices(Severity), default="minor")
    photos = MultipleFileField(_l("Photos"))


class TransferForm(FlaskForm):
    building_id = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    transferred_on = DateField(_l("Transferred on"), validators=[DataRequired()])
    developer_signatory = StringField(_l("Signed for the developer"), validators=[DataRequired(), Length(max=80)])
    property_signatory = StringField(_l("Signed for the property company"),
                                     validators=[DataRequired(), Length(max=80)])
    open_items = TextAreaField(_l("Open items, one per line: what | promised date (YYYY-MM-DD)"),
                               validators=[Optional(), Length(max=8000)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])


class OverrideForm(FlaskForm):
    reason = TextAreaField(_l("Written reason"), validators=[DataRequired(), Length(max=4000)])
