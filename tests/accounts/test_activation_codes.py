"""Activation codes that cannot take an account over (issue 10, item 4): issued once per owner and
reprinted the same, valid until the batch's handover window ends plus 30 days, stored as a keyed
hash, never an unsalted digest; an owner with an account resets with their ID number; failed
attempts are limited per phone number as well as per address, the page and the API together."""
import hashlib
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from handover.accounts.models import ActivationCode
from handover.core.timeutil import freeze
from handover.extensions import db
from handover.projects.models import Batch
from tests.conftest import csrf_token


def _code(api, owner_id, role="sales"):
    api.token(role)
    response = api.post(f"/api/v1/owners/{owner_id}/activation-code")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_codes_are_stored_as_a_keyed_hash_not_a_plain_digest(world, api, app):
    code = _code(api, world.a2.owner_id)["code"]
    with app.app_context():
        stored = db.session.scalars(sa.select(ActivationCode.code_hash)).all()
    assert hashlib.sha256(code.encode()).hexdigest() not in stored
    # every 8-digit guess against the stored value fails without the server secret
    assert not any(hashlib.sha256(f"{n:08d}".encode()).hexdigest() in stored
                   for n in range(int(code) - 50, int(code) + 50))


def test_a_code_does_not_work_once_the_server_secret_changes(world, api, client, app):
    code = _code(api, world.a2.owner_id)["code"]
    app.config["SECRET_KEY"] = "another-secret"
    response = client.post("/api/v1/auth/activate",
                           json={"phone": "13800000002", "code": code, "password": "secret-123"})
    assert response.status_code == 422


def test_a_code_is_valid_until_the_handover_window_ends_plus_30_days(world, api, client, app):
    with app.app_context():
        db.session.get(Batch, world.a.batch_id).window_end = date(2031, 3, 31)
        db.session.commit()
    issued = _code(api, world.a2.owner_id)
    assert issued["expires_at"].startswith("2031-04-30")  # 23:59:59 Beijing time
    body = {"phone": "13800000002", "code": issued["code"], "password": "secret-123"}
    with freeze(datetime(2031, 4, 30, 16, 0, tzinfo=timezone.utc)):  # 1 May 00:00 in Shanghai
        assert client.post("/api/v1/auth/activate", json=body).status_code == 422
    with freeze(datetime(2031, 4, 29, 12, 0, tzinfo=timezone.utc)):
        assert client.post("/api/v1/auth/activate", json=body).status_code == 200


def test_staff_cannot_reset_an_existing_account_with_a_code(world, api, client):
    """张伟 (a1) has an account: a code alone must not set his password."""
    code = _code(api, world.a1.owner_id)["code"]
    taken = client.post("/api/v1/auth/activate", json={"phone": "13800000001", "code": code, "password": "taken-over"})
    assert taken.status_code == 422
    assert client.post("/api/v1/auth/token", json={"username": "13800000001", "password": "taken-over"}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "13800000001", "password": "password123"}).status_code == 200


def test_an_owner_with_an_account_resets_with_code_and_id_number(world, api, client):
    owner_token = client.post("/api/v1/auth/token", json={"username": "13800000001", "password": "password123"})
    old = {"Authorization": f"Bearer {owner_token.get_json()['token']}"}
    code = _code(api, world.a1.owner_id)["code"]
    body = {"phone": "13800000001", "code": code, "password": "new-secret-1"}
    assert client.post("/api/v1/auth/reset", json={**body, "id_tail": "000000"}).status_code == 422
    assert client.post("/api/v1/auth/reset", json={**body, "id_tail": "074514"}).status_code == 200
    assert client.get("/api/v1/units", headers=old).status_code == 401  # the old token ended
    assert client.post("/api/v1/auth/token", json={"username": "13800000001", "password": "new-secret-1"}).status_code == 200
    again = client.post("/api/v1/auth/reset", json={**body, "id_tail": "074514", "password": "third-one-1"})
    assert again.status_code == 422  # the code is spent


def test_the_reset_page_needs_the_id_number_too(world, api, client):
    code = _code(api, world.a1.owner_id)["code"]

    def reset(tail):
        token = csrf_token(client.get("/reset").get_data(as_text=True))
        return client.post("/reset", data={"phone": "13800000001", "code": code, "id_tail": tail,
                                           "password": "newpass123", "confirm": "newpass123", "csrf_token": token})
    assert reset("999999").status_code == 200  # the form again, with the error
    assert reset("074514").status_code == 302
    assert client.post("/api/v1/auth/token", json={"username": "13800000001", "password": "newpass123"}).status_code == 200


def test_failed_activations_are_limited_per_phone_across_addresses_page_and_api(world, api, client):
    code = _code(api, world.a2.owner_id)["code"]
    wrong = "00000000" if code != "00000000" else "11111111"
    for n in range(5):  # each guess from another address, alternately page and API
        environ = {"REMOTE_ADDR": f"10.0.0.{n + 1}"}
        if n % 2:
            token = csrf_token(client.get("/activate", environ_base=environ).get_data(as_text=True))
            response = client.post("/activate", environ_base=environ,
                                   data={"phone": "13800000002", "code": wrong, "password": "secret-123",
                                         "confirm": "secret-123", "csrf_token": token})
            assert response.status_code == 200
        else:
            response = client.post("/api/v1/auth/activate", environ_base=environ,
                                   json={"phone": "13800000002", "code": wrong, "password": "secret-123"})
            assert response.status_code == 422
    blocked = client.post("/api/v1/auth/activate", environ_base={"REMOTE_ADDR": "10.0.0.99"},
                          json={"phone": "13800000002", "code": code, "password": "secret-123"})
    assert blocked.status_code == 429
    other = client.post("/api/v1/auth/reset", environ_base={"REMOTE_ADDR": "10.0.0.98"},
                        json={"phone": "13800000002", "code": code, "id_tail": "123456", "password": "secret-123"})
    assert other.status_code == 429  # the reset route shares the phone's counter


def test_failed_activations_are_limited_per_address_across_phones(world, client, app):
    limit = int(app.config["ACTIVATION_ADDRESS_FAILURE_LIMIT"].split()[0])
    codes = [client.post("/api/v1/auth/activate",
                         json={"phone": f"1390000{n:04d}", "code": "12345678", "password": "secret-123"}).status_code
             for n in range(limit + 1)]
    assert set(codes[:limit]) == {422} and codes[-1] == 429


def test_successful_activations_do_not_count_against_the_desk(world, make_unit, api, client, app):
    """The service desk's tablet activates many owners from one address."""
    app.config["ACTIVATION_ADDRESS_FAILURE_LIMIT"] = "3 per hour"
    units = [make_unit(world.a.batch_id, f"6{n:02d}", phone=f"1370000{n:04d}", owner_name="业主")
             for n in range(5)]
    for n, unit in enumerate(units):
        code = _code(api, unit.owner_id)["code"]
        response = client.post("/api/v1/auth/activate",
                               json={"phone": f"1370000{n:04d}", "code": code, "password": "secret-123"})
        assert response.status_code == 200


def test_old_unsalted_codes_no_longer_work(world, client, app):
    """Rows from before keyed hashes (no nonce) are invalid, even if their digest matches."""
    with app.app_context():
        db.session.add(ActivationCode(owner_id=world.a2.owner_id, code_hash=hashlib.sha256(b"24681357").hexdigest(),
                                      expires_at=datetime.now(timezone.utc) + timedelta(days=5)))
        db.session.commit()
    response = client.post("/api/v1/auth/activate",
                           json={"phone": "13800000002", "code": "24681357", "password": "secret-123"})
    assert response.status_code == 422
