"""Administrators browse the audit log."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from handover.accounts.permissions import requires
from handover.audit import labels
from handover.audit.models import AuditEntry
from handover.core.pagination import paginate
from handover.core.timeutil import local_tz
from handover.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")

ACTION_LABELS = {"create": _l("created"), "update": _l("changed"), "delete": _l("deleted")}


def _local_day_start(text: str) -> datetime | None:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.min, tzinfo=local_tz())


def filtered_entries(args) -> sa.Select:
    """The audit entries matching the page's filters, newest first."""
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if args.get("entity_type"):
        stmt = stmt.where(AuditEntry.entity_type == args["entity_type"])
    if args.get("entity_id", "").isdigit():
        stmt = stmt.where(AuditEntry.entity_id == int(args["entity_id"]))
    if args.get("actor"):
        stmt = stmt.where(AuditEntry.actor_name.like(f"%{args['actor']}%"))
    if args.get("action"):
        stmt = stmt.where(AuditEntry.action == args["action"])
    start = _local_day_start(args.get("date_from", ""))
    if start:
        stmt = stmt.where(AuditEntry.at >= start)
    end = _local_day_start(args.get("date_to", ""))
    if end:
        stmt = stmt.where(AuditEntry.at < end + timedelta(days=1))
    return stmt


@bp.get("/")
@requires("audit.view")
def index():
    """The audit log, filterable by record type, record id, actor, action and local date."""
    page = paginate(filtered_entries(request.args), request.args.get("page", 1, type=int), 50)
    types = list(db.session.scalars(sa.select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)))
    rows = [{"entry": entry, "changes": labels.readable_changes(entry), "record": labels.record_label(entry.entity_type),
             "url": labels.record_url(entry.entity_type, entry.entity_id, entry.changes) if entry.action != "delete" else None}
            for entry in page.items]
    return render_template("audit/index.html", page=page, rows=rows, types=types, args=request.args,
                           action_labels=ACTION_LABELS, record_label=labels.record_label)
