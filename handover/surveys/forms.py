from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from handover.surveys.models import DIMENSION_LABELS, DIMENSIONS


class SurveyForm(FlaskForm):
    recommend = RadioField(_l("How likely are you to recommend us to a friend? (0–10)"),
                           choices=[(str(n), str(n)) for n in range(11)], validators=[InputRequired()])
    comment = TextAreaField(_l("Anything to tell us?"), validators=[Optional(), Length(max=2000)])
    complaint = BooleanField(_l("This is a complaint: please call me"))


for _name in DIMENSIONS:
    setattr(SurveyForm, _name, RadioField(DIMENSION_LABELS[_name], choices=[(str(n), str(n)) for n in range(1, 6)],
                                          validators=[Optional()]))
