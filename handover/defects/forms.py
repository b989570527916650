"""Defect page forms (input shape only): logging on a tablet, life-cycle actions, bulk assignment, owner replies.

Business checks (a contractor and due date to assign, an after photo to fix, a note to reject…)
stay in `defects.rules`/`defects.service`; these forms only turn the posted fields into values.
"""
import uuid
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, \
    TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from handover.defects.models import Severity
from handover.defects.rules import TransitionInput
from handover.defects.service import NewDefect
from handover.extensions import db
from handover.inspections.models import ChecklistItem, InspectionStage
from handover.inspections.rules import DEFAULT_ROOMS
from handover.projects.models import Contractor


def contractor_choices() -> list[tuple[str, str]]:
    """Every contractor company, by name (contractors are not tied to a project)."""
    rows = db.session.execute(sa.select(Contractor.id, Contractor.name).order_by(Contractor.name)).all()
    return [(str(contractor_id), name) for contractor_id, name in rows]


def uploaded_files(field) -> list:
    """The files actually chosen in a multiple file input (browsers send an empty part when none is)."""
    return [f for f in (field.data or []) if f and getattr(f, "filename", "")]


def _uuid(form, field):
    try:
        uuid.UUID(field.data or "")
    except ValueError:
        raise ValidationError(_l("This form is damaged: reload the page.")) from None


def _pin(field) -> Decimal | None:
    """A pin coordinate: a fraction from 0 to 1, kept to 4 decimals."""
    if not field.data:
        return None
    try:
        value = Decimal(field.data).quantize(Decimal("0.0001"))
    except (InvalidOperation, ValueError):
        raise ValidationError(_l("This form is damaged: reload the page.")) from None
    if not Decimal(0) <= value <= Decimal(1):
        raise ValidationError(_l("The pin must lie on the floor plan."))
    return value


class LogDefectForm(FlaskForm):
    """The tablet form: big choices for room, category, item and severity; photos from the camera.

    `id` is generated when the page renders, so sending the form twice records one defect.
    """

    id = HiddenField(validators=[_uuid])
    inspection_id = HiddenField()
    stage = SelectField(_l("Found at"))
    room = RadioField(_l("Room in the unit"), validate_choice=False,
                      validators=[DataRequired(_l("Choose the room.")), Length(max=40)])
    category = RadioField(_l("Category"), validate_choice=False,
                          validators=[DataRequired(_l("Choose the category.")), Length(max=40)])
    checklist_item_id = RadioField(_l("Item"), validate_choice=False, validators=[Optional()])
    description = TextAreaField(_l("What is wrong"), validators=[DataRequired(_l("Describe the defect.")),
                                                                 Length(max=2000)])
    severity = RadioField(_l("Severity"), default=Severity.MINOR.value)
    quick_fix = BooleanField(_l("For the rapid repair team (quick fix)"))
    photos = MultipleFileField(_l("Photos"))
    #: where on the layout's floor plan, as fractions of its width and height (set by tapping the plan)
    pin_x = HiddenField(validators=[Optional()])
    pin_y = HiddenField(validators=[Optional()])

    def __init__(self, items: list[ChecklistItem], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {str(item.id): item for item in items}
        self.stage.choices = [(s.value, s.label) for s in InspectionStage]
        self.room.choices = [(room, room) for room in DEFAULT_ROOMS]
        self.category.choices = [(c, c) for c in dict.fromkeys(item.category for item in items)]
        self.checklist_item_id.choices = [(key, item.name) for key, item in self.items.items()]
        self.severity.choices = [(s.value, s.label) for s in Severity]

    def validate_checklist_item_id(self, field):
        if field.data and field.data not in self.items:
            raise ValidationError(_l("That checklist item no longer exists. Choose another."))

    def validate_inspection_id(self, field):
        if field.data and not field.data.isdigit():
            raise ValidationError(_l("This form is damaged: reload the page."))

    def validate_pin_x(self, field):
        _pin(field)

    def validate_pin_y(self, field):
        _pin(field)

    def pin(self) -> tuple[Decimal | None, Decimal | None]:
        if not (self.pin_x.data and self.pin_y.data):
            return None, None
        return _pin(self.pin_x), _pin(self.pin_y)

    def chosen_item(self) -> ChecklistItem | None:
        return self.items.get(self.checklist_item_id.data or "")

    def new_defect(self) -> NewDefect:
        item = self.chosen_item()
        return NewDefect(
            id=self.id.data, stage=InspectionStage(self.stage.data), room=self.room.data,
            category=item.category if item else self.category.data, sub_item=item.name if item else "",
            checklist_item_id=item.id if item else None, description=self.description.data,
            severity=Severity(self.severity.data), quick_fix=self.quick_fix.data,
            inspection_id=int(self.inspection_id.data) if self.inspection_id.data else None,
            pin_x=self.pin()[0], pin_y=self.pin()[1],
        )


class ActionForm(FlaskForm):
    """One life-cycle action on a defect; each action's form shows only the fields it needs.

    Rendered once per action with `prefix=action`. `version` is the defect version the page
    showed, so a change based on a stale page is refused instead of overwriting.
    """

    version = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    contractor_id = SelectField(_l("Contractor"), validate_choice=False, validators=[Optional()])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    statement = TextAreaField(_l("Agreed statement to the owner"), validators=[Optional(), Length(max=2000)])
    compensation_plan = TextAreaField(_l("Compensation plan"), validators=[Optional(), Length(max=2000)])
    photos = MultipleFileField(_l("Photos"))
    #: names the photos held on the server after a failed save (see handover.web.held)
    photo_key = HiddenField()

    def __init__(self, *args, contractors: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contractor_id.choices = [("", _l("Choose…"))] + (contractors or [])

    def transition_input(self, action: str) -> TransitionInput:
        contractor = self.contractor_id.data
        return TransitionInput(action=action, contractor_id=int(contractor) if contractor and contractor.isdigit()
                               else None, due_date=self.due_date.data, note=self.note.data or "",
                               statement=self.statement.data or "",
                               compensation_plan=self.compensation_plan.data or "")


class BulkAssignForm(FlaskForm):
    """Assign every defect matching the list's filters to one contractor with one due date."""

    contractor_id = SelectField(_l("Contractor"), validate_choice=False)
    due_date = DateField(_l("Due date"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, contractors: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contractor_id.choices = [("", _l("Choose…"))] + (contractors or [])

    def chosen_contractor(self) -> int | None:
        value = self.contractor_id.data or ""
        return int(value) if value.isdigit() else None


class OwnerReplyForm(FlaskForm):
    """A homeowner confirms a closed fix, or disputes it with a note and a photo."""

    version = IntegerField(widget=HiddenInput(), validators=[DataRequired(), NumberRange(min=1)])
    note = TextAreaField(_l("What is still wrong"), validators=[Optional(), Length(max=2000)])
    photos = MultipleFileField(_l("Photo"))
    #: names the photos held on the server after a failed save (see handover.web.held)
    photo_key = HiddenField()
