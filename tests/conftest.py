"""Shared fixtures: one app and schema per session (built by the real migrations), rows wiped
after every test, real commits so "nothing half-written" stays testable.

The database comes from TEST_DATABASE_URL (PostgreSQL in CI); otherwise a SQLite file.
"""
import os
import re
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from config import TestConfig

pytest_plugins = ["tests.fixtures.factories", "tests.fixtures.access"]

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    folder = tempfile.mkdtemp(prefix="handover-test-")
    return f"sqlite:///{folder}/test.db"


def _reset_schema(url: str) -> None:
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app():
    from flask_migrate import upgrade

    from handover import create_app

    url = _database_url()
    _reset_schema(url)
    upload_dir = tempfile.mkdtemp(prefix="handover-uploads-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": upload_dir}, config_class=TestConfig)
    with app.app_context():
        upgrade()
    yield app


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    yield
    if "app" not in request.fixturenames:
        return
    from handover.extensions import db, limiter

    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
        limiter.reset()
        from handover.defects import counts

        counts.forget()  # the dashboard's kept figures belong to the rows just wiped


@pytest.fixture
def ctx(app):
    """An app context for service-level tests (no HTTP)."""
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Browser:
    """Sign-in helper for page tests (pallets/flask tutorial's AuthActions)."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = "password123", follow: bool = False):
        page = self.client.get("/login")
        token = csrf_token(page.get_data(as_text=True))
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                                follow_redirects=follow)

    def post(self, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        """POST a form with a valid CSRF token taken from `page` (or from `url`)."""
        html = self.client.get(page or url).get_data(as_text=True)
        return self.client.post(url, data={**(data or {}), "csrf_token": csrf_token(html)}, **kwargs)

    def logout(self):
        html = self.client.get("/", follow_redirects=True).get_data(as_text=True)
        return self.client.post("/logout", data={"csrf_token": csrf_token(html)})


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture
def api(client):
    """A JSON API caller: api.token(username, password) then api.get/post with the bearer token."""

    class Api:
        headers: dict = {}

        def token(self, username, password="password123"):
            response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
            return self

        def get(self, url, **kwargs):
            return client.get(url, headers=self.headers, **kwargs)

        def post(self, url, **kwargs):
            return client.post(url, headers=self.headers, **kwargs)

        def put(self, url, **kwargs):
            return client.put(url, headers=self.headers, **kwargs)

        def patch(self, url, **kwargs):
            return client.patch(url, headers=self.headers, **kwargs)

        def delete(self, url, **kwargs):
            return client.delete(url, headers=self.headers, **kwargs)

    return Api()
