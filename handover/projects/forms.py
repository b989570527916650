"""Master data forms (input shape only)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from handover.projects.models import HandoverMode


class UnitImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (.xlsx)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["xlsx"], _l("Only .xlsx spreadsheets can be imported.")),
    ])


class ImportConfirmForm(FlaskForm):
    """Confirms a previewed import: the staged file by token and hash, and the warnings accepted."""

    token = HiddenField(validators=[DataRequired()])
    sha256 = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    accept_warnings = BooleanField(_l("I have checked the warnings above and want to import anyway"))


class ProjectForm(FlaskForm):
    name = StringField(_l("Project name"), validators=[DataRequired(), Length(max=120)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=60)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    developer = StringField(_l("Developer"), validators=[Optional(), Length(max=120)])


class BatchForm(FlaskForm):
    name = StringField(_l("Batch name"), validators=[DataRequired(), Length(max=120)])
    mode = SelectField(_l("Handover mode"), choices=[(m.value, m.label) for m in HandoverMode])
    window_start = DateField(_l("Handover window from"), validators=[Optional()])
    window_end = DateField(_l("Handover window to"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = [(m.value, m.label) for m in HandoverMode]


class CompanyDetailsForm(FlaskForm):
    """What documents print about the issuing company and the handover office."""

    company_name = StringField(_l("Company name (printed on documents)"), validators=[Optional(), Length(max=120)])
    company_address = StringField(_l("Company address"), validators=[Optional(), Length(max=255)])
    company_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=60)])
    office_hours = StringField(_l("Office hours"), validators=[Optional(), Length(max=120)])
    handover_venue = StringField(_l("Handover venue"), validators=[Optional(), Length(max=255)])
    booking_instructions = TextAreaField(_l("How owners book a handover time"),
                                         validators=[Optional(), Length(max=2000)])
    bank_name = StringField(_l("Bank for transfers"), validators=[Optional(), Length(max=120)])
    bank_account_name = StringField(_l("Account name"), validators=[Optional(), Length(max=120)])
    bank_account = StringField(_l("Account number"), validators=[Optional(), Length(max=60)])
    property_company = StringField(_l("Property management company"), validators=[Optional(), Length(max=120)])
    property_requirements = TextAreaField(_l("What the property company needs from owners"),
                                          validators=[Optional(), Length(max=2000)])
    seal_box = BooleanField(_l("Print a box for the company seal"))
