from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from handover.cases.models import CaseKind, CaseSeverity, CaseSource


class CaseForm(FlaskForm):
    kind = SelectField(_l("What is it?"), choices=[(k.value, k.label) for k in CaseKind], default="repair")
    category = StringField(_l("Category"), validators=[Optional(), Length(max=60)],
                           description=_l("e.g. water leak, doors and windows, noise"))
    severity = SelectField(_l("Urgency"), choices=[(s.value, s.label) for s in CaseSeverity], default="normal")
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=4000)])
    photos = MultipleFileField(_l("Photos"))


class StaffCaseForm(CaseForm):
    source = SelectField(_l("Received by"), choices=[(s.value, s.label) for s in CaseSource if s.value != "portal"],
                         default="phone")
    major = BooleanField(_l("Major complaint"))
    group = BooleanField(_l("Group complaint (群诉)"))


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Reply"), validators=[DataRequired(), Length(max=4000)])
    internal = BooleanField(_l("Internal note (the owner never sees it)"))


class ActForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    version = HiddenField()
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])
