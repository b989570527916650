"""The shared form helper: commit once or roll back, refusal details onto the form's fields."""
import sqlalchemy as sa
from flask import session
from flask_wtf import FlaskForm
from wtforms import StringField

from handover.core.errors import NotPermitted, ValidationFailed
from handover.extensions import db
from handover.projects.models import Project
from handover.web.forms import attempt, show_errors


class _Form(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name")
    city = StringField("City")


def _projects() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Project))


def test_a_refusal_rolls_back_and_lands_on_the_named_fields(ctx):
    form = _Form(data={"name": "", "city": "上海"})

    def step():
        db.session.add(Project(name="半截", city=""))
        db.session.flush()
        raise ValidationFailed("Name is required.", details=[
            {"field": "name", "message": "Name is required."}, {"field": "city", "message": "unknown"},
            {"field": "elsewhere", "message": "Not on this form."}])

    outcome = attempt(step, form=form)
    assert not outcome and isinstance(outcome.error, ValidationFailed)
    assert _projects() == 0  # rolled back
    assert form.name.errors == ["Name is required."]
    assert form.city.errors == ["Name is required."]  # a code ("unknown") gives the refusal's own sentence
    assert form.form_errors == []  # placed on fields, so not repeated on top


def test_what_names_no_field_goes_on_top_and_success_commits_once(ctx):
    form = _Form(data={"name": "x"})
    show_errors(form, NotPermitted("You may not do this."))
    assert form.form_errors == ["You may not do this."]

    saved = attempt(lambda: db.session.add(Project(name="一期", city="")) or "done", success="Saved.")
    assert saved and saved.value == "done"
    db.session.rollback()  # nothing pending: the helper committed
    assert _projects() == 1
    assert session.pop("_flashes") == [("success", "Saved.")]

    refused = attempt(lambda: (_ for _ in ()).throw(NotPermitted("No.")))
    assert not refused and session.pop("_flashes") == [("error", "No.")]
