"""API: a background job's progress, and its file once finished (only for whoever started it)."""
from flask import send_file, url_for
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.schemas import ApiErrorSchema
from handover.extensions import db
from handover.jobs import service
from handover.jobs.models import Job
from handover.jobs.schemas import JobSchema

blp = Blueprint("jobs_api", __name__, description="Background jobs: progress and results")


@blp.route("/jobs/<job_id>", methods=["GET"])
@requires("jobs.view")
@blp.response(200, JobSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="no such job, or another user's")
def get_job(job_id: str):
    """Status and progress (0–100) of one of your jobs; `download_url` once it has finished."""
    return service.get_job(request_user(), job_id)


@blp.route("/jobs/<job_id>/download", methods=["GET"])
@requires("jobs.view")
@blp.response(200, description="the result file")
@blp.alt_response(404, schema=ApiErrorSchema, description="no such job, or another user's")
@blp.alt_response(409, schema=ApiErrorSchema, description="the job has not finished")
def download_job(job_id: str):
    """The file one of your finished jobs produced."""
    job = service.get_job(request_user(), job_id)
    return send_file(service.result_file(job), as_attachment=True, download_name=job.result_name)


def accepted(job: Job):
    """202 with the job, and its status URL in Location (for an export that became a job)."""
    location = url_for("jobs_api.get_job", job_id=job.id, _external=True)
    return JobSchema().dump(job), 202, {"Location": location}
@blp.route("/jobs/<job_id>/restart", methods=["POST"])
@requires("jobs.restart")
@blp.response(202, JobSchema, description="the new job; poll it at `Location`")
@blp.alt_response(404, schema=ApiErrorSchema, description="no such job, or another user's")
@blp.alt_response(409, schema=ApiErrorSchema, description="the job has not failed")
def restart_job(job_id: str):
    """Start one of your failed jobs again (for instance after its worker stopped), as a new job."""
    job = service.restart(request_user(), job_id)
    db.session.commit()
    return job, 202, {"Location": url_for("jobs_api.get_job", job_id=job.id, _external=True)}
