"""Who sees what: project scope for staff, own units for homeowners, 404 for everything else."""
import pytest


def test_homeowner_sees_only_own_unit_in_the_portal(world, browser):
    browser.login(world.owner.username)
    home = browser.client.get("/my/").get_data(as_text=True)
    assert "101" in home and "102" not in home
    assert browser.client.get(f"/my/units/{world.a1.id}").status_code == 200
    assert browser.client.get(f"/my/units/{world.a2.id}").status_code == 404
    assert browser.client.get(f"/my/units/{world.b1.id}").status_code == 404
    assert browser.client.get("/my/units/999999").status_code == 404


def test_homeowner_cannot_open_staff_pages(world, browser):
    browser.login(world.owner.username)
    assert browser.client.get(f"/units/{world.a1.id}").status_code == 403
    assert browser.client.get(f"/batches/{world.a.batch_id}/units").status_code == 403


def test_homeowner_api_lists_only_own_units_and_others_are_404(world, api):
    api.token(world.owner.username)
    listing = api.get("/api/v1/units").get_json()
    assert [item["id"] for item in listing["items"]] == [world.a1.id]
    assert listing["items"][0]["owner"]["phone"] == "13800000001"  # their own number, unmasked
    assert api.get(f"/api/v1/units/{world.a1.id}").status_code == 200
    for other in (world.a2.id, world.b1.id, 999999):
        response = api.get(f"/api/v1/units/{other}")
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"
    assert api.get(f"/api/v1/units?batch_id={world.b.batch_id}").get_json()["total"] == 0


def test_staff_of_another_project_get_404_exactly_like_a_missing_unit(world, api):
    api.token("sales_b")
    other = api.get(f"/api/v1/units/{world.a1.id}")
    missing = api.get("/api/v1/units/999999")
    assert other.status_code == missing.status_code == 404
    assert other.get_json() == missing.get_json()
    assert api.get(f"/api/v1/batches/{world.a.batch_id}").status_code == 404
    assert [u["id"] for u in api.get("/api/v1/units").get_json()["items"]] == [world.b1.id]


def test_staff_pages_of_another_project_are_404(world, browser):
    browser.login("sales_b")
    assert browser.client.get(f"/units/{world.a1.id}").status_code == 404
    assert browser.client.get(f"/batches/{world.a.batch_id}/units").status_code == 404
    assert browser.client.get(f"/batches/{world.b.batch_id}/units").status_code == 200


def test_contractor_cannot_browse_units(world, api, browser):
    api.token("contractor")
    assert api.get("/api/v1/units").status_code == 403
    browser.login("contractor")
    assert browser.client.get(f"/batches/{world.a.batch_id}/units").status_code == 403


@pytest.mark.parametrize("role, phone_masked, id_masked", [
    ("sales", False, False), ("property", False, True), ("finance", False, False),
    ("engineering", True, True), ("manager", True, True),
])
def test_personal_data_is_masked_for_roles_that_do_not_need_it(world, browser, role, phone_masked, id_masked):
    browser.login(role)
    html = browser.client.get(f"/units/{world.a1.id}").get_data(as_text=True)
    assert ("138****0001" in html) == phone_masked
    assert ("13800000001" in html) == (not phone_masked)
    assert ("110101199003074514" in html) == (not id_masked)
    if id_masked:
        assert "4514" in html


def test_api_masks_phone_for_engineering(world, api):
    api.token("engineering")
    item = api.get(f"/api/v1/units?batch_id={world.a.batch_id}").get_json()["items"][0]
    assert item["owner"]["phone"] == "138****0001"


def test_phone_search_is_not_offered_to_roles_that_see_masked_numbers(world, api):
    api.token("engineering")
    assert api.get("/api/v1/units?q=13800000002").get_json()["total"] == 0
    api.token("sales")
    assert api.get("/api/v1/units?q=13800000002").get_json()["total"] == 1
