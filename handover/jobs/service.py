"""Job use cases: enqueue a long piece of work, look at it, wait for it, fetch its result.

`enqueue` only adds the Job row (flush, no commit). The job is handed to the runner once the
boundary commits, so a request that rolls back starts nothing, and a worker never looks for
a row that is not committed yet. (From a read-only SQLite transaction, a GET, the row is written
in a short transaction of its own; if that request then fails, the job is never started and the
sweeper marks it failed.)

`sweep` ends jobs whose worker died (their heartbeat stopped), and removes old result files.
It runs on the job pages and API (at most every JOB_SWEEP_INTERVAL_SECONDS per process) and as
`flask --app handover jobs sweep` (for cron). A failed job can be started again (`restart`).
"""
import logging
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from handover.accounts.models import User
from handover.core import storage, transactions
from handover.core.errors import Conflict, NotFound
from handover.core.timeutil import now_utc
from handover.extensions import db
from handover.jobs import runner
from handover.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

_PENDING = "pending_jobs"
_WRITTEN_APART = "jobs_written_apart"
_LAST_SWEEP = "handover.jobs.last_sweep"
_sweep_lock = threading.Lock()
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
    values = {"id": str(uuid.uuid4()), "kind": kind, "params": params, "status": JobStatus.QUEUED,
              "progress": 0, "created_by_id": actor.id, "created_at": now_utc()}
    if transactions.session_is_reading(db.session()):
        # a GET (a large export) on SQLite: the request reads in a deferred transaction, which
        # SQLite will not turn into a write while someone else writes. The row goes in a short
        # write transaction of its own; the job still starts only when the request commits.
        with transactions.writing(), db.engine.begin() as conn:
            conn.execute(sa.insert(Job).values(**values))
        job = Job(**values)  # the answer's copy; the request's snapshot predates the row
        db.session.info.setdefault(_WRITTEN_APART, []).append(job.id)
    else:
        job = Job(**values)
        db.session.add(job)
        db.session.flush()
    db.session.info.setdefault(_PENDING, []).append((current_app._get_current_object(), job.id))
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_committed(session: Session) -> None:
    session.info.pop(_WRITTEN_APART, None)
    for app, job_id in session.info.pop(_PENDING, []):
        runner.dispatch(app, job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
    apart = session.info.pop(_WRITTEN_APART, None)
    if apart:  # rows written in their own transaction go with the request that rolled back
        with transactions.writing(), session.get_bind().connect() as conn:
            conn.execute(sa.delete(Job).where(Job.id.in_(apart), Job.status == JobStatus.QUEUED))
            conn.commit()


def get_job(user: User, job_id: str) -> Job:
    """A job of this user's; anyone else's answers NotFound, like a job that does not exist."""
    maybe_sweep()
    job = db.session.get(Job, str(job_id))
    if job is None or job.created_by_id != user.id:
        raise NotFound(_("Job not found."))
    return job


def result_file(job: Job) -> Path:
    """The finished job's file. Raises Conflict while it runs, NotFound if the file is gone."""
    if job.status != JobStatus.FINISHED:
        raise Conflict(_("The file is not ready yet."),
                       details=[{"field": "status", "message": job.status.value}])
    path = storage.resolve(job.result_path) if job.result_path else None
    if path is None or not path.is_file():
        raise NotFound(_("The file of this job no longer exists."))
    return path


def restart(user: User, job_id: str) -> Job:
    """Start a failed job of this user's again, as a new job with the same kind and parameters.
    Raises NotFound for someone else's job, Conflict unless the job failed."""
    job = get_job(user, job_id)
    if job.status != JobStatus.FAILED:
        raise Conflict(_("Only a failed job can be started again."),
                       details=[{"field": "status", "message": job.status.value}])
    return enqueue(job.kind, dict(job.params or {}), actor=user)


def recent_jobs(user: User, limit: int = 20) -> list[Job]:
    maybe_sweep()
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
        with transactions.reading():
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


@dataclass(frozen=True)
class SweepReport:
    stopped: list[str]  # running jobs whose heartbeat stopped, now failed
    never_started: list[str]  # queued jobs nobody picked up, now failed
    files_removed: int  # result folders removed for their age


def _stopped_message(params: dict | None) -> str:
    with force_locale((params or {}).get("locale") or "zh_Hans_CN"):
        return _("The worker running this job stopped. Start the job again.")


def _never_started_message(params: dict | None) -> str:
    with force_locale((params or {}).get("locale") or "zh_Hans_CN"):
        return _("No worker picked up this job. Start the job again.")


def sweep(now=None) -> SweepReport:
    """Mark failed the running jobs whose heartbeat stopped and the queued jobs nobody started,
    and remove result folders older than JOB_FILES_MAX_AGE_DAYS.

    Works in short transactions of its own (a GET request may call it), so whatever the caller's
    session has open is left alone.
    """
    config = current_app.config
    now = now or now_utc()
    stale_before = now - timedelta(seconds=config["JOB_STALE_AFTER_SECONDS"])
    unstarted_before = now - timedelta(seconds=config["JOB_QUEUED_STALE_AFTER_SECONDS"])
    expired_before = now - timedelta(days=config["JOB_FILES_MAX_AGE_DAYS"])
    beat = sa.func.coalesce(Job.heartbeat_at, Job.created_at)
    stopped, never_started, removed = [], [], 0
    with transactions.reading(), db.engine.connect() as conn:
        dead = conn.execute(sa.select(Job.id, Job.params).where(Job.status == JobStatus.RUNNING,
                                                                beat < stale_before)).all()
        waiting = conn.execute(sa.select(Job.id, Job.params).where(Job.status == JobStatus.QUEUED,
                                                                   Job.created_at < unstarted_before)).all()
        expired = conn.execute(sa.select(Job.id).where(Job.status.in_(DONE), Job.finished_at < expired_before,
                                                       Job.result_path.is_not(None))).scalars().all()
    folder = config["UPLOAD_FOLDER"]
    for rows, status, condition, message, found in (
            (dead, JobStatus.RUNNING, beat < stale_before, _stopped_message, stopped),
            (waiting, JobStatus.QUEUED, Job.created_at < unstarted_before, _never_started_message, never_started)):
        for job_id, params in rows:
            with transactions.writing(), db.engine.begin() as conn:
                # checked again as it is written: a heartbeat that came meanwhile keeps the job
                changed = conn.execute(sa.update(Job).where(Job.id == job_id, Job.status == status, condition)
                                       .values(status=JobStatus.FAILED, finished_at=now,
                                               message=message(params)[:255])).rowcount
            if changed:
                shutil.rmtree(runner.job_dir(job_id, folder), ignore_errors=True)
                found.append(job_id)
                log.warning("job %s marked failed: %s", job_id, "heartbeat stopped" if status == JobStatus.RUNNING
                            else "never started")
    for job_id in expired:
        shutil.rmtree(runner.job_dir(job_id, folder), ignore_errors=True)
        with transactions.writing(), db.engine.begin() as conn:
            conn.execute(sa.update(Job).where(Job.id == job_id).values(result_path=None))
        removed += 1
    return SweepReport(stopped=stopped, never_started=never_started, files_removed=removed)


def maybe_sweep() -> None:
    """Sweep at most once per JOB_SWEEP_INTERVAL_SECONDS in this process (the first time at once).
    If it changed anything, the caller's read transaction starts afresh so it sees the change."""
    interval = current_app.config["JOB_SWEEP_INTERVAL_SECONDS"]
    with _sweep_lock:
        last = current_app.extensions.get(_LAST_SWEEP)
        if last is not None and time.monotonic() - last < interval:
            return
        current_app.extensions[_LAST_SWEEP] = time.monotonic()
    try:
        report = sweep()
    except Exception:  # a sweep that fails must not break the page that asked
        log.exception("job sweep failed")
        return
    if (report.stopped or report.never_started or report.files_removed) and not (
            db.session.new or db.session.dirty or db.session.deleted):
        db.session.rollback()  # a new snapshot: the jobs just swept show as failed
