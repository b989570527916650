"""Staff pages for defect exports: the batch's export page, the ledger, the unit PDFs."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.defects import exports
from handover.defects.models import DefectStatus
from handover.defects.schemas import DefectFilterArgsSchema
from handover.extensions import db
from handover.jobs import service as jobs
from handover.jobs.models import Job
from handover.projects import queries as project_queries
from handover.projects.models import Contractor
from handover.reporting.files import send
from handover.web.forms import save

bp = Blueprint("defect_exports", __name__)


@bp.get("/batches/<int:batch_id>/exports")
@requires("defects.export")
def batch_exports(batch_id: int):
    """Choose filters for the defect ledger, or start the unit PDFs of the whole batch."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    contractors = list(db.session.scalars(sa.select(Contractor).order_by(Contractor.name)))
    return render_template("jobs/exports.html", batch=batch, buildings=project_queries.buildings_of(batch),
                           contractors=contractors, statuses=list(DefectStatus),
                           jobs=jobs.recent_jobs(user, limit=5))


@bp.get("/batches/<int:batch_id>/defects.xlsx")
@requires("defects.export")
def batch_ledger(batch_id: int):
    """The ledger itself when small; otherwise a job, and its progress page."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    args = {key: value for key, value in request.args.items() if value != ""}
    try:
        filters = DefectFilterArgsSchema(unknown=EXCLUDE).load(args)
    except ValidationError:
        flash(_("Some filter values are not valid."), "error")
        return redirect(url_for("defect_exports.batch_exports", batch_id=batch.id))
    outcome = save(lambda: exports.export_ledger(batch, filters, actor=user))
    if isinstance(outcome, Job):
        flash(_("The ledger is large: it is being prepared. Download it from this page when it is ready."), "info")
        return redirect(url_for("jobs.detail", job_id=outcome.id))
    return send(outcome)


@bp.post("/batches/<int:batch_id>/unit-defect-pdfs")
@requires("defects.export")
def start_unit_pdfs(batch_id: int):
    """Start the defect list PDFs of every unit in the batch; progress shows on the job page."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    job = save(lambda: exports.start_unit_pdfs(batch, actor=user))
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.get("/units/<int:unit_id>/defects.pdf")
@requires("defects.export")
def unit_defects_pdf(unit_id: int):
    """One unit's defect list with signature lines, opened in the browser to print."""
    return send(exports.unit_pdf(project_queries.get_unit(request_user(), unit_id),
                                 exports.stages_from(request.args.getlist("stage"))), attachment=False)
