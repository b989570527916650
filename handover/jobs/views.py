"""Staff pages for background jobs: your recent jobs, one job's progress, its download."""
from flask import Blueprint, jsonify, redirect, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.jobs import service
from handover.jobs.models import JobStatus
from handover.web.forms import save

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

#: how often the job page asks for progress, in milliseconds
POLL_MS = 1500
KIND_LABELS = {"defect_ledger": _l("Defect ledger (Excel)"),
               "unit_defect_pdfs": _l("Defect lists of every unit (PDF)"),
               "fee_schedule": _l("Fee schedule (Excel)"),
               "handover_notices": _l("Handover notices of every unit (PDF)")}


@bp.app_context_processor
def _kind_labels():
    return {"job_kinds": KIND_LABELS}


@bp.get("/")
@requires("jobs.view")
def index():
    """The exports you started recently."""
    return render_template("jobs/index.html", jobs=service.recent_jobs(request_user()))


@bp.get("/<job_id>")
@requires("jobs.view")
def detail(job_id: str):
    """One job: progress while it runs, the download button once it has finished."""
    return render_template("jobs/detail.html", job=service.get_job(request_user(), job_id), poll_ms=POLL_MS)


@bp.get("/<job_id>/status")
@requires("jobs.view")
def status(job_id: str):
    """The job page polls this (the session's twin of GET /api/v1/jobs/<id>)."""
    job = service.get_job(request_user(), job_id)
    finished = job.status == JobStatus.FINISHED
    return jsonify({"id": job.id, "status": job.status.value, "status_label": job.status.label,
                    "progress": job.progress, "message": job.message,
                    "download_url": url_for("jobs.download", job_id=job.id) if finished else None})


@bp.get("/<job_id>/download")
@requires("jobs.view")
def download(job_id: str):
    job = service.get_job(request_user(), job_id)
    return send_file(service.result_file(job), as_attachment=True, download_name=job.result_name)


@bp.post("/<job_id>/restart")
@requires("jobs.restart")
def restart(job_id: str):
    """Start a failed job again; the page of the new job follows its progress."""
    job = save(lambda: service.restart(request_user(), job_id))
    return redirect(url_for("jobs.detail", job_id=job.id))
