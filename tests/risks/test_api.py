"""Risk API: the register, the life cycle with its guards and approval, readiness, promises,
public areas and the transfer's 20-day warning."""
from datetime import timedelta

from handover.core.timeutil import today_local

LATER = (today_local() + timedelta(days=30)).isoformat()


def test_record_a_risk_and_list_it_with_filters(api, site, new_risk):
    risk = new_risk(category="A", title="销售户型图与合同附图不一致", severity="high", department="营销部",
                    building_id=site.building1)
    assert risk["status"] == "open" and risk["category"] == "A" and risk["building_id"] == site.building1
    assert risk["allowed_actions"] == ["plan", "accept"]
    new_risk(category="G", title="燃气未通")
    url = f"/api/v1/batches/{site.batch_id}/risks"
    assert [r["title"] for r in api.get(url + "?category=A").get_json()] == ["销售户型图与合同附图不一致"]
    assert len(api.get(url + "?status=open").get_json()) == 2
    assert api.get(url + "?status=accepted").get_json() == []


def test_unknown_category_or_severity_is_422(api, site):
    api.token("engineering")
    url = f"/api/v1/batches/{site.batch_id}/risks"
    bad = api.post(url, json={"category": "Z", "title": "x", "severity": "huge"})
    assert bad.status_code == 422
    assert {"category", "severity"} <= {d["field"] for d in bad.get_json()["details"]}
    other_batch = api.post(url, json={"category": "A", "title": "x", "severity": "low", "building_id": 999999})
    assert other_batch.status_code == 422 and other_batch.get_json()["details"][0]["field"] == "building_id"


def test_risks_of_another_project_are_not_found(api, site, new_risk):
    risk = new_risk()
    api.token("sales_b")
    assert api.get(f"/api/v1/risks/{risk['id']}").status_code == 404
    assert api.get(f"/api/v1/batches/{site.batch_id}/risks").status_code == 404


def test_plan_then_resolve_with_history(api, site, new_risk):
    risk = new_risk()
    url = f"/api/v1/risks/{risk['id']}/transitions"
    no_date = api.post(url, json={"action": "plan", "plan": "督促电梯厂家"})
    assert no_date.status_code == 422 and no_date.get_json()["details"][0]["field"] == "due_date"
    planned = api.post(url, json={"action": "plan", "plan": "督促电梯厂家", "due_date": LATER})
    assert planned.status_code == 200
    body = planned.get_json()
    assert body["status"] == "planned" and body["plan_owner"] == "engineering"  # defaults to who planned it
    assert api.post(url, json={"action": "reopen", "note": "x"}).status_code == 409
    resolved = api.post(url, json={"action": "resolve", "note": "电梯已取得使用登记证"}).get_json()
    assert resolved["status"] == "resolved"
    assert [e["action"] for e in resolved["history"]] == ["record", "plan", "resolve"]
    assert [e["to_status"] for e in resolved["history"]] == ["open", "planned", "resolved"]


def test_not_allowed_from_the_current_status_is_409(api, new_risk):
    risk = new_risk()
    response = api.post(f"/api/v1/risks/{risk['id']}/transitions", json={"action": "resolve", "note": "done"})
    assert response.status_code == 409 and response.get_json()["error"] == "transition_not_allowed"


def test_accept_needs_statement_and_a_manager_who_is_a_second_person(api, site, new_risk):
    risk = new_risk(category="E", title="卫生间门与淋浴屏冲突", severity="high")
    url = f"/api/v1/risks/{risk['id']}/transitions"
    statement = {"action": "accept", "statement": "为满足消防要求，门扇开启方向无法调整。", "compensation_plan": "更换为折叠门"}
    by_engineering = api.token("engineering").post(url, json=statement)
    assert by_engineering.status_code == 403
    api.token("manager")
    missing = api.post(url, json={"action": "accept", "statement": "只有说辞"})
    assert missing.status_code == 422
    assert [d["field"] for d in missing.get_json()["details"]] == ["compensation_plan"]
    accepted = api.post(url, json=statement)
    assert accepted.status_code == 200
    body = accepted.get_json()
    assert body["status"] == "accepted" and body["approved_by_name"] == "manager" and body["approved_at"]
    assert body["history"][-1]["data"]["approved_by"] == "manager"


def test_a_manager_cannot_approve_a_risk_they_recorded(api, new_risk):
    risk = new_risk(by="manager")
    response = api.post(f"/api/v1/risks/{risk['id']}/transitions",
                        json={"action": "accept", "statement": "说辞", "compensation_plan": "补偿"})
    assert response.status_code == 403
    assert api.get(f"/api/v1/risks/{risk['id']}").get_json()["status"] == "open"


def test_reopen_keeps_the_history_and_a_stale_version_is_refused(api, new_risk):
    risk = new_risk()
    url = f"/api/v1/risks/{risk['id']}/transitions"
    api.token("manager").post(url, json={"action": "accept", "statement": "说辞", "compensation_plan": "补偿"})
    stale = api.post(url, json={"action": "reopen", "note": "业主仍不接受", "version": risk["version"]})
    assert stale.status_code == 409
    reopened = api.post(url, json={"action": "reopen", "note": "业主仍不接受"}).get_json()
    assert reopened["status"] == "open" and reopened["approved_by_name"] == ""
    assert [e["action"] for e in reopened["history"]] == ["record", "accept", "reopen"]
    assert reopened["history"][1]["data"]["statement"] == "说辞"  # never rewritten


def test_readiness_lists_blocking_risks_and_turns_ready(api, site, new_risk):
    risk = new_risk()
    url = f"/api/v1/batches/{site.batch_id}/readiness"
    body = api.get(url).get_json()
    assert body["ready"] is False
    assert body["blocking"] == [{"risk_id": risk["id"], "title": "电梯未完成验收"}]
    assert body["risks"] == {"open": 1, "planned": 0, "resolved": 0, "accepted": 0}
    assert any("电梯未完成验收" in reason for reason in body["reasons"])
    # answer every question, transfer both buildings, resolve the risk: ready
    check = api.post(f"/api/v1/batches/{site.batch_id}/self-checks", json={}).get_json()
    for question in check["questions"]:
        assert api.post(f"/api/v1/self-checks/{check['id']}/answers",
                        json={"question": question["code"], "answer": "ok"}).status_code == 200
    for building in (site.building1, site.building2):
        assert api.post(f"/api/v1/buildings/{building}/transfer",
                        json={"transferred_on": "2099-05-01"}).status_code == 201
    still = api.get(url).get_json()
    assert still["ready"] is False and len(still["reasons"]) == 1
    risk_url = f"/api/v1/risks/{risk['id']}/transitions"
    api.post(risk_url, json={"action": "plan", "plan": "验收", "due_date": LATER})
    api.post(risk_url, json={"action": "resolve", "note": "已验收"})
    ready = api.get(url).get_json()
    assert ready["ready"] is True and ready["reasons"] == [] and ready["blocking"] == []
    assert all(c["checked"] for c in ready["categories"]) and ready["transfer_done"] is True


def test_readiness_of_one_building_ignores_the_other_buildings_risks(api, site, new_risk):
    new_risk(building_id=site.building2)
    url = f"/api/v1/batches/{site.batch_id}/readiness"
    assert api.get(f"{url}?building_id={site.building2}").get_json()["blocking"]
    assert api.get(f"{url}?building_id={site.building1}").get_json()["blocking"] == []


def test_a_manager_override_releases_a_blocking_risk_with_a_recorded_reason(api, site, new_risk):
    risk = new_risk()
    assert api.token("engineering").post(f"/api/v1/risks/{risk['id']}/override",
                                         json={"reason": "x"}).status_code == 403
    api.token("manager")
    overridden = api.post(f"/api/v1/risks/{risk['id']}/override", json={"reason": "临时电梯已通过检测，业主可正常使用"})
    assert overridden.status_code == 200
    assert overridden.get_json()["history"][-1]["action"] == "override"
    body = api.get(f"/api/v1/batches/{site.batch_id}/readiness").get_json()
    assert body["blocking"] == [] and body["overridden"][0]["reason"].startswith("临时电梯")


def test_promises_with_scope_and_a_broken_promise_opens_a_category_c_risk(api, site):
    api.token("sales")
    url = f"/api/v1/batches/{site.batch_id}/promises"
    whole = api.post(url, json={"text": "小区配建幼儿园", "source": "advertising"})
    assert whole.status_code == 201 and whole.get_json()["building_ids"] == []
    one = api.post(url, json={"text": "1号楼大堂精装修", "source": "sales", "building_ids": [site.building1]}).get_json()
    unit = api.post(url, json={"text": "赠送车位使用权", "source": "contract_annex", "unit_ids": [site.c1]}).get_json()
    assert api.post(url, json={"text": "x", "source": "sales", "unit_ids": [site.world.b1.id]}).status_code == 422
    in_a1 = [row["promise"]["text"] for row in api.get(f"/api/v1/units/{site.a1}/promises").get_json()]
    in_c1 = [row["promise"]["text"] for row in api.get(f"/api/v1/units/{site.c1}/promises").get_json()]
    assert in_a1 == ["小区配建幼儿园", "1号楼大堂精装修"]
    assert in_c1 == ["小区配建幼儿园", "赠送车位使用权"]
    outside = api.post(f"/api/v1/promises/{unit['id']}/checks", json={"unit_id": site.a1, "kept": True})
    assert outside.status_code == 422
    broken = api.post(f"/api/v1/promises/{one['id']}/checks",
                      json={"unit_id": site.a1, "kept": False, "note": "大堂为普通涂料"})
    assert broken.status_code == 201 and broken.get_json()["risk_id"]
    risk = api.get(f"/api/v1/risks/{broken.get_json()['risk_id']}").get_json()
    assert risk["category"] == "C" and "1号楼大堂精装修" in risk["title"] and risk["building_id"] == site.building1
    rows = api.get(f"/api/v1/units/{site.a1}/promises").get_json()
    assert rows[1]["check"]["kept"] is False and rows[0]["check"] is None


def test_transfer_later_than_20_days_before_the_window_warns(api, site):
    api.token("property")
    late = api.post(f"/api/v1/buildings/{site.building1}/transfer", json={
        "transferred_on": "2099-05-20", "developer_signatory": "李工", "property_signatory": "王经理",
        "open_items": [{"description": "屋面防水收口", "promised_on": "2099-05-28"}]})
    assert late.status_code == 201
    body = late.get_json()
    assert body["late"] is True and "20" in body["warning"]
    assert body["open_items"] == [{"description": "屋面防水收口", "promised_on": "2099-05-28", "area_id": None}]
    in_time = api.post(f"/api/v1/buildings/{site.building2}/transfer", json={"transferred_on": "2099-05-12"})
    assert in_time.get_json()["late"] is False and in_time.get_json()["warning"] is None
    again = api.post(f"/api/v1/buildings/{site.building2}/transfer", json={"transferred_on": "2099-05-12"})
    assert again.status_code == 409
    no_date = api.post(f"/api/v1/buildings/{site.building1}/transfer", json={"transferred_on": "2099-05-12",
                       "open_items": [{"description": "x"}]})
    assert no_date.status_code == 422
    readiness = api.get(f"/api/v1/batches/{site.batch_id}/readiness").get_json()
    assert [t["late"] for t in readiness["transfers"]] == [True, False]
    assert any("20" in w for w in readiness["warnings"])


def test_a_contractor_cannot_reach_the_register(api, site):
    api.token("contractor")
    assert api.get(f"/api/v1/batches/{site.batch_id}/risks").status_code == 403


def test_evidence_lets_a_planned_risk_be_resolved_without_a_note(api, new_risk):
    import io

    from tests.fixtures.images import png

    risk = new_risk()
    url = f"/api/v1/risks/{risk['id']}/transitions"
    api.post(url, json={"action": "plan", "plan": "验收", "due_date": LATER})
    assert api.post(url, json={"action": "resolve"}).status_code == 422
    empty = api.post(f"/api/v1/risks/{risk['id']}/evidence", data={"file": (io.BytesIO(b""), "x.pdf")},
                     content_type="multipart/form-data")
    assert empty.status_code == 422
    added = api.post(f"/api/v1/risks/{risk['id']}/evidence", data={"file": (io.BytesIO(png()), "电梯登记证.png")},
                     content_type="multipart/form-data")
    assert added.status_code == 201 and added.get_json()["filename"] == "电梯登记证.png"
    resolved = api.post(url, json={"action": "resolve"}).get_json()
    assert resolved["status"] == "resolved"
    assert [e["action"] for e in resolved["history"]] == ["record", "plan", "evidence", "resolve"]


def test_readiness_of_a_building_of_another_batch_is_not_found(api, site):
    api.token("admin")
    other = api.get(f"/api/v1/batches/{site.world.b.batch_id}/readiness").get_json()
    assert other["batch_id"] == site.world.b.batch_id
    response = api.get(f"/api/v1/batches/{site.world.b.batch_id}/readiness?building_id={site.building1}")
    assert response.status_code == 404
