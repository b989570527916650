"""Handover (商品房交付管理系统): the application factory."""
from pathlib import Path

from flask import Flask, has_request_context, request, session
from sqlalchemy import event

from config import DEV_SECRET_KEY, load_config
from handover.core.types import render_migration_item
from handover.extensions import babel, csrf, db, limiter, login_manager, migrate, rest_api

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED_LOCALES = ("zh_Hans_CN", "en")


def create_app(config_overrides: dict | None = None, config_class=None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_object(config_class or load_config())
    app.config.update(config_overrides or {})
    _refuse_default_secret(app)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_cli(app)
    register_template_helpers(app)
    return app


def _refuse_default_secret(app: Flask) -> None:
    if app.config["ENV_NAME"] == "production" and app.config["SECRET_KEY"] in (None, "", DEV_SECRET_KEY):
        raise RuntimeError("SECRET_KEY is not set: refusing to start in production with the default key. "
                           "Set SECRET_KEY in the environment (or HANDOVER_ENV=development on a laptop).")


def _select_locale() -> str:
    if not has_request_context():
        return "zh_Hans_CN"
    chosen = request.cookies.get("lang") or session.get("lang")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    if request.path.startswith("/api/"):
        best = request.accept_languages.best_match(["zh", "en"])
        if best == "en":
            return "en"
    return "zh_Hans_CN"


def register_extensions(app: Flask) -> None:
    from handover import models  # noqa: F401 - every table is known before migrations run
    from handover.audit import recorder  # noqa: F401 - registers the flush hooks

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _tune_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True,
                     render_item=render_migration_item)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = None  # the server-side session row is the protection
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    limiter.init_app(app)
    rest_api.init_app(app)


def _tune_sqlite(engine) -> None:
    """Foreign keys on, WAL, a busy timeout, and BEGIN IMMEDIATE so writers queue instead of failing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def register_blueprints(app: Flask) -> None:
    from handover.accounts.views import bp as accounts_bp
    from handover.api import register_api
    from handover.audit.views import bp as audit_bp
    from handover.defects.batch_views import bp as defect_lists_bp
    from handover.defects.contractor_views import bp as contractor_bp
    from handover.defects.plan_views import bp as plans_bp
    from handover.defects.views import bp as defects_bp
    from handover.fees.views import bp as fees_bp
    from handover.inspections.views import bp as inspections_bp
    from handover.jobs import runner as job_runner
    from handover.jobs.views import bp as jobs_bp
    from handover.keys.views import bp as keys_bp
    from handover.keys.views_desk import bp as key_desk_bp
    from handover.portal.views import bp as portal_bp
    from handover.projects.views import bp as projects_bp
    from handover.reporting.views import bp as reporting_bp
    from handover.risks.area_views import bp as risk_areas_bp
    from handover.risks.views import bp as risks_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(reporting_bp)
    app.register_blueprint(fees_bp)
    app.register_blueprint(defects_bp)
    app.register_blueprint(defect_lists_bp)
    app.register_blueprint(contractor_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(inspections_bp)
    app.register_blueprint(keys_bp)
    app.register_blueprint(key_desk_bp)
    app.register_blueprint(risks_bp)
    app.register_blueprint(risk_areas_bp)
    job_runner.init_app(app)
    register_api(app)


def register_request_hooks(app: Flask) -> None:
    from handover.accounts.access import enforce_access
    from handover.core.http import register_error_handlers

    app.before_request(enforce_access)
    register_error_handlers(app)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def register_cli(app: Flask) -> None:
    from handover.accounts.cli import users_cli
    from handover.demo import demo_data_command

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_data_command)


def register_template_helpers(app: Flask) -> None:
    from handover.core import filters

    filters.register(app)
