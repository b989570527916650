"""Master data use cases against the database (no HTTP): projects, batches, contractors."""
from datetime import date

import pytest
import sqlalchemy as sa

from handover.accounts.models import User
from handover.core.errors import Conflict, ValidationFailed
from handover.extensions import db
from handover.projects import queries, service
from handover.projects.models import Batch, Contractor, HandoverMode, Project


def _user(name) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def test_a_new_project_is_seen_by_its_creator_and_by_administrators(ctx, world):
    created = service.create_project("  滨江苑 ", actor=_user("manager"), city="杭州")
    db.session.commit()
    assert (created.name, created.city) == ("滨江苑", "杭州")
    assert created.id in {p.id for p in queries.list_projects(_user("manager"))}  # put on it: sees it
    assert created.id not in {p.id for p in queries.list_projects(_user("sales"))}
    assert created.id in {p.id for p in queries.list_projects(_user("admin"))}
    by_admin = service.create_project("西溪苑", actor=_user("admin"))
    assert _user("admin").projects == []  # sees every project without being put on any
    assert by_admin.id in {p.id for p in queries.list_projects(_user("admin"))}


def test_a_project_needs_a_name_of_its_own(ctx, world):
    with pytest.raises(ValidationFailed) as blank:
        service.create_project("   ", actor=_user("admin"))
    assert blank.value.details == [{"field": "name", "message": blank.value.message}]
    with pytest.raises(Conflict):
        service.create_project("云璟花园", actor=_user("admin"))  # world's project A
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 2


def test_a_batch_has_a_name_unique_in_its_project_and_a_window_in_order(ctx, world):
    project = db.session.get(Project, world.a.id)
    batch = service.create_batch(project, "二期", actor=_user("manager"), mode=HandoverMode.CENTRALIZED,
                                 window_start=date(2026, 12, 1), window_end=date(2026, 12, 20))
    assert (batch.project_id, batch.window_end) == (project.id, date(2026, 12, 20))
    with pytest.raises(ValidationFailed) as bad:
        service.create_batch(project, "", actor=_user("manager"), window_start=date(2026, 12, 20),
                             window_end=date(2026, 12, 1))
    assert {d["field"] for d in bad.value.details} == {"name", "window_end"}  # every problem at once
    with pytest.raises(Conflict):
        service.create_batch(project, "二期", actor=_user("manager"))
    other = service.create_batch(db.session.get(Project, world.b.id), "二期", actor=_user("manager"))
    assert other.id != batch.id  # the same name in another project is fine
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Batch).where(Batch.name == "二期")) == 2


def test_a_contractor_is_created_once_by_name(ctx, world):
    made = service.create_contractor(" 东方防水 ", actor=_user("engineering"), contact_name="陈工", phone="13900000009")
    assert (made.name, made.contact_name) == ("东方防水", "陈工")
    with pytest.raises(Conflict):
        service.create_contractor("宏元建设", actor=_user("engineering"))  # world's contractor
    with pytest.raises(ValidationFailed):
        service.create_contractor("", actor=_user("engineering"))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contractor)) == 1
