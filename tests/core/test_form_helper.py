"""The shared form helper: commit once or roll back, refusal details onto the form's fields."""
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import session
from flask_wtf import FlaskForm
from wtforms import StringField

from handover.core.errors import NotPermitted, ValidationFailed
from handover.extensions import db
from handover.projects.models import Project
from handover.web.forms import attempt, dry_run, import_problems, save, show_errors

ROOT = Path(__file__).resolve().parents[2] / "handover"


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


def test_save_commits_once_and_a_refusal_propagates_after_rolling_back(ctx):
    assert save(lambda: db.session.add(Project(name="一期", city="")) or "job") == "job"
    db.session.rollback()  # nothing pending: the helper committed
    assert _projects() == 1

    def refused():
        db.session.add(Project(name="二期", city=""))
        db.session.flush()
        raise NotPermitted("No.")

    with pytest.raises(NotPermitted):
        save(refused)
    assert _projects() == 1  # the app's error page answers; nothing of the step was kept


def test_dry_run_shows_what_would_change_and_writes_nothing(ctx):
    def preview():
        db.session.add(Project(name="预览", city=""))
        db.session.flush()
        return _projects()

    outcome = dry_run(preview)
    assert outcome and outcome.value == 1
    assert _projects() == 0

    form = _Form(data={"name": "x"})
    refused = dry_run(lambda: (_ for _ in ()).throw(ValidationFailed("Bad file.", details=[
        {"field": "name", "message": "Row 3: the room is missing.", "row": 3}])), form=form)
    assert not refused and form.name.errors == ["Row 3: the room is missing."]
    assert import_problems(refused.error) == [{"field": "name", "message": "Row 3: the room is missing.", "row": 3}]


#: page modules: every views.py, *_views.py and views_*.py under handover/ (and the portal)
PAGE_MODULES = sorted(p for p in ROOT.rglob("*.py") if p.stem == "views" or p.stem.endswith("_views")
                      or p.stem.startswith("views_"))
HAND_WRITTEN = re.compile(r"\bsession\s*\.\s*(commit|rollback)\s*\(")


def test_no_page_view_commits_or_rolls_back_by_hand():
    """Pages save through `handover.web.forms` (attempt/submit/save/dry_run): one place commits once or
    rolls back and shows the refusal. (An API module keeps its single commit per request.)"""
    assert len(PAGE_MODULES) >= 10, PAGE_MODULES
    offenders = [f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}"
                 for path in PAGE_MODULES
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if HAND_WRITTEN.search(line)]
    assert offenders == []
