"""Sign-in limiting counts failures per account and per address, never successes; the client
address comes from X-Forwarded-For only behind a configured proxy; the 429 page is Chinese."""
import pytest

from config import TestConfig
from tests.conftest import csrf_token


def _page_signin(client, username, password, **kwargs):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}, **kwargs)


def test_thirty_successful_sign_ins_from_one_address_all_succeed(world, app):
    # fifty tablets behind one Wi-Fi router: one address, many sign-ins on handover morning
    codes = [_page_signin(app.test_client(), "sales", "password123").status_code for _ in range(15)]
    codes += [app.test_client().post("/api/v1/auth/token", json={"username": "property", "password": "password123"})
              .status_code for _ in range(15)]
    assert codes == [302] * 15 + [200] * 15


def test_failures_lock_one_account_not_the_others_at_the_same_address(world, client):
    codes = [_page_signin(client, "sales", "wrong-guess").status_code for _ in range(10)]
    assert codes == [200] * 10  # the form again, with "wrong username or password"
    refused = _page_signin(client, "sales", "password123")  # the 11th: even the right password waits
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "尝试次数过多" in page and "请等待几分钟后再试" in page and 'lang="zh-CN"' in page
    assert refused.headers.get("Retry-After")
    # the API shares the account's count
    api = client.post("/api/v1/auth/token", json={"username": "SALES ", "password": "password123"})
    assert api.status_code == 429 and api.get_json()["error"] == "too_many_requests"
    # a colleague at the same address signs in, on the page and over the API
    assert _page_signin(client, "property", "password123").status_code == 302
    assert client.post("/api/v1/auth/token", json={"username": "finance", "password": "password123"}).status_code == 200


def test_failures_from_one_address_across_accounts_are_limited(world, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNIN_ADDRESS_FAILURE_LIMIT", "5 per 5 minutes")
    codes = [client.post("/api/v1/auth/token", json={"username": f"guess{n}", "password": "x"}).status_code
             for n in range(6)]
    assert codes == [401] * 5 + [429]
    other = app.test_client()
    assert other.post("/api/v1/auth/token", json={"username": "sales", "password": "password123"},
                      environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


@pytest.fixture
def proxied_app(app):
    from handover import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"], "PROXY_COUNT": 1}, config_class=TestConfig)


def _fail_as(client, address, username="sales"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": "x"},
                       headers={"X-Forwarded-For": address}).status_code


def test_x_forwarded_for_is_ignored_without_a_configured_proxy(world, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNIN_ADDRESS_FAILURE_LIMIT", "3 per 5 minutes")
    # an attacker cannot dodge the address limit by inventing a new address per attempt
    codes = [_fail_as(client, f"203.0.113.{n}", f"guess{n}") for n in range(4)]
    assert codes == [401, 401, 401, 429]


def test_behind_a_configured_proxy_each_client_address_counts_on_its_own(world, proxied_app, monkeypatch):
    monkeypatch.setitem(proxied_app.config, "SIGNIN_ADDRESS_FAILURE_LIMIT", "3 per 5 minutes")
    client = proxied_app.test_client()
    assert [_fail_as(client, "198.51.100.7", f"guess{n}") for n in range(4)] == [401, 401, 401, 429]
    assert _fail_as(client, "198.51.100.8", "guess9") == 401  # another tablet behind the proxy
