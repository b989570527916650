"""Staff pages for browsing and importing units."""
import io

from tests.fixtures.sheets import good_row, sheet_bytes


def test_unit_list_filters_by_building_floor_and_owner(world, make_unit, browser):
    make_unit(world.a.batch_id, "1501", building="2", floor=15, owner_name="赵敏", phone="13800001501")
    browser.login("sales")
    url = f"/batches/{world.a.batch_id}/units"
    everything = browser.client.get(url).get_data(as_text=True)
    assert "1501" in everything and "101" in everything
    only_floor = browser.client.get(url + "?floor=15").get_data(as_text=True)
    assert "赵敏" in only_floor and "张伟" not in only_floor
    by_owner = browser.client.get(url + "?q=李娜").get_data(as_text=True)
    assert "李娜" in by_owner and "张伟" not in by_owner


def test_unit_list_is_paginated(world, make_unit, browser, app):
    for room in range(1, 61):
        make_unit(world.a.batch_id, f"9{room:03d}", building="9", floor=9, phone=f"139000{room:05d}")
    browser.login("sales")
    first = browser.client.get(f"/batches/{world.a.batch_id}/units").get_data(as_text=True)
    second = browser.client.get(f"/batches/{world.a.batch_id}/units?page=2").get_data(as_text=True)
    assert first.count('class="row-link"') == app.config["UNITS_PER_PAGE"]
    assert second.count('class="row-link"') == 62 - app.config["UNITS_PER_PAGE"]


def _confirm_fields(html: str) -> dict:
    import re

    return {name: re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html).group(1)
            for name in ("token", "sha256")}


def test_import_through_the_page_previews_then_writes_on_confirm(world, browser):
    browser.login("sales")
    url = f"/batches/{world.a.batch_id}/import"
    content = sheet_bytes([good_row("301"), good_row("302")])
    html = browser.post(url, {"file": (io.BytesIO(content), "units.xlsx")},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert "1-1-301" in html and "1-1-302" in html
    assert "301" not in browser.client.get(f"/batches/{world.a.batch_id}/units").get_data(as_text=True)
    response = browser.post(url + "/confirm", _confirm_fields(html), follow_redirects=True)
    assert "撤销导入" in response.get_data(as_text=True) or "Undo import" in response.get_data(as_text=True)
    units = browser.client.get(f"/batches/{world.a.batch_id}/units").get_data(as_text=True)
    assert "301" in units and "302" in units


def test_a_confirmation_cannot_be_replayed_or_tampered_with(world, browser):
    browser.login("sales")
    url = f"/batches/{world.a.batch_id}/import"
    html = browser.post(url, {"file": (io.BytesIO(sheet_bytes([good_row("301")])), "units.xlsx")},
                        content_type="multipart/form-data").get_data(as_text=True)
    fields = _confirm_fields(html)
    browser.post(url + "/confirm", dict(fields, sha256="0" * 64), follow_redirects=True)
    assert "301" not in browser.client.get(f"/batches/{world.a.batch_id}/units").get_data(as_text=True)
    browser.post(url + "/confirm", fields)
    again = browser.post(url + "/confirm", fields, follow_redirects=True).get_data(as_text=True)
    assert "expired" in again or "已失效" in again or "过期" in again


def test_bad_import_through_the_page_lists_problems_and_imports_nothing(world, browser):
    browser.login("sales")
    url = f"/batches/{world.a.batch_id}/import"
    content = sheet_bytes([good_row("301"), good_row("302", 合同面积="abc")])
    html = browser.post(url, {"file": (io.BytesIO(content), "units.xlsx")},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert "合同面积" in html and "<td>3</td>" in html
    units = browser.client.get(f"/batches/{world.a.batch_id}/units").get_data(as_text=True)
    assert "301" not in units


def test_only_import_roles_see_and_use_the_import(world, browser):
    browser.login("engineering")
    assert browser.client.get(f"/batches/{world.a.batch_id}/import").status_code == 403


def test_template_download(world, browser):
    browser.login("sales")
    response = browser.client.get("/import-template.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_activation_code_is_issued_shown_and_works_once(world, browser, client, app):
    browser.login("sales")
    html = browser.post(f"/owners/{world.a2.owner_id}/activation-code", {"unit_id": world.a2.id},
                        page=f"/units/{world.a2.id}").get_data(as_text=True)
    import re

    code = re.search(r'class="code">(\d{8})<', html).group(1)
    browser.logout()
    from tests.conftest import csrf_token

    def activate():
        token = csrf_token(client.get("/activate").get_data(as_text=True))
        return client.post("/activate", data={"phone": "13800000002", "code": code, "password": "newpass123",
                                              "confirm": "newpass123", "csrf_token": token})

    assert activate().status_code == 302
    assert browser.login("13800000002", "newpass123").headers["Location"] == "/my/"
    browser.logout()
    assert activate().status_code == 200  # spent: the form comes back with an error
