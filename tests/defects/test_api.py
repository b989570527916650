"""Defect API: idempotent creation, photos, transitions, conflicts, isolation, lists."""
import io
import threading
import uuid
from datetime import date

import sqlalchemy as sa

from handover.defects.models import Defect
from handover.extensions import db
from handover.projects.models import Unit
from tests.fixtures.images import NOT_AN_IMAGE, jpeg_with_gps, png

BODY = {"stage": "open_day", "room": "主卫", "category": "防水", "description": "闭水试验渗漏", "severity": "major"}


def _photo(api, defect_id, content=None):
    return api.post(f"/api/v1/defects/{defect_id}/photos",
                    data={"file": (io.BytesIO(content or png()), "p.png")}, content_type="multipart/form-data")


def test_create_returns_201_open_and_resend_returns_the_same(world, api):
    api.token("engineering")
    client_id = str(uuid.uuid4())
    first = api.post(f"/api/v1/units/{world.a1.id}/defects", json={**BODY, "id": client_id})
    assert first.status_code == 201
    assert first.get_json()["id"] == client_id and first.get_json()["status"] == "open"
    again = api.post(f"/api/v1/units/{world.a1.id}/defects", json={**BODY, "id": client_id})
    assert again.status_code == 201 and again.get_json()["id"] == client_id
    assert api.get(f"/api/v1/defects?unit_id={world.a1.id}").get_json()["total"] == 1


def test_concurrent_resends_through_http_make_one_defect(world, app, as_role):
    headers = as_role("engineering").headers
    client_id, statuses, barrier = str(uuid.uuid4()), [], threading.Barrier(5, timeout=10)

    def send():
        local = app.test_client()
        barrier.wait()
        statuses.append(local.post(f"/api/v1/units/{world.a1.id}/defects", json={**BODY, "id": client_id},
                                   headers=headers).status_code)

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [201] * 5
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Defect)) == 1


def test_invalid_body_is_422_with_fields(world, api):
    api.token("engineering")
    response = api.post(f"/api/v1/units/{world.a1.id}/defects", json={"stage": "someday", "room": ""})
    assert response.status_code == 422
    assert {"stage", "room", "category", "description"} <= {d["field"] for d in response.get_json()["details"]}


def test_walk_through_the_life_cycle(world, api, as_role):
    api.token("engineering")
    defect_id = api.post(f"/api/v1/units/{world.a1.id}/defects", json=BODY).get_json()["id"]
    url = f"/api/v1/defects/{defect_id}/transitions"
    assigned = api.post(url, json={"action": "assign", "contractor_id": world.contractor_id,
                                   "due_date": "2099-01-01"})
    assert assigned.status_code == 200 and assigned.get_json()["status"] == "assigned"
    assert api.post(url, json={"action": "verify"}).status_code == 409

    contractor = as_role("contractor")
    no_photo = contractor.post(url, json={"action": "fix"})
    assert no_photo.status_code == 422 and no_photo.get_json()["details"][0]["field"] == "photo"
    upload = contractor.post(f"/api/v1/defects/{defect_id}/photos",
                             data={"file": (io.BytesIO(jpeg_with_gps()), "after.jpg")}, content_type="multipart/form-data")
    assert upload.status_code == 201 and upload.get_json()["kind"] == "after"
    assert contractor.post(url, json={"action": "fix", "note": "已修复"}).status_code == 200
    rejected = api.post(url, json={"action": "reject", "note": "仍渗水"}).get_json()
    assert rejected["status"] == "assigned" and rejected["rework_count"] == 1
    contractor.post(f"/api/v1/defects/{defect_id}/photos",
                    data={"file": (io.BytesIO(png()), "after2.png")}, content_type="multipart/form-data")
    contractor.post(url, json={"action": "fix"})
    verified = api.post(url, json={"action": "verify"}).get_json()
    assert verified["status"] == "verified"
    detail = api.get(f"/api/v1/defects/{defect_id}").get_json()
    assert [h["action"] for h in detail["history"]] == ["create", "assign", "fix", "reject", "fix", "verify"]
    assert detail["rework_count"] == 1 and len(detail["photos"]) == 2


def test_photo_urls_work_with_the_same_token_and_not_without(world, api, client):
    api.token("engineering")
    defect_id = api.post(f"/api/v1/units/{world.a1.id}/defects", json=BODY).get_json()["id"]
    photo = _photo(api, defect_id, jpeg_with_gps()).get_json()
    path = photo["url"].replace("http://localhost", "")
    image = api.get(path)
    assert image.status_code == 200 and image.mimetype == "image/jpeg" and image.data[:2] == b"\xff\xd8"
    assert api.get(photo["thumbnail_url"].replace("http://localhost", "")).status_code == 200
    assert client.get(path).status_code == 401


def test_not_an_image_is_422_and_leaves_nothing(world, api):
    api.token("engineering")
    defect_id = api.post(f"/api/v1/units/{world.a1.id}/defects", json=BODY).get_json()["id"]
    response = _photo(api, defect_id, NOT_AN_IMAGE)
    assert response.status_code == 422 and response.get_json()["error"] == "validation_failed"
    assert api.get(f"/api/v1/defects/{defect_id}").get_json()["photos"] == []


def test_stale_version_is_409(world, api):
    api.token("engineering")
    created = api.post(f"/api/v1/units/{world.a1.id}/defects", json=BODY).get_json()
    url = f"/api/v1/defects/{created['id']}/transitions"
    body = {"action": "assign", "contractor_id": world.contractor_id, "due_date": "2099-01-01",
            "version": created["version"]}
    assert api.post(url, json=body).status_code == 200
    second = api.post(url, json=body)
    assert second.status_code == 409 and second.get_json()["error"] == "conflict"


def test_contractor_sees_only_their_company_defects(world, api, app, client):
    api.token("engineering")
    mine = api.post(f"/api/v1/units/{world.a1.id}/defects", json=BODY).get_json()["id"]
    unassigned = api.post(f"/api/v1/units/{world.a1.id}/defects", json=BODY).get_json()["id"]
    api.post(f"/api/v1/defects/{mine}/transitions",
             json={"action": "assign", "contractor_id": world.contractor_id, "due_date": "2099-01-01"})
    api.token("contractor")
    assert [d["id"] for d in api.get("/api/v1/defects").get_json()["items"]] == [mine]
    assert api.get(f"/api/v1/defects/{unassigned}").status_code == 404
    assert api.post(f"/api/v1/defects/{mine}/transitions", json={"action": "verify"}).status_code == 403
    assert api.post(f"/api/v1/units/{world.a1.id}/defects", json=BODY).status_code == 403


def test_homeowner_sees_own_defects_without_internal_notes(world, api, app):
    api.token("engineering")
    own = api.post(f"/api/v1/units/{world.a1.id}/defects", json=BODY).get_json()["id"]
    other = api.post(f"/api/v1/units/{world.a2.id}/defects", json=BODY).get_json()["id"]
    api.post(f"/api/v1/defects/{own}/transitions", json={"action": "assign", "contractor_id": world.contractor_id,
                                                        "due_date": "2099-01-01", "note": "内部：找王工"})
    api.token(world.owner.username)
    assert [d["id"] for d in api.get("/api/v1/defects").get_json()["items"]] == [own]
    assert api.get(f"/api/v1/defects/{other}").status_code == 404
    detail = api.get(f"/api/v1/defects/{own}").get_json()
    assert "内部：找王工" not in str(detail) and "engineering" not in str(detail)
    assert detail["status"] == "assigned" and detail["due_date"] == "2099-01-01"


def test_homeowner_disputes_after_handover(world, api, app, client):
    api.token("engineering")
    defect_id = api.post(f"/api/v1/units/{world.a1.id}/defects", json=BODY).get_json()["id"]
    url = f"/api/v1/defects/{defect_id}/transitions"
    api.post(url, json={"action": "unfixable", "statement": "s", "compensation_plan": "p"})
    fixed = api.post(f"/api/v1/units/{world.a1.id}/defects", json=BODY).get_json()["id"]
    with app.app_context():
        db.session.get(Unit, world.a1.id).handed_over_on = date(2026, 12, 20)
        defect = db.session.get(Defect, fixed)
        defect.status = defect.status.__class__("verified")
        db.session.commit()
    api.token(world.owner.username)
    assert _photo(api, fixed).status_code == 201
    disputed = api.post(f"/api/v1/defects/{fixed}/transitions", json={"action": "dispute", "note": "还是漏水"})
    assert disputed.status_code == 200 and disputed.get_json()["status"] == "fixed"
    assert api.post(url, json={"action": "verify"}).status_code == 403


def test_list_filters_combine(world, api):
    api.token("engineering")
    for room, category in (("主卫", "防水"), ("客厅", "门窗"), ("主卫", "门窗")):
        api.post(f"/api/v1/units/{world.a1.id}/defects", json={**BODY, "room": room, "category": category})
    api.post(f"/api/v1/units/{world.a2.id}/defects", json=BODY)
    assert api.get(f"/api/v1/defects?batch_id={world.a.batch_id}").get_json()["total"] == 4
    assert api.get(f"/api/v1/defects?unit_id={world.a1.id}&status=open").get_json()["total"] == 3
    assert api.get(f"/api/v1/defects?unit_id={world.a1.id}&room=主卫&category=门窗").get_json()["total"] == 1
    assert api.get("/api/v1/defects?overdue=true").get_json()["total"] == 0
    assert api.get("/api/v1/defects?status=nonsense").status_code == 422


def test_bulk_assign_window_defects_of_a_building(world, api):
    api.token("engineering")
    for category in ("门窗", "门窗", "地面"):
        api.post(f"/api/v1/units/{world.a1.id}/defects", json={**BODY, "category": category})
    response = api.post("/api/v1/defects/bulk-assign", json={"batch_id": world.a.batch_id, "category": "门窗",
                                                             "contractor_id": world.contractor_id,
                                                             "due_date": "2099-01-01"})
    assert response.get_json() == {"assigned": 2}
    assert api.get(f"/api/v1/defects?contractor_id={world.contractor_id}").get_json()["total"] == 2


def test_homeowners_do_not_see_internal_inspection_defects(world, api):
    api.token("engineering")
    internal = api.post(f"/api/v1/units/{world.a1.id}/defects", json={**BODY, "stage": "unit_acceptance"})
    shown = api.post(f"/api/v1/units/{world.a1.id}/defects", json=BODY)
    api.token(world.owner.username)
    assert [d["id"] for d in api.get("/api/v1/defects").get_json()["items"]] == [shown.get_json()["id"]]
    assert api.get(f"/api/v1/defects/{internal.get_json()['id']}").status_code == 404


def test_a_resent_transition_with_the_same_idempotency_key_acts_once(world, api, client):
    from datetime import timedelta

    from handover.core.timeutil import now_utc, today_local

    api.token("engineering")
    found_at = (now_utc() - timedelta(hours=2)).replace(microsecond=0)
    created = api.post(f"/api/v1/units/{world.a1.id}/defects", json={**BODY, "at": found_at.isoformat()}).get_json()
    assert created["created_at"].startswith(found_at.isoformat()[:19])
    body = {"action": "assign", "contractor_id": world.contractor_id, "version": 1,
            "due_date": (today_local() + timedelta(days=5)).isoformat()}
    url = f"/api/v1/defects/{created['id']}/transitions"
    first = client.post(url, json=body, headers={**api.headers, "Idempotency-Key": "pad-1:assign"})
    again = client.post(url, json=body, headers={**api.headers, "Idempotency-Key": "pad-1:assign"})
    assert first.status_code == again.status_code == 200
    assert again.get_json()["version"] == 2  # not a stale-version 409: the resend is answered, not redone
    reject = {"action": "reject", "note": "x", "idempotency_key": "pad-1:reject"}
    assert api.post(url, json=reject).status_code == 409  # a refusal stores nothing under the key...
    history = api.get(f"/api/v1/defects/{created['id']}").get_json()["history"]
    assert [e["action"] for e in history] == ["create", "assign"]
    unknown_version = {**body, "version": 1}
    without_key = api.post(url, json=unknown_version)
    assert without_key.status_code == 409  # ...and without a key, the stale version is refused as before
