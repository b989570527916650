"""Sign-in and activation forms (input shape only)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("Username or mobile number"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ActivateForm(FlaskForm):
    phone = StringField(_l("Mobile number"), validators=[DataRequired(), Length(min=11, max=11)],
                        render_kw={"inputmode": "tel", "autocomplete": "tel"})
    code = StringField(_l("Activation code"), validators=[DataRequired(), Length(min=8, max=8)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=128)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class ResetForm(ActivateForm):
    """An owner with an account: the code staff gave them plus the last six characters of their ID."""
    id_tail = StringField(_l("Last 6 characters of your ID number"), validators=[DataRequired(), Length(min=6, max=6)],
                          render_kw={"autocomplete": "off", "autocapitalize": "characters"})


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=128)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])
