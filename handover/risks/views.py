"""Risk pages: the register per batch, a risk with its actions, the guided self-check (A–H),
the statements library with its briefing sheet, and the readiness verdict.

A view parses the form, calls the service, commits once and redirects; a refusal rolls back
and is shown on the page. Buttons come from the transition table and the permission table.
"""
import io

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import can, requires
from handover.core import storage
from handover.core.errors import NotFound
from handover.core.timeutil import today_local
from handover.web.forms import attempt, save, submit
from handover.extensions import db
from handover.projects import queries as project_queries
from handover.risks import documents, queries, rules, service
from handover.risks.forms import (
    ActionForm,
    AnswerForm,
    EvidenceForm,
    OverrideForm,
    RiskForm,
    StartCheckForm,
    set_buildings,
)
from handover.risks.models import (
    CheckAnswer,
    RiskCategory,
    RiskEvidence,
    RiskSeverity,
    RiskStatus,
)

bp = Blueprint("risks", __name__)

PAGE_ACTIONS = ("plan", "resolve", "accept", "propose", "reopen")


def _batch(batch_id: int):
    return project_queries.get_batch(request_user(), batch_id)


def _may() -> dict[str, bool]:
    """What the signed-in user may do here, for the templates' buttons."""
    user = request_user()
    return {name: can(user, f"risks.{name}") for name in ("edit", "approve", "transfer", "areas", "area_defects")}


# --- overview and register -------------------------------------------------------------------

@bp.get("/risks/")
@requires("risks.view")
def index():
    """Every batch the user works on, with its readiness verdict."""
    batches = project_queries.list_batches(request_user())
    return render_template("risks/index.html", rows=[(b, queries.readiness(b)) for b in batches])


def _filters() -> queries.RiskFilters:
    args = request.args
    overdue = {"1": True, "0": False}.get(args.get("overdue", ""))
    return queries.RiskFilters(
        building_id=args.get("building_id", type=int), q=args.get("q") or None, overdue=overdue,
        status=RiskStatus(args["status"]) if args.get("status") in RiskStatus._value2member_map_ else None,
        category=RiskCategory(args["category"]) if args.get("category") in RiskCategory._value2member_map_ else None,
        severity=RiskSeverity(args["severity"]) if args.get("severity") in RiskSeverity._value2member_map_ else None)


@bp.get("/batches/<int:batch_id>/risks")
@requires("risks.view")
def register(batch_id: int):
    """The batch's risks with filters; overdue plans stand out."""
    batch = _batch(batch_id)
    risks = queries.risks_of(batch.id, _filters())
    today = today_local()
    return render_template("risks/register.html", batch=batch, risks=risks,
                           overdue_ids={r.id for r in risks if queries.risk_overdue(r, today)},
                           buildings=project_queries.buildings_of(batch), statuses=list(RiskStatus),
                           categories=list(RiskCategory), severities=rules.severity_order(), may=_may(),
                           args=request.args)


@bp.route("/batches/<int:batch_id>/risks/new", methods=["GET", "POST"])
@requires("risks.edit")
def new_risk(batch_id: int):
    """Record a risk; a self-check's "risk found" arrives here with the form pre-filled."""
    batch = _batch(batch_id)
    form = RiskForm(data=request.args.to_dict() if request.method == "GET" else None)
    set_buildings(form.building_id, project_queries.buildings_of(batch))
    outcome = submit(form, lambda: service.record_risk(batch, service.NewRisk(
        category=RiskCategory(form.category.data), title=form.title.data,
        severity=RiskSeverity(form.severity.data), description=form.description.data or "",
        department=form.department.data or "", building_id=form.building_id.building_id(),
        answer_id=form.answer_id.data), actor=request_user()), success=_("Risk recorded."))
    if outcome:
        risk = outcome.value
        check_id = request.args.get("check_id", type=int)
        if check_id:
            return redirect(url_for("risks.self_check", check_id=check_id, _anchor=f"cat-{risk.category.value}"))
        return redirect(url_for("risks.detail", risk_id=risk.id))
    return render_template("risks/form.html", batch=batch, form=form), 422 if form.errors else 200


# --- one risk --------------------------------------------------------------------------------

def _actions(risk) -> list[str]:
    may = _may()
    allowed = rules.RISK.allowed(risk.status)
    actions = [a for a in allowed if may["approve"] or rules.ACTION_PERMISSIONS[a] != "risks.approve"]
    actions = [a for a in actions if may["edit"] or a == "accept"]
    if "accept" in allowed and may["edit"] and not may["approve"]:
        actions.append("propose")
    return actions


@bp.get("/risks/<int:risk_id>")
@requires("risks.view")
def detail(risk_id: int):
    """A risk: what, where, its decision, evidence, history, and the actions possible now."""
    risk = queries.get_risk(request_user(), risk_id)
    return _detail_page(risk)


def _detail_page(risk, forms: dict | None = None, status: int = 200):
    actions = _actions(risk)
    forms = forms or {}
    for action in actions:
        forms.setdefault(action, ActionForm(formdata=None, prefix=action, version=risk.version,
                                            plan=risk.plan, plan_owner=risk.plan_owner or risk.department,
                                            due_date=risk.due_date, statement=risk.statement,
                                            compensation_plan=risk.compensation_plan))
    may = _may()
    return render_template("risks/detail.html", risk=risk, actions=actions, forms=forms,
                           labels=rules.ACTION_LABELS, overdue=queries.risk_overdue(risk), may=may,
                           evidence_form=EvidenceForm(), override_form=OverrideForm(),
                           can_override=may["approve"] and rules.is_blocking_open(risk.severity, risk.status,
                                                                                  risk.is_overridden)), status


@bp.post("/risks/<int:risk_id>/actions/<action>")
@requires("risks.edit")
def act(risk_id: int, action: str):
    """Apply one action from the risk's page (accepting needs a manager: the service checks)."""
    if action not in PAGE_ACTIONS:
        raise NotFound(_("Unknown action."))
    user = request_user()
    risk = queries.get_risk(user, risk_id)
    form = ActionForm(prefix=action)
    if not form.validate_on_submit():
        return _detail_page(risk, {action: form}, 400)

    def step():
        if action == "propose":
            return service.propose_acceptance(risk, statement=form.statement.data or "",
                                              compensation_plan=form.compensation_plan.data or "", actor=user)
        return service.act(risk, rules.RiskAct(action=action, plan=form.plan.data or "",
                                               plan_owner=form.plan_owner.data or "", due_date=form.due_date.data,
                                               note=form.note.data or "", statement=form.statement.data or "",
                                               compensation_plan=form.compensation_plan.data or ""),
                           actor=user, version=form.version.data)

    outcome = attempt(step, form=form, success=_("Saved: %(action)s.", action=rules.ACTION_LABELS[action]))
    if not outcome:
        return _detail_page(queries.get_risk(user, risk_id), {action: form}, outcome.error.status)
    return redirect(url_for("risks.detail", risk_id=risk.id))


@bp.post("/risks/<int:risk_id>/override")
@requires("risks.approve")
def override(risk_id: int):
    """A manager's written override of a blocking risk."""
    user = request_user()
    risk = queries.get_risk(user, risk_id)
    form = OverrideForm()
    if form.validate_on_submit():
        attempt(lambda: service.override_blocking(risk, reason=form.reason.data, actor=user),
                success=_("Override recorded."))
    else:
        flash(_("Write down the reason for the override."), "error")
    return redirect(url_for("risks.detail", risk_id=risk_id))


@bp.post("/risks/<int:risk_id>/evidence")
@requires("risks.edit")
def add_evidence(risk_id: int):
    """Attach a photo or a file to the risk."""
    user = request_user()
    risk = queries.get_risk(user, risk_id)
    form = EvidenceForm()
    upload = form.file.data if form.validate_on_submit() else None
    attempt(lambda: service.add_evidence(risk, filename=getattr(upload, "filename", "") or "", actor=user,
                                         content=upload.read() if upload else b"",
                                         content_type=getattr(upload, "mimetype", "") or ""),
            success=_("Evidence added."))
    return redirect(url_for("risks.detail", risk_id=risk_id, _anchor="evidence"))


@bp.get("/risk-evidence/<int:evidence_id>")
@requires("risks.view")
def evidence(evidence_id: int):
    item = db.session.get(RiskEvidence, evidence_id)
    if item is None:
        raise NotFound(_("Evidence not found."))
    queries.get_risk(request_user(), item.risk_id)  # scope
    inline = item.content_type.startswith("image/")
    return send_file(storage.resolve(item.path), mimetype=item.content_type, as_attachment=not inline,
                     download_name=item.filename)


# --- the guided self-check -------------------------------------------------------------------

@bp.post("/batches/<int:batch_id>/self-checks")
@requires("risks.edit")
def start_self_check(batch_id: int):
    """Start walking categories A–H for the batch or one building."""
    batch = _batch(batch_id)
    form = StartCheckForm()
    set_buildings(form.building_id, project_queries.buildings_of(batch))
    if not form.validate_on_submit():
        flash(_("The form has expired. Reload the page and try again."), "error")
        return redirect(url_for("risks.readiness", batch_id=batch_id))
    check = save(lambda: service.start_self_check(batch, building_id=form.building_id.building_id(),
                                                  actor=request_user()))
    return redirect(url_for("risks.self_check", check_id=check.id))


@bp.get("/self-checks/<int:check_id>")
@requires("risks.view")
def self_check(check_id: int):
    """The questions of categories A–H, each answered ok / risk found / not applicable."""
    check = queries.get_self_check(request_user(), check_id)
    answers = {a.question: a for a in check.answers}
    groups = [(c, rules.questions_of(c)) for c in RiskCategory]
    return render_template("risks/self_check.html", check=check, batch=_batch(check.batch_id), groups=groups, answers=answers, progress=queries.check_progress(check),
                           form=AnswerForm(), choices=list(CheckAnswer), may=_may())


@bp.post("/self-checks/<int:check_id>/answers")
@requires("risks.edit")
def answer(check_id: int):
    """Record one answer; "risk found" goes on to a risk form pre-filled from the question."""
    user = request_user()
    check = queries.get_self_check(user, check_id)
    form = AnswerForm()
    if not form.validate_on_submit() or form.answer.data not in CheckAnswer._value2member_map_:
        flash(_("The form has expired. Reload the page and try again."), "error")
        return redirect(url_for("risks.self_check", check_id=check_id))
    outcome = attempt(lambda: service.answer_question(check, form.question.data, CheckAnswer(form.answer.data),
                                                      actor=user))
    if not outcome:
        return redirect(url_for("risks.self_check", check_id=check_id))
    row = outcome.value
    question = rules.QUESTIONS_BY_CODE[row.question]
    if row.answer == CheckAnswer.RISK and row.risk_id is None:
        return redirect(url_for("risks.new_risk", batch_id=check.batch_id, category=question.category.value,
                                title=str(question.text), answer_id=row.id, check_id=check.id,
                                building_id=check.building_id or ""))
    return redirect(url_for("risks.self_check", check_id=check_id, _anchor=f"cat-{question.category.value}"))


# --- statements and readiness ----------------------------------------------------------------

@bp.get("/batches/<int:batch_id>/statements")
@requires("risks.view")
def statements(batch_id: int):
    """The agreed statements of accepted risks, searchable; prints as the handover-day briefing sheet."""
    batch = _batch(batch_id)
    q = request.args.get("q", "")
    return render_template("risks/statements.html", batch=batch, q=q, risks=queries.statements(batch.id, q))


@bp.get("/batches/<int:batch_id>/readiness")
@requires("risks.view")
def readiness(batch_id: int):
    """Ready or not ready, with the reasons, for the batch or one building."""
    batch = _batch(batch_id)
    building_id = request.args.get("building_id", type=int)
    buildings = project_queries.buildings_of(batch)
    if building_id and building_id not in {b.id for b in buildings}:
        raise NotFound(_("Building not found."))
    form = StartCheckForm(formdata=None, building_id=str(building_id or ""))
    set_buildings(form.building_id, buildings)
    return render_template("risks/readiness.html", batch=batch, buildings=buildings, building_id=building_id,
                           r=queries.readiness(batch, building_id), checks=queries.self_checks_of(batch.id),
                           start_form=form, may=_may(),
                           severity_labels={s.value: s.label for s in RiskSeverity})


# --- documents -------------------------------------------------------------------------------

@bp.get("/batches/<int:batch_id>/risks.xlsx")
@requires("risks.view")
def register_xlsx(batch_id: int):
    """The register as shown (same filters), as a spreadsheet."""
    batch = _batch(batch_id)
    content = documents.risk_register_xlsx(batch, queries.risks_of(batch.id, _filters()))
    return send_file(io.BytesIO(content), as_attachment=True, download_name=documents.register_file_name(batch),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/batches/<int:batch_id>/readiness.pdf")
@requires("risks.view")
def readiness_pdf(batch_id: int):
    """The readiness report of the batch (or `?building_id=`), for signing."""
    batch = _batch(batch_id)
    report = documents.gather_readiness(batch, request.args.get("building_id", type=int))
    return send_file(io.BytesIO(documents.readiness_pdf(report)), mimetype="application/pdf", as_attachment=True,
                     download_name=documents.readiness_file_name(batch))
