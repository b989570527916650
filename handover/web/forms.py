"""Form handling in one place: run the service calls, commit once or roll back, and show a refusal.

Every page view that changes data goes through `attempt` (or `submit`, which validates the form
first)::

    form = ProjectForm()
    if submit(form, lambda: service.create_project(...), success=_("Project created.")):
        return redirect(...)
    return render_template("projects/form.html", form=form)

`save` does the same for a request with no form (starting a job: a refusal goes to the error
page) and `dry_run` runs a step and always rolls back (an import's preview). No page view calls
``db.session.commit()`` or ``rollback()`` itself (tests/core/test_form_helper.py checks).

A `DomainError` rolls the whole request back. Its `details` (a list of ``{field, message}``) land
under the form fields they name; what names no field goes to ``form.form_errors`` (shown by the
error summary at the top of the form, ``templates/_partials/error_summary.html``) or, without a
form, to a flash. The summary lists every error with a link to its field; `static/js/forms.js`
scrolls to it. Inputs are kept because the view re-renders the posted form.
"""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash
from flask_babel import gettext as _

from handover.core.errors import DomainError
from handover.extensions import db


@dataclass
class Outcome:
    """What an attempt came to: truthy when saved (`value` is what the step returned)."""

    ok: bool
    value: Any = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.ok


NOT_SUBMITTED = Outcome(False)


def attempt(step: Callable[[], Any], *, form=None, success: str | Callable[[Any], str] | None = None,
            field_aliases: dict[str, str] | None = None, quiet: bool = False) -> Outcome:
    """Run `step` (service calls that flush), then commit once; on a DomainError roll back and show it.

    With `form`, the refusal goes onto its fields (`field_aliases` maps a service's field name to the
    form's, e.g. ``{"file": "photos"}``); without, it is flashed. `success` is flashed after the
    commit (a callable gets the step's result). `quiet` leaves showing the refusal to the caller
    (it is in ``outcome.error``).
    """
    try:
        value = step()
    except DomainError as exc:
        db.session.rollback()
        if quiet:
            pass
        elif form is not None:
            show_errors(form, exc, field_aliases)
        else:
            flash(exc.message, "error")
        return Outcome(False, error=exc)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    if success:
        flash(success(value) if callable(success) else success, "success")
    return Outcome(True, value)


def save(step: Callable[[], Any]) -> Any:
    """Run `step` and commit once, for a request with no form to show a refusal on (a job started,
    a row created on first visit): a refusal rolls back and propagates to the app's error page."""
    outcome = attempt(step, quiet=True)
    if outcome.error is not None:
        raise outcome.error
    return outcome.value


def dry_run(step: Callable[[], Any], *, form=None, field_aliases: dict[str, str] | None = None) -> Outcome:
    """Run `step` to see what it would change, then roll everything back: nothing is written (an
    import's preview). A refusal is shown as `attempt` shows it; the outcome holds the step's result."""
    try:
        value = step()
    except DomainError as exc:
        db.session.rollback()
        if form is not None:
            show_errors(form, exc, field_aliases)
        else:
            flash(exc.message, "error")
        return Outcome(False, error=exc)
    except Exception:
        db.session.rollback()
        raise
    db.session.rollback()
    return Outcome(True, value)


def submit(form, step: Callable[[], Any], **kwargs) -> Outcome:
    """`attempt` once the posted form validates; a GET or an invalid form is a falsy outcome."""
    if not form.validate_on_submit():
        return NOT_SUBMITTED
    return attempt(step, form=form, **kwargs)


def show_errors(form, exc: DomainError, field_aliases: dict[str, str] | None = None) -> None:
    """Put a refusal's details under the fields they name; the rest (and a bare message) goes to
    ``form.form_errors``, which the error summary shows at the top of the form."""
    aliases = field_aliases or {}
    placed = False
    for detail in exc.details or []:
        name = aliases.get(detail.get("field") or "", detail.get("field"))
        if name and name in form:
            message = _message(detail, exc)
            if message not in form[name].errors:
                form[name].errors = [*form[name].errors, message]
            placed = True
    if not placed:
        form.form_errors.append(exc.message)


def _message(detail: dict, exc: DomainError) -> str:
    """A detail's message when it is a sentence for people; a code ("unknown", "not_png") gives the
    refusal's own message instead."""
    message = str(detail.get("message") or "")
    is_code = message.isascii() and message.replace("_", "").isalpha() and message.islower()
    return exc.message if not message or is_code else message


def first_error(form) -> str:
    """The first error of a form as one line ("Due date: Not a valid date"), for a flash."""
    for error in getattr(form, "form_errors", []):
        return str(error)
    for name, errors in form.errors.items():
        if name is None or not errors:
            continue
        field = form[name] if name in form else None
        hidden = field is None or getattr(field.widget, "input_type", "") == "hidden"
        return str(errors[0]) if hidden else _("%(field)s: %(error)s", field=field.label.text, error=errors[0])
    return _("The form could not be read. Reload the page and try again.")


def import_problems(error: DomainError | None) -> list[dict] | None:
    """The rows of a refused spreadsheet import (row, column, message) for its problems table."""
    if error is None:
        return None
    return error.details or [{"field": None, "message": error.message}]
