"""Handover (商品房交付管理系统): the application factory."""
from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session

from config import DEV_SECRET_KEY, load_config
from handover.core.numbers import BoundedIntConverter
from handover.core.transactions import install_sqlite_hooks
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
    _trust_proxies(app)
    app.url_map.converters["int"] = BoundedIntConverter  # before any route: ids fit 64 bits
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


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_COUNT reverse proxies, the client address, scheme and host come from their
    X-Forwarded-* headers; without a configured proxy those headers are ignored (anyone can
    send them)."""
    hops = int(app.config.get("PROXY_COUNT") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)


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
            install_sqlite_hooks(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True,
                     render_item=render_migration_item)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = None  # the server-side session row is the protection
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    limiter.init_app(app)
    from handover.api.openapi import api_spec_kwargs, use_error_shape

    use_error_shape(rest_api)
    rest_api.init_app(app, spec_kwargs=api_spec_kwargs())


def register_blueprints(app: Flask) -> None:
    from handover.accounts.views import bp as accounts_bp
    from handover.api import register_api
    from handover.audit.views import bp as audit_bp
    from handover.defects.batch_views import bp as defect_lists_bp
    from handover.defects.contractor_views import bp as contractor_bp
    from handover.defects.plan_views import bp as plans_bp
    from handover.defects.export_views import bp as defect_exports_bp
    from handover.defects.views import bp as defects_bp
    from handover.fees.receipt_views import bp as receipts_bp
    from handover.field.views import bp as field_bp
    from handover.fees.views import bp as fees_bp
    from handover.handovers.day_views import bp as handover_day_bp
    from handover.handovers.views import bp as handovers_bp
    from handover.inspections.views import bp as inspections_bp
    from handover.jobs import runner as job_runner
    from handover.jobs.views import bp as jobs_bp
    from handover.keys.views import bp as keys_bp
    from handover.keys.views_desk import bp as key_desk_bp
    from handover.portal.views import bp as portal_bp
    from handover.projects.views import bp as projects_bp
    from handover.risks.area_views import bp as risk_areas_bp
    from handover.risks.views import bp as risks_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(defect_exports_bp)
    app.register_blueprint(fees_bp)
    app.register_blueprint(receipts_bp)
    app.register_blueprint(handovers_bp)
    app.register_blueprint(handover_day_bp)
    app.register_blueprint(defects_bp)
    app.register_blueprint(defect_lists_bp)
    app.register_blueprint(contractor_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(inspections_bp)
    app.register_blueprint(keys_bp)
    app.register_blueprint(key_desk_bp)
    app.register_blueprint(risks_bp)
    app.register_blueprint(risk_areas_bp)
    app.register_blueprint(field_bp)
    job_runner.init_app(app)
    register_owner_voice(app)
    register_api(app)


def register_owner_voice(app: Flask) -> None:
    """Cases, notifications and surveys: their pages, and their listeners of domain events."""
    from handover.cases.views import bp as cases_bp
    from handover.notifications import listeners as notification_listeners
    from handover.notifications.views import bp as notifications_bp
    from handover.surveys import listeners as survey_listeners
    from handover.surveys.views import bp as surveys_bp

    app.register_blueprint(cases_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(surveys_bp)
    notification_listeners.connect()
    survey_listeners.connect()


def register_request_hooks(app: Flask) -> None:
    from handover.accounts.access import enforce_access
    from handover.core.http import register_error_handlers

    app.before_request(enforce_access)
    register_error_handlers(app)

    app.after_request(_security_headers)


#: scripts and styles come only from this site (no inline script: behaviours are data attributes
#: handled by static/js); inline style attributes stay allowed for computed positions and widths
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"


def _security_headers(response):
    """Headers on every answer: CSP, no framing, no sniffing, a strict referrer, HSTS in
    production; and caching: pages, API answers and documents hold personal data or money, so
    they are never stored (`no-store`); photos and signatures may stay in this browser only
    (`private`); static files keep Flask's defaults."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["ENV_NAME"] == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        if response.mimetype.startswith("image/"):
            response.cache_control.no_store = None
            response.cache_control.no_cache = None
            response.cache_control.public = None
            response.cache_control.private = True
        else:
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
            headers.pop("Pragma", None)
    return response


def register_cli(app: Flask) -> None:
    from handover.accounts.cli import users_cli
    from handover.core.backup import backup_command, restore_command
    from handover.demo import demo_data_command
    from handover.cases.cli import cases_cli
    from handover.jobs.cli import jobs_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def register_template_helpers(app: Flask) -> None:
    from handover.accounts.access import register_template_globals
    from handover.core import filters

    filters.register(app)
    register_template_globals(app)
