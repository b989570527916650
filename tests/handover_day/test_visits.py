"""Check-in, the stations in order, the fee and walk-through stations' conditions, meter readings,
the gate's new conditions (each alone blocks signing with its code) and a resent station act."""
from datetime import date

from tests.handover_day.conftest import png_data_url


def _round(api, unit_id):
    response = api.post(f"/api/v1/units/{unit_id}/inspections",
                        json={"stage": "handover", "inspected_on": date.today().isoformat(), "inspectors": "王工"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_check_in_gives_queue_numbers_and_once_a_day(day, demo_cases, api):
    api.token("sales")
    first = api.post(f"/api/v1/units/{demo_cases.netting}/visits", json={})
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["ticket_no"] == 1 and body["status"] == "open"
    assert [(s["step"], s["status"]) for s in body["steps"]] == [
        ("documents", "pending"), ("fees", "pending"), ("walkthrough", "pending"), ("signing", "pending"),
        ("keys", "pending")]
    again = api.post(f"/api/v1/units/{demo_cases.netting}/visits", json={})
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    second = api.post(f"/api/v1/units/{demo_cases.owing}/visits", json={})
    assert second.get_json()["ticket_no"] == 2


def test_identity_check_and_proxy(world, api):
    api.token("sales")
    wrong = api.post(f"/api/v1/units/{world.a1.id}/visits", json={"id_last4": "0000"})
    assert wrong.status_code == 422 and wrong.get_json()["details"][0]["field"] == "id_last4"
    proxy = api.post(f"/api/v1/units/{world.a2.id}/visits", json={"identity": "proxy", "visitor_name": "代理人"})
    assert proxy.status_code == 422 and proxy.get_json()["details"][0]["field"] == "proxy_letter"
    ok = api.post(f"/api/v1/units/{world.a2.id}/visits",
                  json={"identity": "proxy", "visitor_name": "代理人", "proxy_letter": "(2026)浙杭证字第123号"})
    assert ok.status_code == 201 and ok.get_json()["identity"] == "proxy"
    right = api.post(f"/api/v1/units/{world.a1.id}/visits", json={"id_last4": "4514"})
    assert right.status_code == 201 and right.get_json()["visitor_name"] == "张伟"


def test_stations_in_order_and_the_fee_station_asks_the_settlement(day, demo_cases, api):
    api.token("sales")
    visit = api.post(f"/api/v1/units/{demo_cases.owing}/visits", json={}).get_json()
    url = f"/api/v1/visits/{visit['id']}/steps"
    early = api.post(url, json={"step": "fees", "status": "done"})
    assert early.status_code == 409
    assert api.post(url, json={"step": "documents", "status": "done"}).status_code == 200
    owed = api.post(url, json={"step": "fees", "status": "done"})
    assert owed.status_code == 409
    [detail] = owed.get_json()["details"]
    assert detail["code"] == "statement" and detail["amount"] == "62050.12"
    no_reason = api.post(url, json={"step": "fees", "status": "refused"})
    assert no_reason.status_code == 422
    refused = api.post(url, json={"step": "fees", "status": "refused", "note": "业主对物业费有异议"})
    assert refused.status_code == 200 and refused.get_json()["status"] == "refused"
    summary = api.get(f"/api/v1/batches/{demo_cases.batch_id}/handover-day?date={date.today().isoformat()}")
    body = summary.get_json()
    assert body["checked_in"] == 1 and body["refused"][0]["note"] == "业主对物业费有异议"


def test_station_queue_and_a_resent_act(day, demo_cases, api, client):
    api.token("property")
    visit = api.post(f"/api/v1/units/{demo_cases.netting}/visits", json={}).get_json()
    url = f"/api/v1/visits/{visit['id']}/steps"
    headers = {**api.headers, "Idempotency-Key": "tab-1"}
    first = client.post(url, json={"step": "documents", "status": "done"}, headers=headers)
    second = client.post(url, json={"step": "documents", "status": "done"}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert [s["status"] for s in second.get_json()["steps"]][:2] == ["done", "pending"]
    body = api.get(f"/api/v1/batches/{demo_cases.batch_id}/handover-day").get_json()
    assert body["waiting"]["fees"] == 1 and body["waiting"]["documents"] == 0


def test_each_new_gate_alone_blocks_signing(day, demo_cases, api):
    api.token("sales")
    unit = demo_cases.netting
    url = f"/api/v1/units/{unit}/handover"
    blocked = api.post(url, json={"handed_over_on": "2026-12-01"})
    assert blocked.status_code == 409
    assert sorted(d["code"] for d in blocked.get_json()["details"]) == ["meter_readings", "walkthrough"]
    bad = api.put(f"/api/v1/units/{unit}/meter-readings", json={"water": "-1", "electricity": "abc", "gas": "1"})
    assert bad.status_code == 422
    assert {d["field"] for d in bad.get_json()["details"]} == {"water", "electricity"}
    readings = api.put(f"/api/v1/units/{unit}/meter-readings",
                       json={"water": "12.5", "electricity": "30.25", "gas": "0"})
    assert readings.status_code == 200 and readings.get_json()["electricity"] == "30.25"
    only_walkthrough = api.post(url, json={"handed_over_on": "2026-12-01"})
    assert [d["code"] for d in only_walkthrough.get_json()["details"]] == ["walkthrough"]
    round_id = _round(api, unit)
    missing = api.post(f"/api/v1/inspections/{round_id}/signatures", json={"owner_signature": png_data_url()})
    assert missing.status_code == 422 and missing.get_json()["details"][0]["field"] == "staff_signature"
    signed = api.post(f"/api/v1/inspections/{round_id}/signatures",
                      json={"owner_signature": png_data_url(), "staff_signature": png_data_url()})
    assert signed.status_code == 200, signed.get_json()
    unsigned = api.post(url, json={"handed_over_on": "2026-12-01", "owner_signature": png_data_url()})
    assert unsigned.status_code == 422 and unsigned.get_json()["details"][0]["field"] == "staff_signature"
    done = api.post(url, json={"owner_signature": png_data_url(), "staff_signature": png_data_url(),
                               "documents": ["quality_guarantee", "user_manual", "gift"]})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["record"]["items"] == ["quality_guarantee", "user_manual", "gift"]


def test_meter_readings_alone_block_signing(day, demo_cases, api):
    api.token("sales")
    unit = demo_cases.netting
    round_id = _round(api, unit)
    api.post(f"/api/v1/inspections/{round_id}/signatures",
             json={"owner_signature": png_data_url(), "staff_signature": png_data_url()})
    blocked = api.post(f"/api/v1/units/{unit}/handover", json={"handed_over_on": "2026-12-01"})
    assert [d["code"] for d in blocked.get_json()["details"]] == ["meter_readings"]


def test_batches_without_a_handover_day_sign_as_before(demo_cases, api):
    api.token("sales")
    signed = api.post(f"/api/v1/units/{demo_cases.netting}/handover", json={"handed_over_on": "2026-12-01"})
    assert signed.status_code == 200


def test_owner_cannot_see_anothers_visit(day, demo_cases, world, api):
    api.token("sales")
    visit = api.post(f"/api/v1/units/{world.a2.id}/visits", json={}).get_json()
    api.token(world.owner.username)
    assert api.get(f"/api/v1/visits/{visit['id']}").status_code == 403
