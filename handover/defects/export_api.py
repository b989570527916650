"""API: defect ledger (Excel) and defect lists (PDF), directly or through a background job."""
from flask import request, url_for
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.schemas import ApiErrorSchema
from handover.defects import exports
from handover.defects.schemas import DefectFilterArgsSchema
from handover.extensions import db
from handover.jobs.api import accepted
from handover.jobs.models import Job
from handover.jobs.schemas import JobSchema
from handover.projects import queries as project_queries
from handover.reporting.files import send

blp = Blueprint("defect_exports_api", __name__, description="Defect ledger and defect list exports")


@blp.route("/batches/<int:batch_id>/defects.xlsx", methods=["GET"])
@requires("defects.export")
@blp.arguments(DefectFilterArgsSchema, location="query")
@blp.response(200, description="the ledger (.xlsx), when it is small")
@blp.alt_response(202, schema=JobSchema, description="a large ledger: poll the job at `Location`")
@blp.alt_response(404, schema=ApiErrorSchema)
def batch_ledger(filters, batch_id: int):
    """The batch's defect ledger, one row per defect, filtered like the defect list."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    outcome = exports.export_ledger(batch, filters, actor=user)
    if isinstance(outcome, Job):
        db.session.commit()
        return accepted(outcome)
    return send(outcome)


@blp.route("/batches/<int:batch_id>/unit-defect-pdfs", methods=["POST"])
@requires("defects.export")
@blp.response(202, JobSchema, description="poll the job at `Location`; its result is a zip of PDFs")
@blp.alt_response(404, schema=ApiErrorSchema)
def start_unit_pdfs(batch_id: int):
    """Start making the defect list PDF of every unit in the batch (one zip)."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    job = exports.start_unit_pdfs(batch, actor=user)
    db.session.commit()
    return job, 202, {"Location": url_for("jobs_api.get_job", job_id=job.id, _external=True)}


@blp.route("/units/<int:unit_id>/defects.pdf", methods=["GET"])
@requires("defects.export")
@blp.response(200, description="the unit's defect list (PDF) with signature lines")
@blp.alt_response(404, schema=ApiErrorSchema)
def unit_defects_pdf(unit_id: int):
    """One unit's defect list as a PDF, for the owner and staff to sign."""
    return send(exports.unit_pdf(project_queries.get_unit(request_user(), unit_id),
                                 exports.stages_from(request.args.getlist("stage"))))
