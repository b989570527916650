"""Response schema of the jobs API (it also feeds the OpenAPI document)."""
from flask import url_for
from marshmallow import Schema, fields

from handover.jobs.models import JobStatus


def _download_url(job) -> str | None:
    if job.status != JobStatus.FINISHED:
        return None
    return url_for("jobs_api.download_job", job_id=job.id, _external=True)


class JobSchema(Schema):
    id = fields.String(required=True)
    kind = fields.String()
    status = fields.Enum(JobStatus, by_value=True)
    status_label = fields.Function(lambda job: job.status.label)
    progress = fields.Integer(metadata={"description": "0–100"})
    message = fields.String()
    result_name = fields.String(allow_none=True)
    download_url = fields.Function(_download_url, allow_none=True,
                                   metadata={"type": "string", "description": "set once the job has finished"})
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
