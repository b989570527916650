"""The offline field client's server side: the sync-down package (scoped, sized) and the sync-up
paths a tablet resends (defects, photos, checklist results, key checks): a resend never makes a
second record, a record that no longer fits is answered 409 with the reason."""
import io
import uuid

import sqlalchemy as sa

from handover.defects.models import Defect, DefectPhoto
from handover.extensions import db
from handover.inspections.models import ChecklistItem, Inspection, InspectionResult
from handover.inspections.service import seed_default_checklist
from handover.keys.models import KeyEvent
from tests.fixtures.images import png


def _package(api, batch_id, *building_ids):
    query = "&".join(f"building_id={b}" for b in building_ids)
    return api.get(f"/api/v1/batches/{batch_id}/offline-package?{query}")


def _defect(unit_id, **extra):
    body = {"id": str(uuid.uuid4()), "stage": "unit_acceptance", "room": "客厅", "category": "门窗",
            "description": "窗扇开启不畅", "at": "2026-11-30T09:15:00+08:00"}
    body.update(extra)
    return body


def test_the_package_holds_the_units_checklist_contractors_and_open_defects_of_the_chosen_building(app, api, world):
    with app.app_context():
        seed_default_checklist()
        db.session.commit()
    api.token("engineering")
    api.post(f"/api/v1/units/{world.a1.id}/defects", json=_defect(world.a1.id))
    response = _package(api, world.a.batch_id)
    assert response.status_code == 200
    body = response.get_json()
    assert {u["room_no"] for u in body["units"]} == {"101", "102"}
    assert body["checklist"] and body["contractors"][0]["name"] == "宏元建设"
    assert [d["description"] for d in body["defects"]] == ["窗扇开启不畅"]
    assert body["batch"]["project"] == "云璟花园"
    assert body["meter_readings"] is None  # the extension point until a readings API exists
    # compact: a few units and the whole checklist fit in a few tens of kilobytes
    assert len(response.data) < 60_000


def test_the_package_is_scoped_to_the_caller(api, world):
    api.token("sales_b")  # project B only
    assert _package(api, world.a.batch_id).status_code == 404
    assert _package(api, world.b.batch_id).status_code == 200
    api.token("contractor")  # contractors do not log defects on a tablet
    assert _package(api, world.a.batch_id).status_code == 403


def test_a_building_of_another_batch_is_refused_by_name(api, world, app):
    with app.app_context():
        from handover.projects.models import Unit
        other_building = db.session.get(Unit, world.b1.id).building_id
    api.token("admin")
    response = _package(api, world.a.batch_id, other_building)
    assert response.status_code == 422
    assert response.get_json()["details"][0]["field"] == "building_id"


def test_a_resent_defect_and_photo_are_recorded_once_with_the_tablets_time(app, api, client, world):
    api.token("engineering")
    body = _defect(world.a1.id)
    first = api.post(f"/api/v1/units/{world.a1.id}/defects", json=body)
    again = api.post(f"/api/v1/units/{world.a1.id}/defects", json=body)
    assert first.status_code == again.status_code == 201
    photo_key = str(uuid.uuid4())
    for _ in range(2):
        upload = client.post(
            f"/api/v1/defects/{body['id']}/photos", headers={**api.headers, "Idempotency-Key": photo_key},
            data={"file": (io.BytesIO(png()), "p.png"), "at": "2026-11-30T09:16:00+08:00"},
            content_type="multipart/form-data")
        assert upload.status_code == 201, upload.get_json()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Defect)) == 1
        photos = list(db.session.scalars(sa.select(DefectPhoto)))
        assert len(photos) == 1 and photos[0].idempotency_key == photo_key
        assert photos[0].uploaded_at.isoformat() == "2026-11-30T01:16:00+00:00"
        assert db.session.get(Defect, body["id"]).created_at.isoformat() == "2026-11-30T01:15:00+00:00"


def test_a_photo_key_reused_for_another_defect_is_a_conflict(api, client, world):
    api.token("engineering")
    one, two = _defect(world.a1.id), _defect(world.a1.id)
    for body in (one, two):
        api.post(f"/api/v1/units/{world.a1.id}/defects", json=body)
    key = str(uuid.uuid4())

    def send(defect_id):
        return client.post(f"/api/v1/defects/{defect_id}/photos", headers={**api.headers, "Idempotency-Key": key},
                        data={"file": (io.BytesIO(png()), "p.png")}, content_type="multipart/form-data")
    assert send(one["id"]).status_code == 201
    assert send(two["id"]).status_code == 409


def test_a_checklist_result_synced_twice_is_one_result_in_the_days_round(app, api, world):
    with app.app_context():
        seed_default_checklist()
        db.session.commit()
        railing = db.session.scalar(sa.select(ChecklistItem.id).where(ChecklistItem.limit_min.is_not(None)))
    api.token("engineering")
    body = {"id": str(uuid.uuid4()), "stage": "unit_acceptance", "item_id": railing, "measured_value": "1.00",
            "at": "2026-11-30T10:00:00+08:00"}
    first = api.post(f"/api/v1/units/{world.a1.id}/inspection-results", json=body)
    again = api.post(f"/api/v1/units/{world.a1.id}/inspection-results", json=body)
    assert first.status_code == again.status_code == 200
    assert first.get_json()["passed"] is False  # below the railing's limit: fails by itself
    assert first.get_json()["id"] == again.get_json()["id"]
    # a record made earlier on another tablet arrives later: it does not overwrite the newer one
    older = dict(body, id=str(uuid.uuid4()), measured_value="1.10", at="2026-11-30T09:00:00+08:00")
    assert api.post(f"/api/v1/units/{world.a1.id}/inspection-results", json=older).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 1
        results = list(db.session.scalars(sa.select(InspectionResult)))
        assert len(results) == 1 and results[0].passed is False
        assert results[0].at.isoformat() == "2026-11-30T02:00:00+00:00"


def test_a_result_for_a_unit_outside_the_scope_is_404(app, api, world):
    with app.app_context():
        seed_default_checklist()
        db.session.commit()
        item = db.session.scalar(sa.select(ChecklistItem.id))
    api.token("sales_b")
    body = {"id": str(uuid.uuid4()), "stage": "unit_acceptance", "item_id": item, "passed": True}
    assert api.post(f"/api/v1/units/{world.a1.id}/inspection-results", json=body).status_code == 404


def test_a_key_check_resent_is_one_event_and_a_key_lent_meanwhile_is_a_conflict_with_the_reason(app, api, client,
                                                                                                  world, keys):
    key = keys.received(world.a1.id)
    api.token("property")
    check = {"type": "checked", "result": "ok", "at": "2026-11-30T11:00:00+08:00"}
    cid = str(uuid.uuid4())
    for _ in range(2):
        response = client.post(f"/api/v1/keys/{key.id}/events", json=check,
                            headers={**api.headers, "Idempotency-Key": cid})
        assert response.status_code == 201
    assert keys.state(key.id).events == 2  # received + one check
    keys.event(key.id, "lent", counterparty="装修 王师傅")  # meanwhile, at the office
    late = client.post(f"/api/v1/keys/{key.id}/events", json=dict(check, result="fails"),
                    headers={**api.headers, "Idempotency-Key": str(uuid.uuid4())})
    assert late.status_code == 409
    assert late.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(KeyEvent)) == 3


def test_the_field_page_gives_a_session_token_only_with_the_csrf_token(browser, client, world):
    browser.login("engineering")
    page = client.get("/field/")
    assert page.status_code == 200 and page.headers["X-Field-Shell"] == "1"
    assert b"<script>" not in page.data  # CSP: no inline script, only the JSON strings block
    info = client.get("/field/session").get_json()
    assert info["user"]["name"] and info["batches"][0]["name"]
    assert client.post("/field/token").status_code == 400  # no CSRF token
    issued = client.post("/field/token", headers={"X-CSRFToken": info["csrf"]})
    assert issued.status_code == 200
    token = issued.get_json()["token"]
    assert client.get(f"/api/v1/batches/{world.a.batch_id}/offline-package",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_the_service_worker_and_manifest_are_served_for_the_field_scope(client):
    worker = client.get("/field/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "application/javascript"
    assert b"/static/field/field.js" in worker.data  # the app shell is precached
    manifest = client.get("/field/manifest.webmanifest").get_json(force=True)
    assert manifest["name"] == "交付现场离线助手" and manifest["start_url"] == "/field/"
