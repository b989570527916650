"""Pages: the staff case list and case page; the owner's cases in the portal (/my/cases)."""
from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import can, requires
from handover.cases import queries, rules, service
from handover.cases.forms import ActForm, CaseForm, ReplyForm, StaffCaseForm
from handover.cases.models import CaseKind, CasePhoto, CaseSeverity, CaseSource, CaseStatus
from handover.core import storage
from handover.core.transactions import writes_on_get
from handover.defects.forms import uploaded_files
from handover.extensions import db
from handover.projects import queries as project_queries
from handover.web.forms import attempt, submit

bp = Blueprint("cases", __name__)


def _filters() -> queries.CaseFilters:
    args = request.args
    status = args.get("status") or "open"
    kind = args.get("kind") if args.get("kind") in {k.value for k in CaseKind} else None
    return queries.CaseFilters(batch_id=args.get("batch_id", type=int), status=None if status == "all" else status,
                               kind=kind, overdue=True if args.get("overdue") == "1" else None,
                               escalated=args.get("escalated") == "1")


@bp.get("/cases")
@requires("cases.handle")
@writes_on_get  # the breach sweep may mark cases
def index():
    """Staff: the cases of their projects, overdue first, breaches standing out."""
    service.maybe_sweep()
    user = request_user()
    filters = _filters()
    if filters.status and filters.status not in {"open", *(s.value for s in CaseStatus)}:
        abort(404)
    cases = queries.list_cases(user, filters)
    return render_template("cases/index.html", cases=cases, filters=filters, breach=queries.breach_now,
                           stats=queries.dashboard(user, filters.batch_id), statuses=CaseStatus, kinds=CaseKind)


@bp.get("/cases/<int:case_id>")
@requires("cases.handle")
@writes_on_get
def detail(case_id: int):
    service.maybe_sweep()
    user = request_user()
    case = queries.get_case(user, case_id)
    return _detail_page(case, ReplyForm(formdata=None), ActForm(formdata=None))


def _detail_page(case, reply_form, act_form, status: int = 200):
    user = request_user()
    actions = [a for a in rules.CASE.allowed(case.status) if can(user, rules.ACTION_PERMISSIONS[a])
               and not (a == "to_defect" and (case.kind != CaseKind.REPAIR or case.defect_id))]
    return render_template("cases/detail.html", case=case, events=queries.events_for(case, user),
                           reply_form=reply_form, act_form=act_form, actions=actions, labels=rules.CASE,
                           breach=queries.breach_now(case)), status


@bp.post("/cases/<int:case_id>/act")
@requires("cases.handle")
def act(case_id: int):
    user = request_user()
    case = queries.get_case(user, case_id)
    form = ActForm()
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    if submit(form, lambda: service.act(case, form.action.data, actor=user, note=form.note.data or "",
                                        version=version), success=_("Saved.")):
        return redirect(url_for("cases.detail", case_id=case_id))
    return _detail_page(queries.get_case(user, case_id), ReplyForm(formdata=None), form, 422)


@bp.post("/cases/<int:case_id>/reply")
@requires("cases.handle")
def reply(case_id: int):
    user = request_user()
    case = queries.get_case(user, case_id)
    form = ReplyForm()
    if submit(form, lambda: service.reply(case, form.text.data, actor=user, internal=form.internal.data),
              success=_("Reply saved.")):
        return redirect(url_for("cases.detail", case_id=case_id))
    return _detail_page(queries.get_case(user, case_id), form, ActForm(formdata=None), 422)


@bp.route("/units/<int:unit_id>/cases/new", methods=["GET", "POST"])
@requires("cases.handle")
def record(unit_id: int):
    """Staff record a case received by phone, at the desk or on the open day."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    form = StaffCaseForm()
    done = submit(form, lambda: service.raise_case(unit, _new_case(form, staff=True), actor=user),
                  success=_("Case recorded."))
    if done:
        return redirect(url_for("cases.detail", case_id=done.value.id))
    return render_template("cases/new.html", form=form, unit=unit, action=url_for("cases.record", unit_id=unit.id)), \
        422 if form.errors else 200


def _new_case(form, *, staff: bool) -> service.NewCase:
    return service.NewCase(kind=CaseKind(form.kind.data), description=form.description.data or "",
                           category=form.category.data or "", severity=CaseSeverity(form.severity.data),
                           source=CaseSource(form.source.data) if staff else CaseSource.PORTAL,
                           major=bool(staff and form.major.data), group=bool(staff and form.group.data),
                           photos=[upload.read() for upload in uploaded_files(form.photos)])


@bp.get("/cases/photos/<int:photo_id>")
@requires("cases.view")
def photo(photo_id: int):
    found = db.session.get(CasePhoto, photo_id)
    if found is None:
        abort(404)
    queries.get_case(request_user(), found.case_id)  # 404 unless the user may see the case
    return send_file(storage.resolve(found.path))


# --- the owner's cases in the portal -----------------------------------------------------------

@bp.get("/my/cases")
@requires("portal.use")
def my_cases():
    user = request_user()
    return render_template("cases/portal_list.html", cases=queries.list_cases(user, queries.CaseFilters()),
                           units=project_queries.units_of_owner(user.owner_id))


@bp.route("/my/units/<int:unit_id>/cases/new", methods=["GET", "POST"])
@requires("portal.use")
def my_new_case(unit_id: int):
    """The owner reports a problem (with photos) for one of their own units."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    form = CaseForm()
    done = submit(form, lambda: service.raise_case(unit, _new_case(form, staff=False), actor=user),
                  success=_("Thank you: we have received your request."))
    if done:
        return redirect(url_for("cases.my_case", case_id=done.value.id))
    return render_template("cases/new.html", form=form, unit=unit, portal=True,
                           action=url_for("cases.my_new_case", unit_id=unit.id)), 422 if form.errors else 200


@bp.get("/my/cases/<int:case_id>")
@requires("portal.use")
def my_case(case_id: int):
    user = request_user()
    case = queries.get_case(user, case_id)
    return _my_case_page(case, ReplyForm(formdata=None))


def _my_case_page(case, form, status: int = 200):
    user = request_user()
    return render_template("cases/portal_case.html", case=case, events=queries.events_for(case, user), form=form,
                           act_form=ActForm(formdata=None), can_confirm=case.status == CaseStatus.RESOLVED,
                           can_reopen=case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)), status


@bp.post("/my/cases/<int:case_id>/reply")
@requires("portal.use")
def my_reply(case_id: int):
    user = request_user()
    case = queries.get_case(user, case_id)
    form = ReplyForm()
    if submit(form, lambda: service.reply(case, form.text.data, actor=user), success=_("Reply sent.")):
        return redirect(url_for("cases.my_case", case_id=case_id))
    return _my_case_page(queries.get_case(user, case_id), form, 422)


@bp.post("/my/cases/<int:case_id>/act")
@requires("portal.use")
def my_act(case_id: int):
    """The owner confirms the resolution (close) or reopens with a note."""
    user = request_user()
    case = queries.get_case(user, case_id)
    form = ActForm()
    if form.action.data not in rules.OWNER_ACTIONS:
        abort(400)
    attempt(lambda: service.act(case, form.action.data, actor=user, note=form.note.data or ""),
            success=_("Thank you."))
    return redirect(url_for("cases.my_case", case_id=case_id))
