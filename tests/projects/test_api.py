"""JSON API v1: master data, import, errors."""
import io
from pathlib import Path


from tests.fixtures.sheets import good_row, sheet_bytes
from tests.fixtures.tools import require


def test_token_then_create_project_and_batch(world, api):
    api.token("admin")
    project = api.post("/api/v1/projects", json={"name": "九里云庭", "city": "杭州"})
    assert project.status_code == 201
    project_id = project.get_json()["id"]
    batch = api.post(f"/api/v1/projects/{project_id}/batches",
                     json={"name": "一期", "mode": "scattered", "window_start": "2026-12-18",
                           "window_end": "2026-12-27"})
    assert batch.status_code == 201
    body = api.get(f"/api/v1/batches/{batch.get_json()['id']}").get_json()
    assert body["mode"] == "scattered" and body["window_end"] == "2026-12-27" and body["unit_count"] == 0
    assert "九里云庭" in [p["name"] for p in api.get("/api/v1/projects").get_json()]


def test_duplicate_project_is_409(world, api):
    api.token("admin")
    response = api.post("/api/v1/projects", json={"name": "云璟花园"})
    assert response.status_code == 409 and response.get_json()["error"] == "conflict"


def test_bad_credentials_are_401_json(world, client):
    response = client.post("/api/v1/auth/token", json={"username": "sales", "password": "nope"})
    assert response.status_code == 401
    assert set(response.get_json()) >= {"error", "message"}


def test_missing_or_bad_token_is_401_json_not_a_redirect(world, client):
    assert client.get("/api/v1/units").status_code == 401
    response = client.get("/api/v1/units", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401 and response.is_json


def test_session_cookie_does_not_authenticate_the_api(world, browser):
    browser.login("sales")
    assert browser.client.get("/api/v1/units").status_code == 401


def test_wrong_role_is_403_json(world, api):
    api.token("sales")
    response = api.post("/api/v1/projects", json={"name": "x"})
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


def test_invalid_body_is_422_with_field_details(world, api):
    api.token("admin")
    response = api.post(f"/api/v1/projects/{world.a.id}/batches", json={"name": "", "mode": "sometimes"})
    body = response.get_json()
    assert response.status_code == 422 and body["error"] == "validation_failed"
    assert {d["field"] for d in body["details"]} == {"name", "mode"}


def test_malformed_json_is_400_or_422_json_never_500(world, api):
    api.token("admin")
    response = api.post("/api/v1/projects", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422) and response.is_json


def test_unknown_api_path_is_json_404(world, api):
    api.token("admin")
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_unit_list_shape_and_decimal_strings(world, make_unit, api):
    make_unit(world.a.batch_id, "901", building="9", area="89.37", measured="90.10", phone="13800000901")
    api.token("sales")
    body = api.get(f"/api/v1/units?batch_id={world.a.batch_id}&building=9").get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 50
    item = body["items"][0]
    assert item["contract_area"] == "89.37" and item["measured_area"] == "90.10"
    assert {"id", "building", "entrance", "floor", "room_no", "owner"} <= set(item)
    assert item["owner"]["name"] == "张伟" and item["building"] == "9"
    unmeasured = api.get(f"/api/v1/units/{world.a1.id}").get_json()
    assert unmeasured["measured_area"] is None and unmeasured["contract"]["unit_price"] == "20000.00"


def test_unit_list_pagination_and_search(world, api):
    api.token("sales")
    page = api.get(f"/api/v1/units?batch_id={world.a.batch_id}&per_page=1&page=2").get_json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["items"][0]["room_no"] == "102"
    assert api.get("/api/v1/units?q=李娜").get_json()["total"] == 1
    assert api.get("/api/v1/units?per_page=1000").status_code == 422


def test_import_endpoint_reports_rows_and_columns(world, api):
    api.token("sales")
    url = f"/api/v1/batches/{world.a.batch_id}/units/import"
    bad = sheet_bytes([good_row("301"), good_row("302", 业主电话="999")])
    response = api.post(url, data={"file": (io.BytesIO(bad), "u.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"row": 3, "column": "业主电话", "column_letter": "M", "message": response.get_json()["errors"][0]["message"]}]
    good = sheet_bytes([good_row("301"), good_row("302")])
    response = api.post(url, data={"file": (io.BytesIO(good), "u.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["created"], body["updated"], body["dry_run"]) == (2, 0, False) and body["run_id"]
    response = api.post(url, data={"file": (io.BytesIO(good), "u.xlsx")}, content_type="multipart/form-data")
    assert (response.get_json()["updated"], response.get_json()["unchanged"]) == (0, 2)


def test_dry_run_returns_the_preview_and_writes_nothing_then_warnings_need_acceptance(world, api):
    api.token("sales")
    url = f"/api/v1/batches/{world.a.batch_id}/units/import"
    content = sheet_bytes([good_row("301"), good_row("302", 合同面积=118.52, 合同单价=30500, 合同总价=1530000)])
    response = api.post(url + "?dry_run=true", data={"file": (io.BytesIO(content), "u.xlsx")},
                        content_type="multipart/form-data")
    body = response.get_json()
    assert response.status_code == 200 and body["dry_run"] is True and body["run_id"] is None
    assert [item["label"] for item in body["new"]] == ["1-1-301", "1-1-302"]
    assert [(w["row"], w["column"]) for w in body["warnings"]] == [(3, "合同总价")]
    assert api.get(f"/api/v1/units?batch_id={world.a.batch_id}&q=HT-301").get_json()["total"] == 0
    refused = api.post(url, data={"file": (io.BytesIO(content), "u.xlsx")}, content_type="multipart/form-data")
    assert refused.status_code == 409 and refused.get_json()["details"][0]["row"] == 3
    accepted = api.post(url + "?accept_warnings=true", data={"file": (io.BytesIO(content), "u.xlsx")},
                        content_type="multipart/form-data")
    assert accepted.status_code == 200 and accepted.get_json()["created"] == 2
    undo = api.post(f"/api/v1/imports/{accepted.get_json()['run_id']}/undo")
    assert undo.status_code == 200 and undo.get_json()["undone_at"]
    assert api.get(f"/api/v1/units?batch_id={world.a.batch_id}&q=HT-301").get_json()["total"] == 0


def test_import_warns_of_a_name_no_document_font_can_print(world, api):
    """刘䶮 prints (a fallback font has 䶮); 𰀀 (CJK extension G) is in no embedded font: the import
    goes through, and says which row and name would lose a character on every document."""
    from handover.reporting import fonts

    require(Path(fonts.FALLBACK_FONTS[0][1][0]).is_file(), "fonts-hanazono (make fonts)")
    api.token("sales")
    sheet = sheet_bytes([good_row("301", 业主姓名="刘䶮"), good_row("302", 业主姓名="王𰀀")])
    response = api.post(f"/api/v1/batches/{world.a.batch_id}/units/import",
                        data={"file": (io.BytesIO(sheet), "u.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 409  # a warning must be looked at and accepted
    assert [(d["row"], d["field"], d["message"]) for d in response.get_json()["details"]] == [
        (3, "业主姓名", "王𰀀：𰀀 无法在文件中打印，请核对姓名。")]
    response = api.post(f"/api/v1/batches/{world.a.batch_id}/units/import?accept_warnings=true",
                        data={"file": (io.BytesIO(sheet), "u.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200 and response.get_json()["created"] == 2


def test_import_without_file_is_422(world, api):
    api.token("sales")
    response = api.post(f"/api/v1/batches/{world.a.batch_id}/units/import", data={},
                        content_type="multipart/form-data")
    assert response.status_code == 422 and response.is_json


def test_upload_over_the_size_limit_is_413_json(world, api, app):
    api.token("sales")
    limit = app.config["MAX_CONTENT_LENGTH"]
    big = io.BytesIO(b"0" * (limit + 1))
    response = api.post(f"/api/v1/batches/{world.a.batch_id}/units/import", data={"file": (big, "big.xlsx")},
                        content_type="multipart/form-data")
    assert response.status_code == 413 and response.is_json


def test_contractors_api(world, api):
    api.token("engineering")
    response = api.post("/api/v1/contractors", json={"name": "中天建设"})
    assert response.status_code == 201 and response.get_json()["name"] == "中天建设"
    assert api.post("/api/v1/contractors", json={"name": "中天建设"}).status_code == 409


def test_openapi_document_lists_the_paths_and_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/auth/token", "/api/v1/auth/activate", "/api/v1/owners/{owner_id}/activation-code",
                 "/api/v1/projects", "/api/v1/projects/{project_id}/batches", "/api/v1/batches/{batch_id}",
                 "/api/v1/batches/{batch_id}/units/import", "/api/v1/units", "/api/v1/units/{unit_id}"):
        assert path in spec["paths"], path
    token_body = spec["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert token_body["$ref"].endswith("TokenRequest")
    assert set(spec["components"]["schemas"]["TokenRequest"]["required"]) == {"username", "password"}
