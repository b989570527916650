"""API: fee documents. The batch fee schedule (Excel), a unit's handover notice and a payment's
receipt (PDF), and a batch's notices as a background job."""
from flask import url_for
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.transactions import writes_on_get
from handover.api.schemas import ApiErrorSchema
from handover.extensions import db
from handover.fees import exports as fee_exports
from handover.fees import queries as fee_queries
from handover.jobs.api import accepted
from handover.jobs.models import Job
from handover.jobs.schemas import JobSchema
from handover.projects import queries as project_queries
from handover.reporting.files import send

blp = Blueprint("fee_documents_api", __name__, description="Fee documents: schedule, handover notices, receipts")


@blp.route("/batches/<int:batch_id>/fees.xlsx", methods=["GET"])
@requires("fees.view_overview")
@blp.response(200, description="the fee schedule (.xlsx), when the batch is small")
@blp.alt_response(202, schema=JobSchema, description="a large batch: poll the job at `Location`")
@blp.alt_response(404, schema=ApiErrorSchema)
def batch_fee_schedule(batch_id: int):
    """One row per unit: a column per fee line, total, paid, refunded, balance, settled; a totals row."""
    user = request_user()
    outcome = fee_exports.export_schedule(project_queries.get_batch(user, batch_id), actor=user)
    if isinstance(outcome, Job):
        db.session.commit()
        return accepted(outcome)
    return send(outcome)


@blp.route("/units/<int:unit_id>/notice.pdf", methods=["GET"])
@requires("fees.issue_notice")
@writes_on_get  # issues activation codes
@blp.response(200, description="the handover notice (PDF)")
@blp.alt_response(404, schema=ApiErrorSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="the buyer returned the unit")
@blp.alt_response(422, schema=ApiErrorSchema, description="the unit has no contract")
def unit_notice(unit_id: int):
    """The unit's handover notice with its fee statement. When the caller hands out activation
    codes (admin, sales, property), the primary owner's portal activation code is printed on the
    notice: the same code on every download until it is used or expires (issued on the first);
    a notice printed by finance carries no code and sends the owner to the service desk."""
    user = request_user()
    statement = fee_exports.notice_statement(project_queries.get_unit(user, unit_id))
    issued = fee_exports.issue_activations([statement.unit], actor=user)  # the accounts service, explicitly
    result = fee_exports.notice_pdf(statement, issued)
    db.session.commit()
    return send(result)


@blp.route("/batches/<int:batch_id>/notices", methods=["POST"])
@requires("fees.issue_notice")
@blp.response(202, JobSchema, description="poll the job at `Location`; its result is one PDF")
@blp.alt_response(404, schema=ApiErrorSchema)
def start_batch_notices(batch_id: int):
    """Start making every unit's handover notice (one PDF to print). When the caller hands out
    activation codes, every primary owner's code is printed (their live one, or a new one); units
    whose buyer returned them are left out."""
    user = request_user()
    job = fee_exports.start_notices(project_queries.get_batch(user, batch_id), actor=user)
    db.session.commit()
    return job, 202, {"Location": url_for("jobs_api.get_job", job_id=job.id, _external=True)}


@blp.route("/units/<int:unit_id>/fee-statement.pdf", methods=["GET"])
@requires("fees.view")
@blp.response(200, description="the fee statement for signature (费用结算确认单, PDF)")
@blp.alt_response(404, schema=ApiErrorSchema)
@blp.alt_response(422, schema=ApiErrorSchema, description="the unit has no contract")
def unit_fee_statement(unit_id: int):
    """The unit's fee statement for the buyers to sign: fee lines, payments and refunds, balance."""
    return send(fee_exports.fee_statement_pdf(project_queries.get_unit(request_user(), unit_id)))


@blp.route("/payments/<int:payment_id>/receipt.pdf", methods=["GET"])
@requires("fees.record_payment")
@blp.response(200, description="the receipt (PDF) with the amount in Chinese capitals")
@blp.alt_response(404, schema=ApiErrorSchema)
def payment_receipt(payment_id: int):
    """The receipt of one payment, refund or reversal."""
    return send(fee_exports.receipt_pdf(fee_queries.get_payment(request_user(), payment_id)))
