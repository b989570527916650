"""Contractor pages: the defects assigned to their company, nothing else.

The scoped queries keep them to their company's defects; another company's defect is 404.
They open a defect on the shared detail page, where the only action they get is "mark fixed".
"""
from flask import Blueprint, render_template, request

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.pagination import paginate
from handover.core.timeutil import today_local
from handover.defects import queries, rules
from handover.defects.models import Defect, DefectStatus

bp = Blueprint("contractor", __name__, url_prefix="/contractor")

PER_PAGE = 30
#: the tabs of the list: what is theirs to fix, what waits for re-inspection, and everything
TABS = {"to_fix": DefectStatus.ASSIGNED, "fixed": DefectStatus.FIXED, "all": None}


@bp.get("/defects")
@requires("defects.contractor_worklist")
def defects():
    """Their company's defects, soonest due first; overdue and reworked ones stand out."""
    user = request_user()
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "to_fix"
    stmt = queries.defects_query(user, queries.DefectFilters(status=TABS[tab]))
    stmt = stmt.order_by(None).order_by(Defect.due_date.is_(None), Defect.due_date, Defect.created_at, Defect.id)
    page = paginate(stmt, request.args.get("page", 1, type=int), PER_PAGE)
    today = today_local()
    overdue_ids = {d.id for d in page.items if rules.is_overdue(d.status, d.due_date, today)}
    return render_template("defects/contractor.html", contractor=user.contractor, page=page, tab=tab, tabs=TABS,
                           overdue_ids=overdue_ids)
