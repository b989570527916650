"""Job use cases: enqueue a long piece of work, look at it, wait for it, fetch its result.

`enqueue` only adds the Job row (flush, no commit). The job is handed to the runner once the
boundary commits, so a request that rolls back starts nothing, and a worker never looks for
a row that is not committed yet.
"""
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from handover.accounts.models import User
from handover.core import storage
from handover.core.errors import Conflict, NotFound
from handover.core.timeutil import now_utc
from handover.extensions import db
from handover.jobs import runner
from handover.jobs.models import Job, JobStatus

_PENDING = "pending_jobs"
DONE = (JobStatus.FINISHED, JobStatus.FAILED)


def enqueue(kind: str, params: dict, *, actor: User) -> Job:
    """Record a queued job of `kind`; it starts after the current transaction commits.

    The enqueuing request's address and language travel in the params, so links and labels in
    the result match what the user would have got from a direct download.
    """
    if kind not in runner.JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    params = dict(params)
    if has_request_context():
        params.setdefault("base_url", request.host_url)
        params.setdefault("locale", str(get_locale()))
    job = Job(id=str(uuid.uuid4()), kind=kind, params=params, status=JobStatus.QUEUED, progress=0,
              created_by_id=actor.id, created_at=now_utc())
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append((current_app._get_current_object(), job.id))
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_committed(session: Session) -> None:
    for app, job_id in session.info.pop(_PENDING, []):
        runner.dispatch(app, job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def get_job(user: User, job_id: str) -> Job:
    """A job of this user's; anyone else's answers NotFound, like a job that does not exist."""
    job = db.session.get(Job, str(job_id))
    if job is None or job.created_by_id != user.id:
        raise NotFound(_("Job not found."))
    return job


def result_file(job: Job) -> Path:
    """The finished job's file. Raises Conflict while it runs, NotFound if the file is gone."""
    if job.status != JobStatus.FINISHED or not job.result_path:
        raise Conflict(_("The file is not ready yet."), details={"status": job.status.value})
    path = storage.resolve(job.result_path)
    if not path.is_file():
        raise NotFound(_("The file of this job no longer exists."))
    return path


def recent_jobs(user: User, limit: int = 20) -> list[Job]:
    return list(db.session.scalars(sa.select(Job).where(Job.created_by_id == user.id)
                                   .order_by(Job.created_at.desc()).limit(limit)))


def wait_for(job_id: str, timeout: float = 60.0, interval: float = 0.05) -> Job:
    """Block until the job has finished or failed (tests, CLI). Raises TimeoutError.

    Ends the session's transaction on each look, so the worker can write meanwhile: SQLite
    lets one writer in at a time, and an open transaction here would keep it out.
    """
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        job = db.session.get(Job, str(job_id), populate_existing=True)
        if job is None:
            raise NotFound(_("Job not found."))
        db.session.expunge(job)  # loaded and detached: reading it needs no transaction
        db.session.rollback()
        if job.status in DONE:
            return job
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} still {job.status.value} after {timeout} s")
        time.sleep(interval)
