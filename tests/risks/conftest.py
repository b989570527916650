"""Risk fixtures: the `world` scenario with a second building and a handover window."""
from datetime import date
from types import SimpleNamespace

import pytest

from handover.extensions import db
from handover.projects.models import Batch, Unit


@pytest.fixture
def site(app, world, make_unit):
    """Project A's batch gets a handover window 2099-06-01..2099-06-30 and a unit c1 in building 2."""
    c1 = make_unit(world.a.batch_id, "201", building="2", phone="13800000009", owner_name="赵敏")
    with app.app_context():
        batch = db.session.get(Batch, world.a.batch_id)
        batch.window_start, batch.window_end = date(2099, 6, 1), date(2099, 6, 30)
        db.session.commit()
        b1 = db.session.get(Unit, world.a1.id).building_id
        b2 = db.session.get(Unit, c1.id).building_id
    return SimpleNamespace(batch_id=world.a.batch_id, building1=b1, building2=b2, a1=world.a1.id, a2=world.a2.id,
                           c1=c1.id, world=world)


@pytest.fixture
def new_risk(api, site):
    """new_risk(by="engineering", **fields) -> the created risk's JSON."""

    def make(by="engineering", **fields):
        body = {"category": "G", "title": "电梯未完成验收", "severity": "blocking", **fields}
        response = api.token(by).post(f"/api/v1/batches/{site.batch_id}/risks", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make
