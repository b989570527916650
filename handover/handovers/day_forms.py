"""Handover-day forms (input shape only)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField, widgets
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from handover.handovers import day_rules


class SlotForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("Starts at"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(_l("Enter when the slot starts."))])
    ends_at = DateTimeLocalField(_l("Ends at"), format="%Y-%m-%dT%H:%M",
                                 validators=[InputRequired(_l("Enter when the slot ends."))])
    capacity = IntegerField(_l("Capacity"), default=10,
                            validators=[InputRequired(_l("Enter the capacity.")), NumberRange(min=1, max=10000)])


class BookForm(FlaskForm):
    slot_id = SelectField(_l("Time slot"), coerce=int, validators=[InputRequired(_l("Choose a time slot."))])


class CheckInForm(FlaskForm):
    identity = SelectField(_l("Who came"), choices=[SelectChoice(k, v) for k, v in day_rules.IDENTITIES.items()],
                           default="owner")
    id_last4 = StringField(_l("ID number, last 4"), validators=[Optional(), Length(min=4, max=4)])
    visitor_name = StringField(_l("Name (proxy)"), validators=[Optional(), Length(max=60)])
    proxy_letter = StringField(_l("Notarised letter no."), validators=[Optional(), Length(max=120)])
    idempotency_key = StringField(widget=widgets.HiddenInput(), validators=[Optional(), Length(max=80)])


class StepForm(FlaskForm):
    note = TextAreaField(_l("Reason or note"), validators=[Optional(), Length(max=2000)])
    idempotency_key = StringField(widget=widgets.HiddenInput(), validators=[Optional(), Length(max=80)])


class ReadingsForm(FlaskForm):
    water = StringField(_l("Water (m³)"), validators=[InputRequired(_l("Enter the reading."))])
    electricity = StringField(_l("Electricity (kWh)"), validators=[InputRequired(_l("Enter the reading."))])
    gas = StringField(_l("Gas (m³)"), validators=[InputRequired(_l("Enter the reading."))])
