"""Security and caching headers: CSP without inline script, no framing, no sniffing, HSTS in
production, nothing personal stored by caches, photos private to the browser."""
import io
import re
from pathlib import Path

import pytest

from config import Config
from tests.fixtures.images import png

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_pages_carry_a_strict_policy_and_are_never_stored(world, browser):
    browser.login("sales")
    for url in ("/login", "/dashboard", f"/units/{world.a1.id}"):
        response = browser.client.get(url)
        assert response.status_code == 200, url
        csp = _directives(response)
        assert csp["script-src"] == "script-src 'self'"  # no inline script, no eval
        assert csp["frame-ancestors"] == "frame-ancestors 'none'"
        assert csp["object-src"] == "object-src 'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in response.headers  # not in testing over http


def test_api_answers_and_errors_are_never_stored(world, api):
    api.token("finance")
    for url in (f"/api/v1/units/{world.a1.id}/statement", f"/api/v1/units/{world.a1.id}", "/api/v1/units/999999"):
        response = api.get(url)
        assert response.headers["Cache-Control"] == "no-store", url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_photos_may_be_kept_by_this_browser_only(world, api):
    api.token("engineering")
    body = {"stage": "open_day", "room": "主卫", "category": "防水", "description": "渗漏", "severity": "major"}
    defect_id = api.post(f"/api/v1/units/{world.a1.id}/defects", json=body).get_json()["id"]
    photo = api.post(f"/api/v1/defects/{defect_id}/photos", data={"file": (io.BytesIO(png()), "p.png")},
                     content_type="multipart/form-data").get_json()
    image = api.get(photo["url"].replace("http://localhost", ""))
    assert image.status_code == 200
    cache = image.cache_control
    assert cache.private and not cache.public and not cache.no_store


def test_static_files_keep_their_caching(app, client):
    response = client.get("/static/js/app.js")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_production_sends_hsts(app):
    from handover import create_app

    production = create_app({"SECRET_KEY": "a-real-secret", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                             "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"]}, config_class=Config)
    response = production.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")))
def test_templates_have_no_inline_script(template):
    html = (TEMPLATES / template).read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>: move it to static/js"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler: use a data attribute and static/js"
    assert "javascript:" not in html
