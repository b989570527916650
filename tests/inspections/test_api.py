"""Checklist and inspection rounds through the API; limits fail by themselves."""
import pytest

from handover.extensions import db
from handover.inspections import service


@pytest.fixture
def checklist(app):
    with app.app_context():
        added = service.seed_default_checklist()
        db.session.commit()
        assert service.seed_default_checklist() == 0  # idempotent
        return added


def test_default_checklist_covers_the_domain(world, checklist, api):
    api.token("engineering")
    items = api.get("/api/v1/checklist").get_json()
    assert len(items) == checklist
    categories = {item["category"] for item in items}
    assert {"墙面顶棚", "门窗", "入户门", "栏杆护窗", "防水", "给排水", "电气", "烟道风道"} <= categories
    railing = next(i for i in items if i["name"].startswith("栏杆高度（临空高度 24 m 以下）"))
    assert railing["limit_min"] == "1.050" and railing["limit"] == "≥ 1.05 m"
    rough = api.get("/api/v1/checklist?fitout_type=rough").get_json()
    assert "精装" not in {item["category"] for item in rough}


def test_a_measured_railing_fails_by_itself(world, checklist, api):
    api.token("engineering")
    items = {i["name"]: i["id"] for i in api.get("/api/v1/checklist").get_json()}
    round_ = api.post(f"/api/v1/units/{world.a1.id}/inspections",
                      json={"stage": "unit_acceptance", "inspected_on": "2026-11-20", "inspectors": "陈工、周主管"})
    assert round_.status_code == 201
    url = f"/api/v1/inspections/{round_.get_json()['id']}/results"
    railing = items["栏杆高度（临空高度 24 m 以下）"]
    low = api.post(url, json={"item_id": railing, "passed": True, "measured_value": "1.02"})
    assert low.get_json()["passed"] is False  # ticked as passed, but 1.02 m < 1.05 m
    ok = api.post(url, json={"item_id": railing, "measured_value": "1.05"})
    assert ok.get_json()["passed"] is True  # the limit itself passes; the same result is corrected
    gap = api.post(url, json={"item_id": items["竖杆间距"], "measured_value": "0.12"})
    assert gap.get_json()["passed"] is False
    assert api.post(url, json={"item_id": items["开启灵活"]}).status_code == 422  # neither verdict nor value
    rounds = api.get(f"/api/v1/units/{world.a1.id}/inspections").get_json()
    assert len(rounds) == 1 and len(rounds[0]["results"]) == 2


def test_rounds_are_scoped(world, checklist, api):
    api.token("sales_b")
    assert api.post(f"/api/v1/units/{world.a1.id}/inspections",
                    json={"stage": "open_day", "inspected_on": "2026-11-20"}).status_code == 404
