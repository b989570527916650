"""Denied by default: every route declares who may call it, by a permission from the table, and
the server answers exactly as the table says for every role."""
import pytest
from flask import Blueprint

from handover.accounts.models import Role
from handover.accounts.permissions import PERMISSIONS, roles_for
from handover.core.access import PUBLIC, declared_access
from tests.fixtures.access import route_access, route_urls

#: the routes anyone may call, signed in or not
PUBLIC_ROUTES = {("GET", "/"), ("GET", "/login"), ("POST", "/login"), ("GET", "/activate"), ("POST", "/activate"),
                 ("GET", "/reset"), ("POST", "/reset"), ("POST", "/api/v1/auth/reset"),
                 ("POST", "/language"), ("POST", "/api/v1/auth/token"), ("POST", "/api/v1/auth/activate"),
                 ("GET", "/api/v1/openapi.json"),
                 # the field client's service worker and manifest: static files the browser fetches itself
                 ("GET", "/field/sw.js"), ("GET", "/field/manifest.webmanifest")}


def test_every_route_declares_a_permission_from_the_table_or_is_public(app):
    undeclared, unknown, public = [], [], set()
    for rule, method, permission in route_access(app):
        if permission is None:
            undeclared.append(f"{method} {rule.rule} ({rule.endpoint})")
        elif permission is PUBLIC:
            public.add((method, rule.rule))
        elif permission not in PERMISSIONS:
            unknown.append(f"{method} {rule.rule}: {permission}")
    assert undeclared == []
    assert unknown == []
    assert public == PUBLIC_ROUTES, "a new public route: add it to PUBLIC_ROUTES if it is meant to be open"


def test_the_roles_a_route_admits_are_its_permissions_roles_in_the_table(app):
    mismatched = []
    for rule, method, permission in route_access(app):
        if permission is PUBLIC or permission is None:
            continue
        admitted = declared_access(app.view_functions[rule.endpoint], method)
        if admitted != roles_for(permission):
            mismatched.append(f"{method} {rule.rule}: {permission}")
    assert mismatched == []


def test_an_undeclared_route_is_refused(app):
    # A fresh app, so the route is registered before the first request.
    from config import TestConfig
    from handover import create_app

    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}, config_class=TestConfig)
    forgotten = Blueprint("forgotten", __name__)

    @forgotten.get("/forgotten")
    def view():
        return "should never be served"

    fresh.register_blueprint(forgotten)
    response = fresh.test_client().get("/forgotten")
    assert response.status_code == 403


def test_the_sample_covers_pages_and_api_of_every_domain(app, world):
    urls = [url for url, _permission in route_urls(app, world)]
    assert len(urls) > 40
    for prefix in ("/api/v1/units/", "/api/v1/batches/", "/batches/", "/units/", "/keys", "/fees/", "/audit/",
                   "/my/", "/contractor", "/checklist/", "/jobs/"):
        assert any(url.startswith(prefix) for url in urls), prefix


@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: role.value if role else "signed-out")
def test_each_role_is_refused_exactly_where_the_table_says(app, world, as_role, role):
    caller = as_role(role)
    wrong = []
    for url, permission in route_urls(app, world):
        if role is not None and role in roles_for(permission) and url.endswith((".pdf", ".xlsx")):
            continue  # documents render slowly; that they are refused to the others is what matters here
        status = caller.get(url).status_code
        if role is None:
            expected = "401" if url.startswith("/api/") else "302"
            ok = str(status) == expected
        else:
            expected = "403" if role not in roles_for(permission) else "not 403"
            ok = (status == 403) == (role not in roles_for(permission))
        if not ok:
            wrong.append(f"{url} ({permission}): {status}, expected {expected}")
    assert wrong == []


def test_a_page_refusal_is_a_plain_403_and_signing_out_sends_to_the_login(world, as_role):
    assert as_role("engineering").get("/audit/").status_code == 403
    assert as_role("engineering").get("/projects/new").status_code == 403
    assert as_role("admin").get("/audit/").status_code == 200
    response = as_role(None).get("/audit/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
