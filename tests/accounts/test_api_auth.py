"""API tokens and homeowner activation through the API."""
from datetime import timedelta

from handover.core.timeutil import freeze, now_utc


def test_token_expires(world, api, client):
    api.token("sales")
    assert api.get("/api/v1/units").status_code == 200
    with freeze(now_utc() + timedelta(hours=13)):
        assert api.get("/api/v1/units").status_code == 401


def test_activation_code_flow_through_the_api(world, api, client):
    api.token("sales")
    response = api.post(f"/api/v1/owners/{world.a2.owner_id}/activation-code")
    assert response.status_code == 201
    code = response.get_json()["code"]
    assert len(code) == 8 and code.isdigit()
    body = {"phone": "13800000002", "code": code, "password": "secret-123"}
    assert client.post("/api/v1/auth/activate", json=body).status_code == 200
    again = client.post("/api/v1/auth/activate", json={**body, "password": "another-123"})
    assert again.status_code == 422
    token = client.post("/api/v1/auth/token", json={"username": "13800000002", "password": "secret-123"})
    assert token.status_code == 200 and token.get_json()["role"] == "owner"


def test_asking_again_gives_the_same_code_until_it_is_used(world, api, client):
    """Issuing again must not void a code already printed and handed to the owner."""
    api.token("sales")
    old = api.post(f"/api/v1/owners/{world.a2.owner_id}/activation-code").get_json()["code"]
    api.token("property")
    again = api.post(f"/api/v1/owners/{world.a2.owner_id}/activation-code").get_json()["code"]
    assert again == old
    base = {"phone": "13800000002", "password": "secret-123"}
    assert client.post("/api/v1/auth/activate", json={**base, "code": old}).status_code == 200
    api.token("sales")
    fresh = api.post(f"/api/v1/owners/{world.a2.owner_id}/activation-code").get_json()["code"]
    assert fresh != old  # the spent code is not handed out again


def test_codes_expire(world, api, client):
    api.token("sales")
    code = api.post(f"/api/v1/owners/{world.a2.owner_id}/activation-code").get_json()["code"]
    with freeze(now_utc() + timedelta(days=31)):
        response = client.post("/api/v1/auth/activate",
                               json={"phone": "13800000002", "code": code, "password": "secret-123"})
    assert response.status_code == 422


def test_activation_codes_only_for_owners_in_scope(world, api):
    api.token("sales_b")
    assert api.post(f"/api/v1/owners/{world.a2.owner_id}/activation-code").status_code == 404
    api.token("engineering")
    assert api.post(f"/api/v1/owners/{world.a2.owner_id}/activation-code").status_code == 403


def test_token_endpoint_is_rate_limited(world, client):
    codes = [client.post("/api/v1/auth/token", json={"username": "sales", "password": "bad"}).status_code
             for _ in range(11)]
    assert codes[-1] == 429 and set(codes[:10]) == {401}
