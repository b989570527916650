"""Denied by default: every route declares who may call it."""
from flask import Blueprint

from handover.core.access import declared_access


def test_every_route_declares_its_access(app):
    undeclared = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if declared_access(view, method) is None:
                undeclared.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert undeclared == []


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


def test_roles_are_enforced_on_pages(world, browser):
    browser.login("engineering")
    assert browser.client.get("/audit/").status_code == 403
    assert browser.client.get("/projects/new").status_code == 403
    browser.logout()
    browser.login("admin")
    assert browser.client.get("/audit/").status_code == 200
