"""Runs queued jobs outside the request that asked for them.

Three ways, chosen by configuration:
- `JOB_QUEUE = "thread"` (the embedded default): a small thread pool in the web process;
- `JOB_QUEUE = "rq"` with `REDIS_URL`: RQ on Redis, executed by `rq worker handover`;
- `JOB_INLINE = True`: at once, in the committing thread (for tests that want no threads).

Whichever runs it, `run_job` marks the job running, calls its kind's function in a request
context built from the enqueuing request (absolute URLs, language), and marks it finished with
its result file, or failed with a message. The result lives in UPLOAD_FOLDER/jobs/<id>/.

While a job runs, a small thread writes its heartbeat every JOB_HEARTBEAT_SECONDS. A worker
that dies (kill -9, a lost container) stops the heartbeat, and `service.sweep` marks the job
failed so it can be started again, instead of leaving it "running" for ever.

On SQLite the job reads in a plain (deferred) transaction, so a long export never holds the
write lock; its own bookkeeping (claim, progress, heartbeat, finish) is written in short
transactions of their own. Kinds listed in WRITING_KINDS write domain rows as they go, and
begin their transactions as writers.
"""
import importlib
import logging
import os
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from handover.accounts.models import User
from handover.core import transactions
from handover.core.errors import DomainError
from handover.core.timeutil import now_utc
from handover.extensions import db
from handover.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

#: kind → "module:function"; the function takes a JobContext and returns (result path, download name)
JOB_KINDS: dict[str, str] = {
    "defect_ledger": "handover.defects.exports:ledger_job",
    "unit_defect_pdfs": "handover.defects.exports:unit_pdfs_job",
    "fee_schedule": "handover.fees.exports:schedule_job",
    "handover_notices": "handover.fees.exports:notices_job",
    "key_tags": "handover.keys.exports:tags_job",
}
#: kinds whose function writes domain rows (not only its file): their transactions begin as writers
WRITING_KINDS: set[str] = {"handover_notices"}
_EXTENSION_KEY = "handover.jobs"
_RUNNING_KEY = "handover.jobs.running"
_executor_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Job settings with their defaults; the environment can set the deployment-specific ones."""
    app.config.setdefault("JOB_QUEUE", os.environ.get("JOB_QUEUE", "thread"))
    app.config.setdefault("REDIS_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    app.config.setdefault("JOB_RQ_QUEUE", os.environ.get("JOB_RQ_QUEUE", "handover"))
    app.config.setdefault("JOB_INLINE", False)
    app.config.setdefault("JOB_WORKERS", 1)
    app.config.setdefault("JOB_TIMEOUT_SECONDS", 3600)
    app.config.setdefault("JOB_HEARTBEAT_SECONDS", 10)
    app.config.setdefault("JOB_STALE_AFTER_SECONDS", 60)
    app.config.setdefault("JOB_QUEUED_STALE_AFTER_SECONDS", 6 * 3600)
    app.config.setdefault("JOB_FILES_MAX_AGE_DAYS", 7)
    app.config.setdefault("JOB_SWEEP_INTERVAL_SECONDS", 30)


@dataclass
class JobContext:
    """What a job function gets: its parameters, who asked, where to write, how to report progress."""

    job_id: str
    params: dict
    actor: User
    out_dir: Path
    #: what the finished job tells the user besides its file (e.g. which items could not be made)
    message: str = ""
    _reported: int = field(default=-1, repr=False)

    def say(self, message: str) -> None:
        """Tell the user what the running job is doing now (shown on the job page while it runs)."""
        record(self.job_id, message=message[:255], heartbeat_at=now_utc())

    def progress(self, done: int, total: int) -> None:
        """Record progress when the whole percentage changes, in its own short transaction."""
        percent = min(99, done * 100 // total) if total else 99
        if percent == self._reported:
            return
        self._reported = percent
        record(self.job_id, progress=percent, heartbeat_at=now_utc())


def record(job_id: str, **values) -> None:
    """Write bookkeeping columns of a job in a short transaction of its own, so a job that is
    reading (a long deferred transaction on SQLite) never has to turn its read into a write."""
    if transactions.session_holds_write_lock(db.session()):
        # another connection would wait for the lock this session holds: write through it
        db.session.execute(sa.update(Job).where(Job.id == job_id).values(**values))
        db.session.commit()
        return
    with transactions.writing(), db.engine.begin() as conn:
        conn.execute(sa.update(Job).where(Job.id == job_id).values(**values))


class Heartbeat:
    """A daemon thread that stamps `heartbeat_at` of a running job every `interval` seconds."""

    def __init__(self, engine, job_id: str, interval: float):
        self.engine, self.job_id, self.interval = engine, job_id, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"handover-heartbeat-{job_id[:8]}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                with transactions.writing(), self.engine.begin() as conn:
                    conn.execute(sa.update(Job).where(Job.id == self.job_id, Job.status == JobStatus.RUNNING)
                                 .values(heartbeat_at=now_utc()))
            except Exception:  # a busy database skips one beat; the next one tries again
                log.warning("job %s: heartbeat not written", self.job_id, exc_info=True)


def dispatch(app: Flask, job_id: str) -> None:
    """Hand a committed job to whatever runs jobs here; if that fails (Redis down), the job is
    marked failed rather than left waiting for ever."""
    try:
        if app.config["JOB_INLINE"]:
            run_in_app(app, job_id)
        elif app.config["JOB_QUEUE"] == "rq":
            _rq_queue(app).enqueue(run_rq_job, job_id, job_id=job_id,
                                   job_timeout=app.config["JOB_TIMEOUT_SECONDS"])
        else:
            _track(app, _executor(app).submit(run_in_app, app, job_id))
    except Exception:
        log.exception("job %s could not be queued", job_id)
        with app.app_context():  # a fresh session: the committing one cannot run SQL now
            _finish(job_id, JobStatus.FAILED, message=_("The job could not be started. Try again later."))


def _executor(app: Flask) -> ThreadPoolExecutor:
    with _executor_lock:
        executor = app.extensions.get(_EXTENSION_KEY)
        if executor is None:
            executor = app.extensions[_EXTENSION_KEY] = ThreadPoolExecutor(
                max_workers=app.config["JOB_WORKERS"], thread_name_prefix="handover-job")
    return executor


def _track(app: Flask, future: Future) -> None:
    running = app.extensions.setdefault(_RUNNING_KEY, set())
    with _executor_lock:
        running.add(future)
    future.add_done_callback(lambda done: running.discard(done))


def wait(app: Flask, timeout: float = 60.0) -> None:
    """Block until every job handed to this process's worker threads has run (tests, CLI).
    Raises TimeoutError. Jobs queued on RQ or run inline are not waited for."""
    with _executor_lock:
        running = list(app.extensions.get(_RUNNING_KEY, ()))
    _done, not_done = futures_wait(running, timeout=timeout)
    if not_done:
        raise TimeoutError(f"{len(not_done)} job(s) still running after {timeout} s")


def _rq_queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(app.config["JOB_RQ_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))


_worker_app: Flask | None = None


def run_rq_job(job_id: str) -> None:
    """Entry point for `rq worker`: builds the app from the environment once per process."""
    global _worker_app
    if _worker_app is None:
        from handover import create_app

        _worker_app = create_app()
    run_in_app(_worker_app, job_id)


def run_in_app(app: Flask, job_id: str) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        except Exception:  # a thread pool would swallow it silently
            log.exception("job %s could not be run", job_id)
            raise


def _function(kind: str) -> Callable:
    module, _sep, name = JOB_KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def job_dir(job_id: str, upload_folder: str) -> Path:
    return Path(upload_folder) / "jobs" / job_id


def run_job(job_id: str) -> None:
    """Run one queued job to the end; a job already started elsewhere is left alone."""
    with transactions.writing():
        claimed = db.session.execute(sa.update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
                                     .values(status=JobStatus.RUNNING, progress=0, heartbeat_at=now_utc())).rowcount
        db.session.commit()
    if not claimed:
        return
    with Heartbeat(db.engine, job_id, current_app.config["JOB_HEARTBEAT_SECONDS"]):
        _run_claimed(job_id)


def _run_claimed(job_id: str) -> None:
    job = db.session.get(Job, job_id)
    kind, params = job.kind, dict(job.params or {})
    locale = params.get("locale") or "zh_Hans_CN"
    out_dir = job_dir(job_id, current_app.config["UPLOAD_FOLDER"])
    out_dir.mkdir(parents=True, exist_ok=True)
    context = JobContext(job_id, params, db.session.get(User, job.created_by_id), out_dir)
    db.session.commit()  # the job's own transactions begin below, as readers or as writers
    try:
        with current_app.test_request_context(base_url=params.get("base_url") or "http://localhost/"), \
                force_locale(locale), (transactions.writing() if kind in WRITING_KINDS else transactions.reading()):
            result, download_name = _function(kind)(context)
    except Exception as exc:  # any failure ends the job as failed, with a message for the user
        log.exception("job %s (%s) failed", job_id, kind)
        db.session.rollback()
        shutil.rmtree(out_dir, ignore_errors=True)
        with force_locale(locale):
            _finish(job_id, JobStatus.FAILED, message=_failure_message(exc))
        return
    relative = Path(result).resolve().relative_to(Path(current_app.config["UPLOAD_FOLDER"]).resolve())
    _finish(job_id, JobStatus.FINISHED, progress=100, result_path=relative.as_posix(), result_name=download_name,
            message=context.message[:255])


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message[:255]
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return _("The job failed: %(error)s", error=detail)[:255]


def _finish(job_id: str, status: JobStatus, **values) -> None:
    db.session.commit()  # whatever the job left open (a long read) ends here
    with transactions.writing():
        db.session.execute(sa.update(Job).where(Job.id == job_id)
                           .values(status=status, finished_at=now_utc(), **values))
        db.session.commit()
