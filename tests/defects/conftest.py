"""Defect fixtures: the `world` scenario plus a recorded defect and a due date ahead."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from handover.accounts.models import User
from handover.core.timeutil import today_local
from handover.defects import service
from handover.defects.models import Severity
from handover.extensions import db
from handover.inspections.models import InspectionStage
from handover.projects.models import Unit


def new_defect(**overrides):
    values = dict(stage=InspectionStage.UNIT_ACCEPTANCE, room="客厅", category="门窗", sub_item="开启灵活",
                  description="窗扇开启不畅", severity=Severity.MINOR)
    values.update(overrides)
    return service.NewDefect(**values)


@pytest.fixture
def due():
    return today_local() + timedelta(days=7)


@pytest.fixture
def record(app, world):
    """record(unit_id=..., by="engineering", **fields) -> defect id"""

    def make(unit_id=None, by="engineering", **fields):
        with app.app_context():
            actor = db.session.get(User, world.users[by])
            defect, _ = service.record_defect(db.session.get(Unit, unit_id or world.a1.id), new_defect(**fields),
                                              actor=actor)
            db.session.commit()
            return defect.id

    return make


@pytest.fixture
def users(app, world):
    def get(name):
        user_id = world.users.get(name) if name != "owner" else world.owner.user_id
        return db.session.get(User, user_id)

    return SimpleNamespace(get=get)
