"""Key API: the custody rules through HTTP, the fee gate, signatures, races and isolation."""
import base64
import io
import threading
from datetime import timedelta

from PIL import Image

from handover.core.timeutil import freeze, now_utc
from handover.extensions import db
from handover.keys import rules
from handover.keys.models import Key


def signature_png() -> str:
    out = io.BytesIO()
    Image.new("RGBA", (300, 120), (255, 255, 255, 0)).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _key(api, unit_id, **body):
    response = api.post(f"/api/v1/units/{unit_id}/keys", json={"kind": "entrance_door", "label": "入户门", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _event(api, key_id, type_, **body):
    return api.post(f"/api/v1/keys/{key_id}/events", json={"type": type_, **body})


def _settled_unit(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "601", measured="101.20", phone="13800000601")
    api.token("finance")
    api.post(f"/api/v1/units/{unit.id}/payments",
             json={"kind": "payment", "amount": "24000.00", "method": "transfer", "receipt_no": "K-601"})
    return unit


def test_chain_of_custody_from_contractor_to_owner_and_back(world, make_unit, api):
    unit = _settled_unit(world, make_unit, api)
    api.token("property")
    key = _key(api, unit.id, copies=3, cabinet_slot="A-01")
    assert key["status"] == "with_contractor" and key["copies"] == 3
    assert _event(api, key["id"], "received", to="总包 孙工").status_code == 201
    assert _event(api, key["id"], "checked", result="ok").status_code == 201
    assert _event(api, key["id"], "handed_to_owner", to="张伟", signature=signature_png()).status_code == 201
    assert _event(api, key["id"], "returned_to_owner", to="张伟", signature=signature_png()).status_code == 409
    assert _event(api, key["id"], "entrusted", to="张伟", note="屋内有沙发一套", signature=signature_png()).status_code == 201
    assert _event(api, key["id"], "returned_to_owner", to="张伟", signature=signature_png()).status_code == 201
    body = api.get(f"/api/v1/keys/{key['id']}").get_json()
    assert body["status"] == "with_owner" and body["holder"] == "张伟"
    assert [e["type"] for e in body["events"]] == ["received", "checked", "handed_to_owner", "entrusted",
                                                   "returned_to_owner"]
    assert body["events"][1]["result"] == "ok" and body["events"][2]["signed"] is True


def test_key_on_loan_cannot_be_lent_or_handed_over(world, make_unit, api):
    unit = _settled_unit(world, make_unit, api)
    api.token("property")
    key = _key(api, unit.id)
    _event(api, key["id"], "received", to="总包")
    assert _event(api, key["id"], "lent", to="保洁 李阿姨").status_code == 201
    second = _event(api, key["id"], "lent", to="维修 王师傅")
    assert second.status_code == 409 and {"field": "status", "message": "on_loan"} in second.get_json()["details"]
    assert _event(api, key["id"], "handed_to_owner", to="张伟", signature=signature_png()).status_code == 409
    assert _event(api, key["id"], "returned", to="保洁 李阿姨").status_code == 201


def test_unsettled_area_differential_blocks_handing_the_key(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "602", measured="101.20", phone="13800000602")
    api.token("property")
    key = _key(api, unit.id)
    _event(api, key["id"], "received", to="总包")
    refused = _event(api, key["id"], "handed_to_owner", to="张伟", signature=signature_png())
    assert refused.status_code == 409 and refused.get_json()["details"] == [{"field": "gate", "message": "area_differential"}]
    api.token("finance")
    api.post(f"/api/v1/units/{unit.id}/payments",
             json={"kind": "payment", "amount": "24000.00", "method": "cash", "receipt_no": "K-602"})
    api.token("property")
    assert _event(api, key["id"], "handed_to_owner", to="张伟", signature=signature_png()).status_code == 201


def test_signature_and_counterparty_are_required_and_checked(world, make_unit, api):
    unit = _settled_unit(world, make_unit, api)
    api.token("property")
    key = _key(api, unit.id)
    _event(api, key["id"], "received", to="总包")
    unsigned = _event(api, key["id"], "handed_to_owner", to="张伟")
    assert unsigned.status_code == 422 and unsigned.get_json()["details"][0]["field"] == "signature"
    forged = _event(api, key["id"], "handed_to_owner", to="张伟", signature="data:image/png;base64,aGVsbG8=")
    assert forged.status_code == 422
    assert _event(api, key["id"], "lent").status_code == 422  # to whom?
    assert _event(api, key["id"], "teleported").status_code == 422


def test_overdue_loans_are_listed(world, make_unit, api):
    unit = _settled_unit(world, make_unit, api)
    api.token("property")
    key = _key(api, unit.id)
    _event(api, key["id"], "received", to="总包")
    _event(api, key["id"], "lent", to="装修队")
    assert api.get("/api/v1/keys?overdue=true").get_json()["total"] == 0
    with freeze(now_utc() + timedelta(days=1)):
        api.token("property")  # yesterday's token has expired by now
        listing = api.get(f"/api/v1/keys?batch_id={world.a.batch_id}&overdue=true").get_json()
        assert listing["total"] == 1 and listing["items"][0]["overdue"] is True


def test_cached_state_equals_the_replay_of_events(world, make_unit, api, app):
    unit = _settled_unit(world, make_unit, api)
    api.token("property")
    key = _key(api, unit.id)
    for type_, extra in (("received", {"to": "总包"}), ("lent", {"to": "保洁"}), ("returned", {"to": "保洁"}),
                         ("checked", {"result": "fails"}), ("lost", {})):
        _event(api, key["id"], type_, **extra)
    with app.app_context():
        row = db.session.get(Key, key["id"])
        state = rules.replay(row.events)
        assert (row.status, row.holder) == (state.status, state.holder)


def test_two_people_lending_the_same_key_at_once_exactly_one_wins(world, make_unit, api, app):
    unit = _settled_unit(world, make_unit, api)
    api.token("property")
    key = _key(api, unit.id)
    _event(api, key["id"], "received", to="总包")
    headers = api.headers
    barrier, statuses = threading.Barrier(2, timeout=10), []

    def lend(who):
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(f"/api/v1/keys/{key['id']}/events", json={"type": "lent", "to": who},
                                    headers=headers).status_code)

    threads = [threading.Thread(target=lend, args=(who,)) for who in ("保洁 李阿姨", "维修 王师傅")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [201, 409]
    events = api.get(f"/api/v1/keys/{key['id']}").get_json()["events"]
    assert [e["type"] for e in events] == ["received", "lent"]


def test_bulk_creation_for_a_batch(world, api):
    api.token("property")
    response = api.post(f"/api/v1/batches/{world.a.batch_id}/keys/bulk",
                        json={"kind": "entrance_door", "copies": 3})
    assert response.get_json() == {"created": 2}
    again = api.post(f"/api/v1/batches/{world.a.batch_id}/keys/bulk", json={"kind": "entrance_door"})
    assert again.get_json() == {"created": 0}
    assert api.get(f"/api/v1/keys?batch_id={world.a.batch_id}").get_json()["total"] == 2


def test_homeowners_see_only_their_keys(world, api):
    api.token("property")
    api.post(f"/api/v1/batches/{world.a.batch_id}/keys/bulk", json={"kind": "entrance_door"})
    other = api.get(f"/api/v1/units/{world.a2.id}/keys").get_json()[0]
    api.token(world.owner.username)
    mine = api.get("/api/v1/keys").get_json()
    assert mine["total"] == 1 and mine["items"][0]["unit_id"] == world.a1.id
    assert api.get(f"/api/v1/keys/{other['id']}").status_code == 404
    assert api.post(f"/api/v1/keys/{other['id']}/events", json={"type": "lost"}).status_code == 403


def test_staff_of_other_projects_and_contractors_see_no_keys(world, api):
    api.token("property")
    api.post(f"/api/v1/batches/{world.a.batch_id}/keys/bulk", json={"kind": "entrance_door"})
    api.token("sales_b")
    assert api.get("/api/v1/keys").get_json()["total"] == 0
    api.token("contractor")
    assert api.get("/api/v1/keys").status_code == 403
