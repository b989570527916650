"""The command line and start-up configuration."""
import sqlalchemy as sa
import pytest

from handover.accounts.models import User
from handover.extensions import db
from handover.projects.models import Unit


def test_users_create_with_role_and_project(runner, make_project, app):
    project = make_project()
    result = runner.invoke(args=["users", "create", "--username", "wang", "--password", "longenough1",
                                 "--role", "engineering", "--project", str(project.id)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "wang"))
        assert user.role.value == "engineering" and [p.id for p in user.projects] == [project.id]


def test_users_create_refuses_contractor_without_company_and_duplicates(runner):
    result = runner.invoke(args=["users", "create", "--username", "c", "--password", "longenough1",
                                 "--role", "contractor"])
    assert result.exit_code == 1 and "Error:" in result.output
    ok = runner.invoke(args=["users", "create", "--username", "dup", "--password", "longenough1", "--role", "sales"])
    assert ok.exit_code == 0
    again = runner.invoke(args=["users", "create", "--username", "dup", "--password", "longenough1",
                                "--role", "sales"])
    assert again.exit_code != 0


def test_users_create_refuses_short_passwords(runner):
    result = runner.invoke(args=["users", "create", "--username", "x", "--password", "short", "--role", "sales"])
    assert result.exit_code != 0


def test_demo_data_loads_a_realistic_batch_once(runner, app):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "13800000001" in result.output and "admin" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) >= 600
        roles = set(db.session.scalars(sa.select(User.role)))
        assert {r.value for r in roles} == {"admin", "engineering", "sales", "property", "finance", "manager",
                                            "contractor", "owner"}
    again = runner.invoke(args=["demo-data", "--if-empty"])
    assert again.exit_code == 0 and "already" in again.output


def test_production_refuses_the_default_secret_key(monkeypatch):
    from config import Config
    from handover import create_app

    class Production(Config):
        SECRET_KEY = "dev-only-not-secret"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config_class=Production)


def test_production_uses_secure_cookies():
    from config import Config

    assert Config.SESSION_COOKIE_SECURE and Config.SESSION_COOKIE_HTTPONLY
