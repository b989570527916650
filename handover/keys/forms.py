"""Key ledger forms (input shape only: the custody rules live in keys.rules and keys.service)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from handover.keys.models import KeyEventType, KeyKind

#: what the desk records for several keys of a unit at once (always signed by the owner)
DESK_EVENTS = (KeyEventType.HANDED_TO_OWNER, KeyEventType.ENTRUSTED, KeyEventType.RETURNED_TO_OWNER)


class KeyEventForm(FlaskForm):
    """One custody event of one key; which fields matter depends on the type (the service checks)."""

    type = StringField(_l("Event"), validators=[DataRequired(), AnyOf([e.value for e in KeyEventType])])
    to = StringField(_l("To / from whom"), validators=[Optional(), Length(max=80)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    #: for "checked": did the key open the lock (the service asks for it)
    result = StringField(_l("Result"), validators=[Optional(), AnyOf(["ok", "fails"])])
    signature = HiddenField()
    next = HiddenField()

    @property
    def result_ok(self) -> bool | None:
        return {"ok": True, "fails": False}.get(self.result.data)


class DeskEventForm(FlaskForm):
    """Hand over, entrust or return several keys of one unit with one signature of the owner."""

    key_ids = SelectMultipleField(_l("Keys"), coerce=int, validate_choice=False,
                                  validators=[DataRequired(_l("Tick at least one key."))])
    to = StringField(_l("Owner's name"), validators=[DataRequired(), Length(max=80)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    signature = HiddenField()


class ReceiveForm(FlaskForm):
    """Receive every key still with the general contractor (in a building, or the whole batch)."""

    to = StringField(_l("Received from"), validators=[DataRequired(), Length(max=80)])
    building_id = HiddenField()


class BulkKeysForm(FlaskForm):
    kind = SelectField(_l("Key type"), choices=[SelectChoice(kind.value) for kind in KeyKind])
    sets_per_unit = IntegerField(_l("Sets per unit"), default=1, validators=[DataRequired(), NumberRange(1, 5)])
    copies = IntegerField(_l("Copies in each set"), default=3, validators=[DataRequired(), NumberRange(1, 20)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(kind.value, kind.label) for kind in KeyKind]


class KeyImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (.xlsx)"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["xlsx"], _l("Only .xlsx spreadsheets can be imported.")),
    ])
