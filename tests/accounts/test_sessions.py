"""A password change or reset ends every session and token; a token can be revoked by its holder."""
from handover.accounts.models import User
from handover.projects.models import Owner
from handover.extensions import db
from tests.conftest import Browser, csrf_token


def _token(client, username, password="password123"):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _signed_in_browser(app, username="sales"):
    browser = Browser(app.test_client())
    assert browser.login(username).status_code == 302
    assert browser.client.get("/dashboard").status_code == 200
    return browser


def _signed_out(browser) -> bool:
    response = browser.client.get("/dashboard")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_deleting_the_token_revokes_only_the_calling_token(world, client):
    first, second = _token(client, "sales"), _token(client, "sales")
    response = client.delete("/api/v1/auth/token", headers=first)
    assert response.status_code == 204
    assert client.get("/api/v1/units", headers=first).status_code == 401
    assert client.get("/api/v1/units", headers=second).status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 401  # no token, nothing to revoke


def test_a_password_change_over_the_api_ends_every_session_and_token(world, app, client):
    other_device, browser = _token(client, "sales"), _signed_in_browser(app)
    mine = _token(client, "sales")
    wrong = client.post("/api/v1/auth/password", headers=mine,
                        json={"current_password": "nope-nope", "new_password": "brand-new-99"})
    assert wrong.status_code == 422 and wrong.get_json()["details"][0]["field"] == "current_password"
    assert client.get("/api/v1/units", headers=other_device).status_code == 200  # nothing changed yet

    changed = client.post("/api/v1/auth/password", headers=mine,
                          json={"current_password": "password123", "new_password": "brand-new-99"})
    assert changed.status_code == 200
    fresh = {"Authorization": f"Bearer {changed.get_json()['token']}"}
    assert client.get("/api/v1/units", headers=other_device).status_code == 401
    assert client.get("/api/v1/units", headers=mine).status_code == 401
    assert _signed_out(browser)
    assert client.get("/api/v1/units", headers=fresh).status_code == 200
    assert client.post("/api/v1/auth/token", json={"username": "sales", "password": "password123"}).status_code == 401
    _token(client, "sales", "brand-new-99")


def test_a_password_change_on_the_page_signs_out_the_other_devices(world, app, client):
    phone, tablet = _signed_in_browser(app), _signed_in_browser(app)
    token = _token(client, "sales")
    answer = tablet.post("/password", {"current": "password123", "password": "brand-new-99",
                                       "confirm": "brand-new-99"})
    assert answer.status_code == 302
    assert tablet.client.get("/dashboard").status_code == 200  # the device that changed it stays in
    assert _signed_out(phone)
    assert client.get("/api/v1/units", headers=token).status_code == 401

    refused = tablet.post("/password", {"current": "password123", "password": "another-pass-1",
                                        "confirm": "another-pass-1"})
    assert refused.status_code == 200 and "当前密码错误" in refused.get_data(as_text=True)


def test_a_reset_by_an_administrator_ends_every_session_and_token(world, app, client, runner):
    browser, token = _signed_in_browser(app), _token(client, "sales")
    result = runner.invoke(args=["users", "set-password", "--username", "sales", "--password", "reset-pass-77"])
    assert result.exit_code == 0, result.output
    assert _signed_out(browser)
    assert client.get("/api/v1/units", headers=token).status_code == 401
    _token(client, "sales", "reset-pass-77")


def test_resetting_an_owner_account_ends_its_sessions(world, app, client):
    """An owner with an account resets (code + ID number: activation no longer resets it)."""
    owner_token = _token(client, world.owner.username)
    staff = _token(client, "sales")
    with app.app_context():
        phone = db.session.get(Owner, world.a1.owner_id).phone
        assert db.session.get(User, world.owner.user_id).owner_id == world.a1.owner_id
    code = client.post(f"/api/v1/owners/{world.a1.owner_id}/activation-code", headers=staff).get_json()["code"]
    assert client.post("/api/v1/auth/reset", json={"phone": phone, "code": code, "id_tail": "074514",
                                                   "password": "owner-new-1"}).status_code == 200
    assert client.get(f"/api/v1/units/{world.a1.id}", headers=owner_token).status_code == 401


def test_sign_out_ends_the_session_row(world, app):
    browser = _signed_in_browser(app)
    html = browser.client.get("/dashboard").get_data(as_text=True)
    assert browser.client.post("/logout", data={"csrf_token": csrf_token(html)}).status_code == 302
    with app.app_context():
        from handover.accounts.models import LoginSession

        assert db.session.query(LoginSession).count() == 0
