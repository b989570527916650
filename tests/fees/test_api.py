"""Fee API: settings, statement, payments (append-only), reversals, return decisions, the gate."""
from datetime import date

from handover.core.timeutil import today_local


def _statement(api, unit_id):
    return api.get(f"/api/v1/units/{unit_id}/statement").get_json()


def test_statement_follows_domain_example_with_fee_lines(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "501", area="100.00", unit_price="20000.00", measured="101.20",
                     phone="13800000501")
    api.token("finance")
    response = api.put(f"/api/v1/batches/{world.a.batch_id}/fee-settings",
                       json={"property_fee_rate": "2.85", "prepay_months": 12, "maintenance_fund_per_m2": "80.00",
                             "deed_tax_rate": "0.015", "other": [{"label": "有线电视开户费", "amount": "300.00"}]})
    assert response.status_code == 200
    body = _statement(api, unit.id)
    lines = {line["code"]: line for line in body["lines"]}
    assert lines["area_differential"]["amount"] == "24000.00"
    assert lines["area_differential"]["basis"] == "(101.20 − 100.00) × 20,000.00"
    assert lines["property_fee"]["amount"] == "3461.04" and lines["property_fee"]["basis"] == "2.85 × 101.20 × 12"
    assert lines["maintenance_fund"]["amount"] == "8096.00"
    assert lines["deed_tax"]["amount"] == "30360.00"
    assert lines["other"]["amount"] == "300.00"
    assert body["total"] == "66217.04" and body["balance"] == "66217.04" and body["settled"] is False
    assert body["ratio"] == "0.012000" and body["return_right"] is False and body["decision"] is None
    assert body["contract_area"] == "100.00" and body["measured_area"] == "101.20"


def test_unit_override_wins_over_batch_settings(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "502", measured="100.00", phone="13800000502")
    api.token("finance")
    api.put(f"/api/v1/batches/{world.a.batch_id}/fee-settings", json={"property_fee_rate": "2.00"})
    api.put(f"/api/v1/units/{unit.id}/fee-settings", json={"prepay_months": 6})
    lines = {line["code"]: line for line in _statement(api, unit.id)["lines"]}
    assert lines["property_fee"]["basis"] == "2.00 × 100.00 × 6" and lines["property_fee"]["amount"] == "1200.00"


def test_payments_settle_the_balance_and_cannot_be_changed(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "503", measured="101.20", phone="13800000503")
    api.token("finance")
    url = f"/api/v1/units/{unit.id}/payments"
    created = api.post(url, json={"kind": "payment", "amount": "24000.00", "method": "transfer",
                                  "receipt_no": "SK-0001"})
    assert created.status_code == 201 and created.get_json()["operator_name"] == "finance"
    body = _statement(api, unit.id)
    assert body["paid"] == "24000.00" and body["balance"] == "0.00" and body["settled"] is True
    payment_id = created.get_json()["id"]
    assert api.put(f"/api/v1/payments/{payment_id}", json={"amount": "1.00"}).status_code == 405
    assert api.patch(f"/api/v1/payments/{payment_id}", json={"amount": "1.00"}).status_code == 405
    deleted = api.delete(f"/api/v1/payments/{payment_id}")
    assert deleted.status_code == 405 and deleted.is_json
    assert api.get(f"/api/v1/payments/{payment_id}").get_json()["amount"] == "24000.00"


def test_duplicate_receipt_is_409_and_bad_amounts_are_422(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "504", measured="101.20", phone="13800000504")
    api.token("finance")
    url = f"/api/v1/units/{unit.id}/payments"
    base = {"kind": "payment", "method": "cash", "receipt_no": "SK-9"}
    assert api.post(url, json={**base, "amount": "100.00"}).status_code == 201
    duplicate = api.post(url, json={**base, "amount": "5.00"})
    assert duplicate.status_code == 409 and duplicate.get_json()["error"] == "conflict"
    for bad in ("-5.00", "0", "1.005", "abc", 12.345, "NaN", None):
        response = api.post(url, json={**base, "receipt_no": f"SK-{bad}", "amount": bad})
        assert response.status_code == 422, bad
        assert response.get_json()["details"][0]["field"] == "amount"
    assert len(api.get(url).get_json()) == 1


def test_reversal_corrects_a_mistake_without_editing(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "505", measured="101.20", phone="13800000505")
    api.token("finance")
    wrong = api.post(f"/api/v1/units/{unit.id}/payments",
                     json={"kind": "payment", "amount": "42000.00", "method": "card", "receipt_no": "SK-1"}).get_json()
    reversal = api.post(f"/api/v1/payments/{wrong['id']}/reversal", json={"receipt_no": "SK-1-X"})
    assert reversal.status_code == 201 and reversal.get_json()["reverses_id"] == wrong["id"]
    assert api.post(f"/api/v1/payments/{wrong['id']}/reversal", json={"receipt_no": "SK-1-Y"}).status_code == 409
    ledger = api.get(f"/api/v1/units/{unit.id}/payments").get_json()
    assert [(p["receipt_no"], p["amount"]) for p in ledger] == [("SK-1", "42000.00"), ("SK-1-X", "42000.00")]
    assert _statement(api, unit.id)["paid"] == "0.00"


def test_return_right_decision_and_returned_unit_leaves_the_handover(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "506", measured="95.00", phone="13800000506")
    api.token("finance")
    body = _statement(api, unit.id)
    assert body["return_right"] is True and body["pending"]
    assert body["lines"][0]["amount"] == "-140000.00"
    kept = api.post(f"/api/v1/units/{unit.id}/return-decision", json={"keep": True})
    assert kept.status_code == 200 and kept.get_json()["decision"] == "keep" and kept.get_json()["pending"] == []
    assert api.post(f"/api/v1/units/{unit.id}/return-decision", json={"keep": False}).status_code == 409
    other = make_unit(world.a.batch_id, "507", measured="104.50", phone="13800000507")
    api.post(f"/api/v1/units/{other.id}/return-decision", json={"keep": False})
    api.token("sales")
    gate = api.post(f"/api/v1/units/{other.id}/handover", json={"handed_over_on": "2026-12-20"})
    assert gate.status_code == 409


def test_no_return_decision_within_threshold(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "508", measured="103.00", phone="13800000508")
    api.token("finance")
    assert api.post(f"/api/v1/units/{unit.id}/return-decision", json={"keep": True}).status_code == 409


def test_handover_is_refused_until_the_area_differential_is_settled(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "509", measured="101.20", phone="13800000509")
    api.token("finance")
    api.put(f"/api/v1/batches/{world.a.batch_id}/fee-settings", json={"property_fee_rate": "2.00"})
    api.token("sales")
    refused = api.post(f"/api/v1/units/{unit.id}/handover", json={"handed_over_on": "2026-12-20"})
    assert refused.status_code == 409
    assert refused.get_json()["details"] == [{"field": "gate", "message": "area_differential"}]
    api.token("finance")
    api.post(f"/api/v1/units/{unit.id}/payments",
             json={"kind": "payment", "amount": "24000.00", "method": "transfer", "receipt_no": "AD-1"})
    api.token("sales")
    signed = api.post(f"/api/v1/units/{unit.id}/handover", json={"handed_over_on": "2026-12-20"})
    assert signed.status_code == 200  # property fee still open, but the area differential is settled
    assert api.post(f"/api/v1/units/{unit.id}/handover", json={"handed_over_on": "2026-12-21"}).status_code == 409


def test_unmeasured_unit_cannot_be_handed_over(world, api):
    api.token("sales")
    assert api.post(f"/api/v1/units/{world.a1.id}/handover", json={"handed_over_on": "2026-12-20"}).status_code == 409


def test_refund_converted_into_prepaid_property_fee(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "510", measured="98.80", phone="13800000510")  # refund 24,000
    api.token("finance")
    api.put(f"/api/v1/batches/{world.a.batch_id}/fee-settings", json={"property_fee_rate": "3.00"})
    before = _statement(api, unit.id)
    assert before["balance"] == "-23110.80"  # −24,000 + 3.00 × 98.80 × 3
    entries = api.post(f"/api/v1/units/{unit.id}/refund-conversion", json={"amount": "1000.00", "receipt_no": "ZH-1"})
    assert entries.status_code == 201
    assert [(e["kind"], e["receipt_no"]) for e in entries.get_json()] == [("refund", "ZH-1-R"), ("payment", "ZH-1-P")]
    after = _statement(api, unit.id)
    assert after["balance"] == before["balance"]  # money moved inside the account, nothing left it
    assert api.post(f"/api/v1/units/{unit.id}/refund-conversion",
                    json={"amount": "99999.00", "receipt_no": "ZH-2"}).status_code == 422


def test_day_end_totals_by_method_and_operator(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "511", measured="101.20", phone="13800000511")
    api.token("finance")
    url = f"/api/v1/units/{unit.id}/payments"
    api.post(url, json={"kind": "payment", "amount": "100.00", "method": "cash", "receipt_no": "D-1"})
    api.post(url, json={"kind": "payment", "amount": "50.50", "method": "cash", "receipt_no": "D-2"})
    api.post(url, json={"kind": "refund", "amount": "20.00", "method": "transfer", "receipt_no": "D-3"})
    rows = api.get(f"/api/v1/payments/day-end?date={today_local().isoformat()}").get_json()
    assert rows == [
        {"method": "cash", "operator": "finance", "received": "150.50", "refunded": "0.00", "count": 2},
        {"method": "transfer", "operator": "finance", "received": "0.00", "refunded": "20.00", "count": 1},
    ]
    assert api.get("/api/v1/payments/day-end?date=2000-01-01").get_json() == []


def test_homeowner_sees_own_statement_and_payments_only(world, make_unit, api):
    api.token(world.owner.username)
    assert api.get(f"/api/v1/units/{world.a1.id}/statement").status_code == 200
    assert api.get(f"/api/v1/units/{world.a2.id}/statement").status_code == 404
    assert api.get(f"/api/v1/units/{world.a1.id}/payments").status_code == 200
    assert api.post(f"/api/v1/units/{world.a1.id}/payments",
                    json={"kind": "payment", "amount": "1.00", "method": "cash", "receipt_no": "X"}).status_code == 403


def test_only_finance_records_money(world, api):
    api.token("sales")
    response = api.post(f"/api/v1/units/{world.a1.id}/payments",
                        json={"kind": "payment", "amount": "1.00", "method": "cash", "receipt_no": "X"})
    assert response.status_code == 403
