"""Sign-in, sign-out, sessions, CSRF, rate limiting and safe redirects, through the pages."""
from datetime import timedelta

from handover.core.timeutil import freeze, now_utc


def test_staff_signs_in_and_lands_on_batches(world, browser):
    response = browser.login("sales", follow=True)
    assert response.status_code == 200
    assert "云璟花园" in response.get_data(as_text=True)


def test_wrong_password_is_refused_without_saying_which_part(world, browser):
    response = browser.login("sales", "wrong-password", follow=True)
    html = response.get_data(as_text=True)
    assert "/logout" not in html
    unknown = browser.login("nobody", "wrong-password", follow=True).get_data(as_text=True)
    assert _flash(html) == _flash(unknown)


def _flash(html):
    start = html.index('class="flash')
    return html[start:html.index("</div>", start)]


def test_pages_require_sign_in_and_redirect_back(world, client):
    response = client.get(f"/batches/{world.a.batch_id}/units")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_next_redirect_only_lands_on_this_site(world, browser, client):
    page = client.get("/login?next=https://evil.example/steal").get_data(as_text=True)
    from tests.conftest import csrf_token

    for target in ("https://evil.example/steal", "//evil.example", "/\\evil.example"):
        response = client.post("/login", data={"username": "sales", "password": "password123", "next": target,
                                               "csrf_token": csrf_token(page)})
        assert response.status_code == 302
        assert response.headers["Location"] == "/dashboard", target
        browser.logout()
        page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": "sales", "password": "password123",
                                           "next": f"/batches/{world.a.batch_id}/units",
                                           "csrf_token": csrf_token(page)})
    assert response.headers["Location"] == f"/batches/{world.a.batch_id}/units"


def test_forms_without_csrf_token_are_refused(world, client):
    response = client.post("/login", data={"username": "sales", "password": "password123"})
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302  # not signed in


def test_sign_out_kills_copied_cookie(world, browser, app):
    browser.login("sales")
    cookie = browser.client.get_cookie("session").value
    assert browser.client.get("/dashboard").status_code == 200
    browser.logout()
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    response = thief.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_staff_session_expires_after_a_working_day(world, browser):
    browser.login("sales")
    assert browser.client.get("/dashboard").status_code == 200
    with freeze(now_utc() + timedelta(hours=10, minutes=1)):
        assert browser.client.get("/dashboard").status_code == 302


def test_sign_in_is_rate_limited(world, client):
    from tests.conftest import csrf_token

    token = csrf_token(client.get("/login").get_data(as_text=True))
    codes = [client.post("/login", data={"username": "sales", "password": "bad", "csrf_token": token}).status_code
             for _ in range(11)]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429


def test_session_cookie_is_http_only_and_samesite(world, browser):
    response = browser.login("sales")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
