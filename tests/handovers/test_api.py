"""Handover API: the gate's conditions and the record (GET), signing (POST, same path as before)."""
import pytest


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def test_get_shows_every_unmet_condition_with_amount_and_lines(demo_cases, api):
    api.token("sales")
    body = api.get(f"/api/v1/units/{demo_cases.owing}/handover").get_json()
    assert body["state"] == "not_handed_over" and body["may_sign"] is False and body["record"] is None
    [condition] = body["conditions"]
    assert condition["code"] == "fees_unsettled" and condition["amount"] == "62050.12"
    assert [(line["code"], line["owed"]) for line in condition["lines"]] == [
        ("property_fee", "1138.75"), ("maintenance_fund", "9489.60"), ("deed_tax", "51421.77")]
    assert body["statement"]["balance"] == "62050.12" and body["statement"]["settled"] is False
    assert body["statement"]["area_differential_settled"] is True


def test_statement_api_agrees_for_both_demo_cases(demo_cases, api):
    api.token("finance")
    netting = api.get(f"/api/v1/units/{demo_cases.netting}/statement").get_json()
    assert (netting["balance"], netting["offset"], netting["settled"], netting["area_differential_settled"],
            netting["cleared_for_handover"]) == ("0.00", "31000.00", True, True, True)
    assert {line["owed"] for line in netting["owed"]} == {"0.00"}
    owing = api.get(f"/api/v1/units/{demo_cases.owing}/statement").get_json()
    assert (owing["balance"], owing["settled"], owing["cleared_for_handover"], owing["owed_before_handover"]) == (
        "62050.12", False, False, "62050.12")
    assert [(line["code"], line["owed"]) for line in owing["owed"]] == [
        ("area_differential", "0.00"), ("property_fee", "1138.75"), ("maintenance_fund", "9489.60"),
        ("deed_tax", "51421.77")]


def test_signing_is_refused_with_the_reasons_then_signed_once(demo_cases, api):
    api.token("sales")
    refused = api.post(f"/api/v1/units/{demo_cases.owing}/handover", json={"handed_over_on": "2026-12-01"})
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["error"] == "conflict" and "62,050.12" in body["message"]
    assert [(d["field"], d["code"], d["amount"]) for d in body["details"]] == [("gate", "fees_unsettled", "62050.12")]

    signed = api.post(f"/api/v1/units/{demo_cases.netting}/handover",
                      json={"handed_over_on": "2026-12-01", "items": ["keys", "user_manual"], "note": "本人签字",
                            "at": "2026-12-01T10:30:00+08:00"})
    assert signed.status_code == 200, signed.get_json()
    body = signed.get_json()
    assert body["state"] == "handed_over" and body["handed_over_on"] == "2026-12-01"
    assert body["record"]["action"] == "sign" and body["record"]["items"] == ["keys", "user_manual"]
    assert body["record"]["actor_name"] == "sales" and body["record"]["at"].startswith("2026-12-01T02:30:00")
    again = api.post(f"/api/v1/units/{demo_cases.netting}/handover", json={"handed_over_on": "2026-12-02"})
    assert again.status_code == 409 and again.get_json()["details"][0]["code"] == "handed_over"


def test_a_resend_with_the_same_idempotency_key_returns_the_first_record(demo_cases, api, client):
    api.token("property")
    url = f"/api/v1/units/{demo_cases.netting}/handover"
    first = client.post(url, json={"handed_over_on": "2026-12-01"}, headers={**api.headers, "Idempotency-Key": "k-1"})
    second = api.post(url, json={"handed_over_on": "2026-12-01", "idempotency_key": "k-1"})  # the field works too
    assert first.status_code == second.status_code == 200
    assert first.get_json()["record"]["id"] == second.get_json()["record"]["id"]
    assert len(second.get_json()["history"]) == 1


def test_unmeasured_unit_cannot_be_handed_over(world, api):
    api.token("sales")
    refused = api.post(f"/api/v1/units/{world.a1.id}/handover", json={"handed_over_on": "2026-12-20"})
    assert refused.status_code == 409 and refused.get_json()["details"][0]["code"] == "statement_pending"


def test_who_may_read_and_sign(demo_cases, world, api, client):
    url = f"/api/v1/units/{demo_cases.netting}/handover"
    api.token("finance")
    assert api.get(url).status_code == 200
    assert api.post(url, json={"handed_over_on": "2026-12-01"}).status_code == 403
    api.token("sales_b")  # another project: the unit is not theirs
    assert api.get(url).status_code == 404
    api.token(world.owner.username)
    assert api.get(url).status_code == 403
    assert client.get(url).status_code == 401
    api.token("manager")
    assert api.post(url, json={"handed_over_on": "2026-12-01"}).status_code == 200
    bad = api.post(f"/api/v1/units/{demo_cases.owing}/handover", json={"handed_over_on": "soon", "items": ["x"]})
    assert bad.status_code == 422
