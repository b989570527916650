"""Finance pages: batch fee settings and overview, unit statements, payments, refunds and
reversals, return decisions, day-end, and the fee documents (notice, receipt, schedule).

Every figure comes from `fees.service`; a view parses the form, calls the service through the
form helper (`handover.web.forms`: commit once or roll back) and redirects; a refusal shows next
to the field it is about and in the summary at the top of the form.
"""
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.pagination import Page
from handover.core.timeutil import today_local
from handover.fees import queries, service
from handover.fees.forms import (ConversionForm, FeeSettingsForm, PaymentForm, ReturnDecisionForm, ReversalForm,
                                 rate_to_percent)
from handover.fees.models import PaymentKind, PaymentMethod, ReturnDecision
from handover.fees.settlement import LINE_NAMES
from handover.jobs.models import Job
from handover.projects import queries as project_queries
from handover.fees import exports as fee_exports
from handover.web.forms import attempt, save, submit

bp = Blueprint("fees", __name__)

ZERO = Decimal("0.00")
LINE_LABELS = LINE_NAMES


@bp.app_context_processor
def _fee_helpers():
    return {"line_labels": LINE_LABELS}


def _send(result, *, attachment: bool):
    return send_file(io.BytesIO(result.content), mimetype=result.mimetype, as_attachment=attachment,
                     download_name=result.name)


@bp.get("/fees/")
@requires("fees.view_overview")
def index():
    """The batches in the user's scope, each with its fee overview and settings."""
    return render_template("fees/index.html", batches=project_queries.list_batches(request_user()))


@bp.get("/batches/<int:batch_id>/fees")
@requires("fees.view_overview")
def batch_overview(batch_id: int):
    """Every unit's total, paid, balance and settled flag; `?unsettled=1` keeps the open ones."""
    batch = project_queries.get_batch(request_user(), batch_id)
    statements = queries.batch_statements(batch.id)
    unsettled = request.args.get("unsettled") == "1"
    shown = [s for s in statements if not s.settled] if unsettled else statements
    per_page = current_app.config["UNITS_PER_PAGE"]
    number = max(1, request.args.get("page", 1, type=int))
    page = Page(shown[(number - 1) * per_page:number * per_page], len(shown), number, per_page)
    return render_template("fees/batch.html", batch=batch, page=page, summary=queries.summarise(statements),
                           unsettled=unsettled, has_settings=queries.batch_settings(batch.id) is not None)


def _tidy(value: Decimal | None) -> Decimal | None:
    """3.2000 → 3.20 and 1.500000 → 1.5 for the form, without changing the value."""
    if value is None:
        return None
    cents = value.quantize(Decimal("0.01"))
    return cents if cents == value else value.normalize()


def _settings_data(row) -> dict:
    if row is None:
        return {}
    return {"property_fee_rate": _tidy(row.property_fee_rate), "prepay_months": row.prepay_months,
            "maintenance_fund_per_m2": row.maintenance_fund_per_m2,
            "maintenance_fund_percent": rate_to_percent(row.maintenance_fund_rate),
            "deed_tax_percent": rate_to_percent(row.deed_tax_rate),
            "other": [{"name": item["label"], "amount": Decimal(item["amount"])} for item in row.other or []],
            "settle_before_handover": [c for c in row.settle_before_handover or [] if c != "area_differential"]}


@bp.route("/batches/<int:batch_id>/fees/settings", methods=["GET", "POST"])
@requires("fees.configure")
def batch_settings(batch_id: int):
    """The batch's fee terms: property fee rate and months, maintenance fund, deed tax, other charges."""
    batch = project_queries.get_batch(request_user(), batch_id)
    existing = _settings_data(queries.batch_settings(batch.id))
    form = FeeSettingsForm(data=existing if request.method == "GET" else None)
    if request.method == "GET":
        while len(form.other) < len(existing.get("other", [])) + 2:
            form.other.append_entry()
    if submit(form, lambda: service.set_fee_settings(batch, form.values()),
              success=_("Fee settings saved. Every unit's statement now uses them."),
              field_aliases={"maintenance_fund_rate": "maintenance_fund_percent"}):
        return redirect(url_for("fees.batch_overview", batch_id=batch.id))
    return render_template("fees/settings.html", batch=batch, form=form)


def _statement_context(unit) -> dict:
    return {"unit": unit, **queries.statement_view(unit)}


@bp.get("/units/<int:unit_id>/statement")
@requires("fees.view")
def statement(unit_id: int):
    """The unit's fee statement: every line with its basis, totals, settled, the return right."""
    unit = project_queries.get_unit(request_user(), unit_id)
    return render_template("fees/statement.html", decision_form=ReturnDecisionForm(), **_statement_context(unit))


@bp.post("/units/<int:unit_id>/return-decision")
@requires("fees.decide_return")
def return_decision(unit_id: int):
    """Record whether a buyer entitled to return the unit keeps it."""
    unit = project_queries.get_unit(request_user(), unit_id)
    form = ReturnDecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose whether the buyer keeps or returns the unit."), "error")
        return redirect(url_for("fees.statement", unit_id=unit.id))
    decision = ReturnDecision(form.decision.data)
    attempt(lambda: service.record_return_decision(unit, decision == ReturnDecision.KEEP, actor=request_user()),
            success=_("Recorded: %(decision)s.", decision=decision.label))
    return redirect(url_for("fees.statement", unit_id=unit.id))


def _payments_page(unit, form: PaymentForm, conversion: ConversionForm):
    recorded = request.args.get("recorded", type=int)
    context = _statement_context(unit)
    new_entry = next((row.payment for row in context["ledger"] if row.payment.id == recorded), None)
    if conversion.amount.data is None and context["st"].balance < 0:
        conversion.amount.data = -context["st"].balance
    return render_template("fees/payments.html", form=form, conversion=conversion, new_entry=new_entry, **context)


@bp.route("/units/<int:unit_id>/payments", methods=["GET", "POST"])
@requires("fees.record_payment")
def payments(unit_id: int):
    """Record a payment or refund, and list the unit's ledger with a reversal per entry."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    form = PaymentForm()
    outcome = submit(form, lambda: service.record_payment(
        unit, kind=PaymentKind(form.kind.data), amount=form.amount.data, method=PaymentMethod(form.method.data),
        receipt_no=form.receipt_no.data, note=form.note.data or "", actor=user))
    if outcome:
        return redirect(url_for("fees.payments", unit_id=unit.id, recorded=outcome.value.id))
    return _payments_page(unit, form, ConversionForm(formdata=None))


@bp.post("/units/<int:unit_id>/refund-conversion")
@requires("fees.record_payment")
def refund_conversion(unit_id: int):
    """Turn a refund owed to the buyer into prepaid property fee (one refund plus one payment)."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    form = ConversionForm()
    outcome = submit(form, lambda: service.convert_refund_to_property_fee(unit, form.amount.data,
                                                                          receipt_no=form.receipt_no.data, actor=user))
    if outcome:
        _refund, payment = outcome.value
        return redirect(url_for("fees.payments", unit_id=unit.id, recorded=payment.id))
    return _payments_page(unit, PaymentForm(formdata=None), form)


@bp.route("/payments/<int:payment_id>/reversal", methods=["GET", "POST"])
@requires("fees.record_payment")
def reversal(payment_id: int):
    """Confirm and record the reversal of a mistaken entry; it needs its own receipt number."""
    user = request_user()
    payment = queries.get_payment(user, payment_id)
    form = ReversalForm()
    outcome = submit(form, lambda: service.reverse_payment(payment, receipt_no=form.receipt_no.data,
                                                           note=form.note.data or "", actor=user))
    if outcome:
        return redirect(url_for("fees.payments", unit_id=payment.unit_id, recorded=outcome.value.id))
    row = next(row for row in queries.ledger_of(payment.unit_id) if row.payment.id == payment.id)
    return render_template("fees/reversal.html", row=row, unit=payment.unit, form=form)


@bp.get("/payments/<int:payment_id>/receipt.pdf")
@requires("fees.record_payment")
def receipt(payment_id: int):
    """The entry's receipt with the amount in capitals, opened in the browser to print."""
    return _send(fee_exports.receipt_pdf(queries.get_payment(request_user(), payment_id)), attachment=False)


@bp.get("/units/<int:unit_id>/fee-statement.pdf")
@requires("fees.view")
def fee_statement(unit_id: int):
    """费用结算确认单: the unit's settled fees for the buyers to sign, opened in the browser to print."""
    return _send(fee_exports.fee_statement_pdf(project_queries.get_unit(request_user(), unit_id)), attachment=False)


@bp.post("/units/<int:unit_id>/notice.pdf")
@requires("fees.issue_notice")
def notice(unit_id: int):
    """Issue the unit's handover notice; staff who hand out activation codes get the primary
    owner's code printed on it, the same on every print until used or expired (others print it
    without a code)."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)

    def issue():
        statement = fee_exports.notice_statement(unit)
        issued = fee_exports.issue_activations([unit], actor=user)  # the accounts service, explicitly
        return fee_exports.notice_pdf(statement, issued)

    outcome = attempt(issue)
    if not outcome:
        return redirect(url_for("fees.statement", unit_id=unit.id))
    return _send(outcome.value, attachment=True)


@bp.post("/batches/<int:batch_id>/notices")
@requires("fees.issue_notice")
def batch_notices(batch_id: int):
    """Start every unit's handover notice (one PDF); progress shows on the job page."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    job = save(lambda: fee_exports.start_notices(batch, actor=user))
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.get("/batches/<int:batch_id>/fees.xlsx")
@requires("fees.view_overview")
def batch_schedule(batch_id: int):
    """The batch's fee schedule (Excel); a large batch is prepared in the background."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    outcome = save(lambda: fee_exports.export_schedule(batch, actor=user))
    if isinstance(outcome, Job):
        flash(_("The schedule is large: it is being prepared. Download it from this page when it is ready."),
              "info")
        return redirect(url_for("jobs.detail", job_id=outcome.id))
    return _send(outcome, attachment=True)


def _day_arg() -> date:
    text = request.args.get("date", "").strip()
    if not text:
        return today_local()
    try:
        return date.fromisoformat(text)
    except ValueError:
        flash(_("That is not a date; showing today."), "error")
        return today_local()


def _method_totals(rows: list[dict]) -> list[dict]:
    totals: dict = defaultdict(lambda: {"received": ZERO, "refunded": ZERO, "count": 0})
    for row in rows:
        entry = totals[row["method"]]
        entry["received"] += row["received"]
        entry["refunded"] += row["refunded"]
        entry["count"] += row["count"]
    return [{"method": method, **values} for method, values in totals.items()]


@bp.get("/fees/day-end")
@requires("fees.day_end")
def day_end():
    """Money received and refunded on a day, by method and operator, for finance's day-end check."""
    user = request_user()
    batches = project_queries.list_batches(user)
    day, batch_id = _day_arg(), request.args.get("batch_id", type=int)
    batch_ids = [project_queries.get_batch(user, batch_id).id] if batch_id else [b.id for b in batches]
    rows = service.day_end_totals(day, batch_ids=batch_ids)
    methods = _method_totals(rows)
    grand = {key: sum((m[key] for m in methods), ZERO) for key in ("received", "refunded")}
    return render_template("fees/day_end.html", day=day, batches=batches, batch_id=batch_id, rows=rows,
                           methods=methods, grand=grand, count=sum(m["count"] for m in methods))
