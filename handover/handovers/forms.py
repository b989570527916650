"""Handover forms (input shape only)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from handover.core.timeutil import today_local
from handover.handovers.rules import HANDED_ITEMS


class SignForm(FlaskForm):
    handed_over_on = DateField(_l("Handover date"), default=today_local,
                               validators=[InputRequired(_l("Enter the handover date."))])
    items = SelectMultipleField(_l("Handed to the owner"),
                                choices=[SelectChoice(code, label) for code, label in HANDED_ITEMS.items()],
                                option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
                                validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    #: generated when the page is shown, so a double tap or a resend signs once
    idempotency_key = StringField(widget=widgets.HiddenInput(), validators=[Optional(), Length(max=80)])


class CorrectForm(FlaskForm):
    handed_over_on = DateField(_l("Correct handover date"), validators=[InputRequired(_l("Enter the handover date."))])
    note = StringField(_l("Why"), validators=[DataRequired(_l("Say why.")), Length(max=2000)])


class RevokeForm(FlaskForm):
    note = StringField(_l("Why"), validators=[DataRequired(_l("Say why.")), Length(max=2000)])
