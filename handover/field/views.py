"""The offline field client's page, its service worker and manifest, and its API token."""
from flask import Blueprint, current_app, jsonify, render_template, send_from_directory
from flask_wtf.csrf import generate_csrf

from handover.accounts import service as account_service
from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.access import public
from handover.web.forms import save
from handover.projects import queries as project_queries

bp = Blueprint("field", __name__, url_prefix="/field")


def _static_field():
    return current_app.static_folder + "/field"


@bp.get("/")
@requires("defects.create")
def index():
    """The app shell: no personal data in it (the service worker keeps a copy for offline use)."""
    response = current_app.make_response(render_template("field/index.html"))
    response.headers["X-Field-Shell"] = "1"
    return response


@bp.get("/session")
@requires("defects.create")
def session_info():
    """Who is signed in, the batches they may take offline, and a CSRF token for /field/token."""
    user = request_user()
    batches = [{"id": b.id, "name": b.name, "project": b.project.name,
                "buildings": [{"id": x.id, "name": x.name} for x in project_queries.buildings_of(b)]}
               for b in project_queries.list_batches(user)]
    return jsonify({"user": {"id": user.id, "name": user.name}, "csrf": generate_csrf(), "batches": batches})


@bp.post("/token")
@requires("defects.create")
def token():
    """An API token for the signed-in user's tablet (CSRF-checked: the header X-CSRFToken)."""
    raw, row = save(lambda: account_service.issue_api_token(request_user()))
    return jsonify({"token": raw, "expires_at": row.expires_at.isoformat(), "user_id": request_user().id})


@bp.get("/sw.js")
@public
def service_worker():
    """The Workbox service worker (built by `make field-client`), scoped to /field/."""
    response = send_from_directory(_static_field(), "sw.js", mimetype="application/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
@public
def manifest():
    """The web app manifest: the tablet installs the client from it."""
    return send_from_directory(_static_field(), "manifest.webmanifest", mimetype="application/manifest+json")
