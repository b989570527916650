"""Defects across a batch: the filtered list with bulk assignment, and the dashboard.

Both pages read the same combinable filters (building, status, category, room, contractor,
overdue, quick fix) from the query string, so a count on the dashboard links to its list.
"""
from dataclasses import replace

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import can, requires
from handover.core.pagination import paginate
from handover.core.timeutil import today_local
from handover.defects import counts, queries, rules, service
from handover.defects.forms import BulkAssignForm, contractor_choices
from handover.defects.models import DefectStatus
from handover.extensions import db
from handover.inspections import service as inspection_service
from handover.inspections.rules import DEFAULT_ROOMS
from handover.projects import queries as project_queries
from handover.projects.models import Batch
from handover.web.forms import attempt

bp = Blueprint("defect_lists", __name__)

DEFECTS_PER_PAGE = 30
FILTER_KEYS = ("building_id", "status", "category", "room", "contractor_id", "overdue", "quick_fix")


def _int(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _flag(name: str) -> bool | None:
    return {"1": True, "0": False}.get(request.args.get(name, ""))


def read_filters(batch: Batch) -> queries.DefectFilters:
    """The filters in the query string; unknown values are ignored rather than refused."""
    status = request.args.get("status", "")
    return queries.DefectFilters(
        batch_id=batch.id, building_id=_int("building_id"), contractor_id=_int("contractor_id"),
        status=DefectStatus(status) if status in DefectStatus._value2member_map_ else None,
        category=request.args.get("category", "").strip() or None, room=request.args.get("room", "").strip() or None,
        overdue=_flag("overdue"), quick_fix=_flag("quick_fix"),
    )


def active_filters() -> dict[str, str]:
    return {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}


def filter_choices(batch: Batch, filters: queries.DefectFilters) -> dict:
    """Options for the filter bar: the batch's buildings, statuses, checklist categories, rooms, contractors."""
    categories = list(dict.fromkeys(item.category for item in inspection_service.checklist_for()))
    rooms = list(DEFAULT_ROOMS)
    for chosen, options in ((filters.category, categories), (filters.room, rooms)):
        if chosen and chosen not in options:
            options.append(chosen)
    return {"buildings": project_queries.buildings_of(batch), "statuses": list(DefectStatus),
            "categories": categories, "rooms": rooms, "contractors": contractor_choices()}


@bp.get("/defects/")
@requires("defects.view_lists")
def index():
    """Choose a batch: its defect list or its dashboard."""
    return render_template("defects/index.html", batches=project_queries.list_batches(request_user()))


@bp.get("/batches/<int:batch_id>/defects")
@requires("defects.view_lists")
def batch_list(batch_id: int):
    """The batch's defects, filtered and paginated; overdue rows stand out; bulk assignment below."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    filters = read_filters(batch)
    page = paginate(queries.defects_query(user, filters), _int("page") or 1, DEFECTS_PER_PAGE)
    today = today_local()
    overdue_ids = {d.id for d in page.items if rules.is_overdue(d.status, d.due_date, today)}
    can_assign = can(user, "defects.assign")
    choices = filter_choices(batch, filters)
    bulk = BulkAssignForm(formdata=None, contractors=choices["contractors"]) if can_assign else None
    bulk_count = 0
    if can_assign:  # the page's own total when the scope is the list's; one COUNT otherwise, never a second sort
        bulk_scope = _bulk_scope(filters)
        bulk_count = page.total if bulk_scope == filters else queries.count_defects(user, bulk_scope)
    return render_template("defects/list.html", batch=batch, page=page, filters=filters, overdue_ids=overdue_ids,
                           active=active_filters(), bulk=bulk, bulk_count=bulk_count, **choices)


def _bulk_scope(filters: queries.DefectFilters) -> queries.DefectFilters:
    """Bulk assignment takes the defects matching the filters; with no status chosen, only those to assign."""
    if filters.status is not None:
        return filters
    return replace(filters, status=DefectStatus.OPEN)


@bp.post("/batches/<int:batch_id>/defects/bulk-assign")
@requires("defects.assign")
def bulk_assign(batch_id: int):
    """Assign every defect matching the list's filters to one contractor and due date."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    back = redirect(url_for("defect_lists.batch_list", batch_id=batch.id, **active_filters()))
    form = BulkAssignForm(contractors=contractor_choices())
    if not form.validate_on_submit():
        flash(_("The form could not be read. Reload the page and try again."), "error")
        return back
    defects = list(db.session.scalars(queries.defects_query(user, _bulk_scope(read_filters(batch)))))
    if not defects:
        flash(_("No defect to assign matches these filters."), "info")
        return back
    attempt(lambda: service.bulk_assign(defects, contractor_id=form.chosen_contractor(), due_date=form.due_date.data,
                                        actor=user, note=form.note.data or ""),
            success=lambda count: _("%(n)d defects assigned.", n=count))
    return back


@bp.get("/batches/<int:batch_id>/defects/dashboard")
@requires("defects.view_lists")
def dashboard(batch_id: int):
    """Counts by status, category, room, building and contractor; overdue, rework rate, quick fixes."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    filters = read_filters(batch)
    stats, counted_at = counts.dashboard(user, filters, lambda: queries.dashboard(user, filters))
    return render_template("defects/dashboard.html", batch=batch, filters=filters, active=active_filters(),
                           stats=stats, counted_at=counted_at,
                           counts_ttl=int(current_app.config.get("DEFECT_COUNTS_TTL", counts.DEFAULT_TTL)), rows=_breakdowns(stats), **filter_choices(batch, filters))


def _breakdowns(stats: dict) -> dict[str, list[tuple[str, str, int]]]:
    """Each breakdown as (filter value, label, count); an empty value is a row that cannot be filtered on."""
    return {
        "status": [(status.value, status.label, n) for status, n in stats["by_status"]],
        "category": [(key, key, n) for key, n in stats["by_category"]],
        "room": [(key, key, n) for key, n in stats["by_room"]],
        "building_id": [(str(key), _("Building %(b)s", b=name), n) if key else ("", _("Batch-wide public areas"), n)
                        for key, name, n in stats["by_building"]],
        "contractor_id": [(str(key) if key else "", name or _("Not assigned yet"), n)
                          for key, name, n in stats["by_contractor"]],
    }
