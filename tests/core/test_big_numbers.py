"""Numbers too big for the database answer 404 or 422 with the usual error body, never 500."""
import pytest

from tests.conftest import Browser

HUGE_ID = 2**63  # one beyond a signed 64-bit integer
HUGER = 10**20

API_GETS = [
    f"/api/v1/units/{HUGE_ID}",
    f"/api/v1/units/{HUGER}",
    f"/api/v1/batches/{HUGE_ID}",
    f"/api/v1/payments/{HUGE_ID}",
    f"/api/v1/units/{HUGE_ID}/statement",
    f"/api/v1/units/{HUGE_ID}/keys",
    f"/api/v1/defects/1/photos/{HUGE_ID}",
]


@pytest.mark.parametrize("url", API_GETS)
def test_ids_beyond_64_bits_in_api_paths_are_not_found(world, api, url):
    api.token("admin")
    response = api.get(url)
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"] == "not_found" and body["message"]


QUERIES = [
    "/api/v1/units?page=99999999999999999999",
    "/api/v1/units?page=1&per_page=99999999999999999999",
    f"/api/v1/units?batch_id={HUGER}",
    f"/api/v1/units?floor={HUGER}",
    f"/api/v1/defects?batch_id={HUGE_ID}",
    f"/api/v1/defects?page={HUGE_ID}",
    f"/api/v1/keys?unit_id={HUGE_ID}",
    f"/api/v1/payments/day-end?date=2026-01-01&batch_id={HUGE_ID}",
]


@pytest.mark.parametrize("url", QUERIES)
def test_huge_numbers_in_api_queries_are_refused_with_details(world, api, url):
    api.token("admin")
    response = api.get(url)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["error"] == "validation_failed"
    assert isinstance(body["details"], list) and body["details"][0]["field"]


def _bodies(world):
    unit, batch = world.a1.id, world.a.batch_id
    payment = {"kind": "payment", "method": "cash", "receipt_no": "R-1"}
    return [
        ("post", f"/api/v1/units/{unit}/payments", {**payment, "amount": "1e30"}, "amount"),
        ("post", f"/api/v1/units/{unit}/payments", {**payment, "amount": 1e300}, "amount"),
        ("post", f"/api/v1/units/{unit}/refund-conversion", {"amount": "1e30", "receipt_no": "R-2"}, "amount"),
        ("put", f"/api/v1/batches/{batch}/fee-settings", {"property_fee_rate": 1e300}, "property_fee_rate"),
        ("put", f"/api/v1/batches/{batch}/fee-settings", {"property_fee_rate": "1e30"}, "property_fee_rate"),
        ("put", f"/api/v1/units/{unit}/fee-settings", {"maintenance_fund_per_m2": "1e30"}, "maintenance_fund_per_m2"),
        ("put", f"/api/v1/batches/{batch}/fee-settings", {"other": [{"label": "车位", "amount": "1e30"}]}, "other"),
        ("post", "/api/v1/defects/bulk-assign", {"batch_id": batch, "contractor_id": HUGE_ID,
                                                  "due_date": "2027-01-01"}, "contractor_id"),
        ("post", f"/api/v1/units/{unit}/defects", {"stage": "handover", "room": "客厅", "category": "墙面",
                                                   "description": "裂缝", "checklist_item_id": HUGE_ID},
         "checklist_item_id"),
    ]


def test_huge_amounts_rates_and_ids_in_bodies_are_refused_with_details(world, api):
    api.token("admin")
    for method, url, body, field in _bodies(world):
        response = getattr(api, method)(url, json=body)
        assert response.status_code == 422, (url, body, response.status_code, response.get_json())
        answer = response.get_json()
        assert answer["error"] == "validation_failed"
        assert any(detail["field"].startswith(field) for detail in answer["details"]), (url, answer)


PAGES = [
    f"/units/{HUGE_ID}",
    f"/units/{HUGER}",
    f"/batches/{HUGE_ID}/units",
]


@pytest.mark.parametrize("url", PAGES)
def test_ids_beyond_64_bits_in_page_paths_are_not_found(world, app, url):
    browser = Browser(app.test_client())
    browser.login("admin")
    assert browser.client.get(url).status_code == 404


def test_huge_page_numbers_on_pages_show_a_page(world, app):
    browser = Browser(app.test_client())
    browser.login("admin")
    response = browser.client.get(f"/batches/{world.a.batch_id}/units?page=99999999999999999999")
    assert response.status_code == 200
    response = browser.client.get(f"/batches/{world.a.batch_id}/units?floor=99999999999999999999")
    assert response.status_code in (200, 422)
