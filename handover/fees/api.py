"""API: fee settings, unit statements, the payment ledger, return decisions, day-end.

Signing the handover is `handovers.api`."""
import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.schemas import ApiErrorSchema
from handover.core.errors import NotFound
from handover.extensions import db
from handover.fees import service
from handover.fees.models import Payment
from handover.fees.schemas import (ConversionInSchema, DayEndQuerySchema, DayEndRowSchema, FeeSettingsSchema,
                                   PaymentInSchema, PaymentSchema, ReturnDecisionInSchema, ReversalInSchema,
                                   StatementSchema)
from handover.fees.settlement import settlement_for
from handover.projects import queries as project_queries
from handover.projects.queries import scope_units
from handover.projects.models import Unit

blp = Blueprint("fees_api", __name__, description="Fee statements, payments and refunds")


@blp.route("/batches/<int:batch_id>/fee-settings", methods=["PUT"])
@requires("fees.configure")
@blp.arguments(FeeSettingsSchema)
@blp.response(200, FeeSettingsSchema)
def put_batch_fee_settings(data, batch_id: int):
    """Set the batch's fee terms (property fee rate and months, maintenance fund, deed tax, other charges)."""
    batch = project_queries.get_batch(request_user(), batch_id)
    row = service.set_fee_settings(batch, data)
    db.session.commit()
    return row


@blp.route("/units/<int:unit_id>/fee-settings", methods=["PUT"])
@requires("fees.configure")
@blp.arguments(FeeSettingsSchema)
@blp.response(200, FeeSettingsSchema)
def put_unit_fee_settings(data, unit_id: int):
    """Override the batch's fee terms for one unit; empty fields inherit from the batch."""
    unit = project_queries.get_unit(request_user(), unit_id)
    row = service.set_fee_settings(unit.batch, data, unit=unit)
    db.session.commit()
    return row


@blp.route("/units/<int:unit_id>/statement", methods=["GET"])
@requires("fees.view_statement")
@blp.response(200, StatementSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def get_statement(unit_id: int):
    """The unit's fee statement: every line with its basis, total, paid, refunded, balance."""
    return settlement_for(project_queries.get_unit(request_user(), unit_id))


@blp.route("/units/<int:unit_id>/payments", methods=["GET"])
@requires("fees.view_statement")
@blp.response(200, PaymentSchema(many=True))
def list_payments(unit_id: int):
    """Every payment, refund and reversal of the unit, oldest first."""
    unit = project_queries.get_unit(request_user(), unit_id)
    return list(db.session.scalars(sa.select(Payment).where(Payment.unit_id == unit.id).order_by(Payment.id)))


@blp.route("/units/<int:unit_id>/payments", methods=["POST"])
@requires("fees.record_payment")
@blp.arguments(PaymentInSchema)
@blp.response(201, PaymentSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="the receipt number is already used")
@blp.alt_response(422, schema=ApiErrorSchema, description="a negative amount, more than 2 decimals, not a number")
def create_payment(data, unit_id: int):
    """Record a payment or a refund. Entries are never changed or deleted: reverse them instead.

    A client that may resend sends an idempotency key (the `idempotency_key` field or the
    `Idempotency-Key` header): a resend returns the first entry and records nothing more."""
    unit = project_queries.get_unit(request_user(), unit_id)
    data["idempotency_key"] = data.get("idempotency_key") or request.headers.get("Idempotency-Key") or None
    payment = service.record_payment(unit, actor=request_user(), **data)
    db.session.commit()
    return payment


def _payment(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    visible = payment is not None and db.session.scalar(
        scope_units(sa.select(Unit.id).where(Unit.id == payment.unit_id), request_user()))
    if not visible:
        raise NotFound(_("Payment not found."))
    return payment


@blp.route("/payments/<int:payment_id>", methods=["GET"])
@requires("fees.record_payment")
@blp.response(200, PaymentSchema)
def get_payment(payment_id: int):
    """One ledger entry."""
    return _payment(payment_id)


@blp.route("/payments/<int:payment_id>/reversal", methods=["POST"])
@requires("fees.record_payment")
@blp.arguments(ReversalInSchema)
@blp.response(201, PaymentSchema)
@blp.alt_response(409, schema=ApiErrorSchema)
def reverse_payment(data, payment_id: int):
    """Correct a mistaken entry by appending its reversal."""
    reversal = service.reverse_payment(_payment(payment_id), actor=request_user(), **data)
    db.session.commit()
    return reversal


@blp.route("/units/<int:unit_id>/refund-conversion", methods=["POST"])
@requires("fees.record_payment")
@blp.arguments(ConversionInSchema)
@blp.response(201, PaymentSchema(many=True))
def convert_refund(data, unit_id: int):
    """Turn a refund owed to the buyer into prepaid property fee (one refund plus one payment)."""
    unit = project_queries.get_unit(request_user(), unit_id)
    entries = service.convert_refund_to_property_fee(unit, data["amount"], receipt_no=data["receipt_no"],
                                                     actor=request_user())
    db.session.commit()
    return list(entries)


@blp.route("/units/<int:unit_id>/return-decision", methods=["POST"])
@requires("fees.decide_return")
@blp.arguments(ReturnDecisionInSchema)
@blp.response(200, StatementSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="no return right, or already decided")
def post_return_decision(data, unit_id: int):
    """Record whether a buyer entitled to return the unit keeps it; a returned unit leaves the handover."""
    unit = project_queries.get_unit(request_user(), unit_id)
    service.record_return_decision(unit, data["keep"], actor=request_user())
    db.session.commit()
    return settlement_for(unit)


@blp.route("/payments/day-end", methods=["GET"])
@requires("fees.day_end")
@blp.arguments(DayEndQuerySchema, location="query")
@blp.response(200, DayEndRowSchema(many=True))
def day_end(args):
    """Net money received and refunded per method and operator on a local day."""
    user = request_user()
    batches = [b.id for b in project_queries.list_batches(user)]
    if args["batch_id"] is not None:
        project_queries.get_batch(user, args["batch_id"])
        batches = [args["batch_id"]]
    return service.day_end_totals(args["date"], batch_ids=batches)
