"""The readiness gate's blockers for a unit, public-area defects through the defect workflow,
and who protects finished work after the transfer."""
import io
import re
import uuid
from datetime import date, timedelta

from handover.core.timeutil import today_local
from handover.extensions import db
from handover.projects.models import Unit
from handover.risks import queries
from tests.fixtures.images import png

LATER = (today_local() + timedelta(days=30)).isoformat()
DEFECT = {"stage": "property_takeover", "room": "大堂", "category": "墙面", "description": "大堂吊顶渗水",
          "severity": "major"}


def _blockers(app, unit_id):
    with app.app_context():
        return queries.readiness_blockers(db.session.get(Unit, unit_id))


def test_a_blocking_risk_blocks_the_units_it_covers_until_resolved(app, api, site, new_risk):
    risk = new_risk(building_id=site.building1)
    blockers = _blockers(app, site.a1)
    assert [(b["code"], b["risk_id"]) for b in blockers] == [("readiness", risk["id"])]
    assert "电梯未完成验收" in blockers[0]["message"]
    assert _blockers(app, site.c1) == []  # building 2 is not covered
    url = f"/api/v1/risks/{risk['id']}/transitions"
    api.post(url, json={"action": "plan", "plan": "验收", "due_date": LATER})
    assert _blockers(app, site.a1), "a plan alone does not release the unit"
    api.post(url, json={"action": "resolve", "note": "已验收"})
    assert _blockers(app, site.a1) == []
    api.post(url, json={"action": "reopen", "note": "复查不合格"})
    assert _blockers(app, site.a1), "reopened: blocking again"


def test_a_batch_wide_blocking_risk_blocks_every_unit_and_acceptance_releases_them(app, api, site, new_risk):
    risk = new_risk(severity="blocking")
    new_risk(title="低风险", severity="high")
    assert len(_blockers(app, site.a1)) == 1 and len(_blockers(app, site.c1)) == 1
    assert _blockers(app, site.world.b1.id) == []  # another project
    api.token("manager").post(f"/api/v1/risks/{risk['id']}/transitions",
                              json={"action": "accept", "statement": "说辞", "compensation_plan": "补偿"})
    assert _blockers(app, site.a1) == [] and _blockers(app, site.c1) == []


def test_an_override_releases_the_units_until_the_risk_is_reopened(app, api, site, new_risk):
    risk = new_risk()
    api.token("manager").post(f"/api/v1/risks/{risk['id']}/override", json={"reason": "临时方案已验收"})
    assert _blockers(app, site.a1) == []
    url = f"/api/v1/risks/{risk['id']}/transitions"
    api.post(url, json={"action": "plan", "plan": "正式验收", "due_date": LATER})
    api.post(url, json={"action": "resolve", "note": "已验收"})
    api.post(url, json={"action": "reopen", "note": "验收证被撤销"})
    assert len(_blockers(app, site.a1)) == 1, "reopening lapses the override"


def test_a_public_area_defect_goes_through_the_whole_defect_workflow(app, api, as_role, site):
    api.token("engineering")
    area = api.post(f"/api/v1/batches/{site.batch_id}/areas",
                    json={"name": "1号楼入户大堂", "kind": "lobby", "building_id": site.building1})
    assert area.status_code == 201
    area_id = area.get_json()["id"]
    assert api.post(f"/api/v1/batches/{site.batch_id}/areas", json={"name": "1号楼入户大堂", "kind": "lobby"}
                    ).status_code == 422
    client_id = str(uuid.uuid4())
    first = api.post(f"/api/v1/areas/{area_id}/defects", json={**DEFECT, "id": client_id})
    again = api.post(f"/api/v1/areas/{area_id}/defects", json={**DEFECT, "id": client_id})
    assert first.status_code == again.status_code == 201
    body = first.get_json()
    assert body["id"] == again.get_json()["id"] == client_id
    assert body["area_id"] == area_id and body["unit_id"] is None and body["building_id"] == site.building1
    assert len(api.get(f"/api/v1/areas/{area_id}/defects").get_json()) == 1
    assert api.post(f"/api/v1/units/{site.a1}/defects", json={**DEFECT, "id": client_id}).status_code == 409
    url = f"/api/v1/defects/{client_id}/transitions"
    assert api.post(url, json={"action": "assign", "contractor_id": site.world.contractor_id,
                               "due_date": LATER}).get_json()["status"] == "assigned"
    contractor = as_role("contractor")
    listed = contractor.get("/api/v1/defects").get_json()
    assert [d["id"] for d in listed["items"]] == [client_id]
    photo = contractor.post(f"/api/v1/defects/{client_id}/photos",
                            data={"file": (io.BytesIO(png()), "after.png")}, content_type="multipart/form-data")
    assert photo.status_code == 201
    assert contractor.post(url, json={"action": "fix", "note": "已更换吊顶"}).status_code == 200
    readiness = api.get(f"/api/v1/batches/{site.batch_id}/readiness").get_json()
    assert readiness["public_area_defects_open"] == 1
    verified = api.post(url, json={"action": "verify"}).get_json()
    assert verified["status"] == "verified"
    assert [e["action"] for e in verified["history"]] == ["create", "assign", "fix", "verify"]
    assert api.get(f"/api/v1/batches/{site.batch_id}/readiness").get_json()["public_area_defects_open"] == 0


def test_the_defect_page_of_a_public_area_defect_opens(app, api, browser, site):
    api.token("engineering")
    area_id = api.post(f"/api/v1/batches/{site.batch_id}/areas", json={"name": "小区主路", "kind": "road"}
                       ).get_json()["id"]
    defect_id = api.post(f"/api/v1/areas/{area_id}/defects", json=DEFECT).get_json()["id"]
    browser.login("engineering")
    page = browser.client.get(f"/defects/{defect_id}")
    assert page.status_code == 200
    assert "小区主路" in page.get_data(as_text=True)


def test_finished_work_is_the_property_companys_to_protect_from_the_transfer(app, api, site):
    api.token("property").post(f"/api/v1/buildings/{site.building1}/transfer", json={"transferred_on": "2099-05-01"})
    with app.app_context():
        assert queries.protection_duty(site.building1, date(2099, 4, 30)) == "contractor"
        assert queries.protection_duty(site.building1, date(2099, 5, 1)) == "property_company"
        assert queries.protection_duty(site.building2, date(2099, 5, 1)) == "contractor"


def test_defect_lists_dashboard_and_ledger_still_work_with_public_area_defects(app, api, browser, site):
    api.token("engineering")
    area_id = api.post(f"/api/v1/batches/{site.batch_id}/areas", json={"name": "小区景观水系", "kind": "landscape"}
                       ).get_json()["id"]
    api.post(f"/api/v1/areas/{area_id}/defects", json=DEFECT)
    api.post(f"/api/v1/units/{site.a1}/defects", json={**DEFECT, "room": "客厅"})
    browser.login("engineering")
    listing = browser.client.get(f"/batches/{site.batch_id}/defects")
    assert listing.status_code == 200 and "小区景观水系" in listing.get_data(as_text=True)
    browser.client.set_cookie("lang", "en")
    dashboard = browser.client.get(f"/batches/{site.batch_id}/defects/dashboard")
    assert dashboard.status_code == 200 and "Batch-wide public areas" in dashboard.get_data(as_text=True)
    ledger = browser.client.get(f"/batches/{site.batch_id}/defects.xlsx")
    assert ledger.status_code == 200
    from openpyxl import load_workbook

    rows = [[cell for cell in row] for row in load_workbook(io.BytesIO(ledger.data)).active.iter_rows(values_only=True)]
    texts = [" ".join(str(cell) for cell in row if cell is not None) for row in rows]
    assert any("小区景观水系" in text and "大堂吊顶渗水" in text for text in texts), "the area defect is in the ledger"
    assert any("客厅" in text for text in texts), "and so is the unit's"


def test_defects_found_after_the_transfer_show_the_property_company_protects_finished_work(app, api, browser, site):
    api.token("property").post(f"/api/v1/buildings/{site.building1}/transfer", json={"transferred_on": "2026-01-05"})
    defect_id = api.token("engineering").post(f"/api/v1/units/{site.a1}/defects", json=DEFECT).get_json()["id"]
    browser.client.set_cookie("lang", "en")
    browser.login("engineering")
    html = browser.client.get(f"/defects/{defect_id}").get_data(as_text=True)
    assert re.search(r'id="protection">Property company', html)


def test_risk_events_are_announced_after_the_commit(app, api, new_risk):
    from handover.core.events import risk_status_changed

    heard = []

    def listener(sender, **payload):
        heard.append(payload)

    risk_status_changed.connect(listener)
    try:
        risk = new_risk()
        api.post(f"/api/v1/risks/{risk['id']}/transitions", json={"action": "plan", "plan": "x", "due_date": LATER})
        api.post(f"/api/v1/risks/{risk['id']}/transitions", json={"action": "resolve"})  # refused: nothing heard
    finally:
        risk_status_changed.disconnect(listener)
    assert [(p["action"], p["to_status"]) for p in heard] == [("record", "open"), ("plan", "planned")]
    assert heard[1]["risk_id"] == risk["id"] and heard[1]["severity"] == "blocking"
