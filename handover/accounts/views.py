"""Sign-in, sign-out, homeowner activation, language switch and the landing page."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from handover.accounts import service
from handover.accounts.access import request_user
from handover.accounts.forms import ActivateForm, LoginForm, ResetForm
from handover.accounts.permissions import can, requires
from handover.accounts.rules import is_safe_next
from handover.core.access import public
from handover.web.forms import attempt, submit
from handover.accounts.forms import PasswordForm
from handover.accounts.signin_limits import (counting_failures, limit_failed_activations, limit_failed_signins,
                                             record_failure)

bp = Blueprint("accounts", __name__)


def _landing_for(user) -> str:
    if can(user, "portal.use"):
        return url_for("portal.home")
    if can(user, "defects.contractor_worklist"):
        return url_for("accounts.contractor_home")
    return url_for("projects.dashboard")


@bp.get("/")
@public
def index():
    """Send each visitor to where their work is."""
    user = request_user()
    return redirect(_landing_for(user) if user else url_for("accounts.login"))


@bp.route("/login", methods=["GET", "POST"])
@public
@limit_failed_signins
def login():
    """Sign in with username (homeowners: mobile number) and password."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = service.authenticate(form.username.data, form.password.data)
        if user is None:
            record_failure()
            flash(_("Wrong username or password."), "error")
        elif attempt(lambda: service.start_login_session(user), form=form):
            login_user(user)
            session.permanent = True
            target = form.next.data
            return redirect(target if is_safe_next(target) else _landing_for(user))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@requires("accounts.sign_out")
def logout():
    """End the server-side session, so a copied cookie stops working too."""
    attempt(lambda: service.end_login_session(request_user().get_id()))
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
@requires("accounts.own")
def password():
    """Change your own password. Every other session and API token of yours ends; this browser
    stays signed in with a new session."""
    form = PasswordForm()
    user = request_user()

    def change():
        service.change_password(user, form.current.data, form.password.data)
        service.start_login_session(user)
        login_user(user)

    if submit(form, change, success=_("Your password is changed. Other devices have been signed out."),
              field_aliases={"current_password": "current"}):
        return redirect(_landing_for(user.role))
    return render_template("accounts/password.html", form=form)


@bp.route("/activate", methods=["GET", "POST"])
@public
@limit_failed_activations
def activate():
    """Homeowners create their portal account with their mobile number and the code staff gave them."""
    form = ActivateForm()
    act = counting_failures(service.activate_owner)
    if submit(form, lambda: act(form.phone.data, form.code.data, form.password.data),
              success=_("Your password is set. Sign in with your mobile number.")):
        return redirect(url_for("accounts.login"))
    return render_template("accounts/activate.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@public
@limit_failed_activations
def reset():
    """Homeowners who have an account set a new password with their mobile number, a code from
    staff and the last six characters of their ID number."""
    form = ResetForm()
    act = counting_failures(service.reset_owner_password)
    if submit(form, lambda: act(form.phone.data, form.code.data, form.id_tail.data, form.password.data),
              success=_("Your password is set. Sign in with your mobile number.")):
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.post("/language")
@public
def set_language():
    """Switch between Chinese and English; remembered in a cookie."""
    lang = request.form.get("lang", "zh_Hans_CN")
    target = request.form.get("next", "")
    response = redirect(target if is_safe_next(target) else url_for("accounts.index"))
    if lang in ("zh_Hans_CN", "en"):
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        session["lang"] = lang
    return response


@bp.get("/contractor")
@requires("defects.contractor_worklist")
def contractor_home():
    """A contractor's landing page: their company's defects to fix."""
    return redirect(url_for("contractor.defects"))
