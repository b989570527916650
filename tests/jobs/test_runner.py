"""Background jobs: queued after the commit, run on the worker thread, progress, failure, cleanup."""
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from handover.accounts.models import User
from handover.core.errors import Conflict, NotFound
from handover.extensions import db
from handover.jobs import runner, service
from handover.jobs.models import Job, JobStatus
from tests.fixtures.tools import require

SEEN_PROGRESS: list[int] = []


def count_to_four(ctx):
    """A test job kind: reports progress, then writes a small file."""
    for done in range(1, 5):
        ctx.progress(done, 4)
        with db.engine.connect() as conn:  # what another request would see meanwhile
            SEEN_PROGRESS.append(conn.scalar(sa.select(Job.progress).where(Job.id == ctx.job_id)))
    path = ctx.out_dir / "result.txt"
    path.write_text(f"{threading.current_thread().name} {ctx.params['word']}", encoding="utf-8")
    return path, "结果.txt"


def explode(ctx):
    (ctx.out_dir / "partial.txt").write_text("half", encoding="utf-8")
    raise RuntimeError("the disk is full\nsecond line")


@pytest.fixture
def kinds(monkeypatch):
    monkeypatch.setitem(runner.JOB_KINDS, "count", "tests.jobs.test_runner:count_to_four")
    monkeypatch.setitem(runner.JOB_KINDS, "explode", "tests.jobs.test_runner:explode")
    SEEN_PROGRESS.clear()


def _enqueue(app, world, kind, params=None, username="engineering"):
    with app.test_request_context():
        job = service.enqueue(kind, params or {"word": "好"}, actor=db.session.get(User, world.users[username]))
        job_id = job.id
        db.session.commit()
        return job_id


def _wait(app, job_id):
    """Wait for the worker thread to finish the job (no polling), then read the job."""
    runner.wait(app, timeout=30)
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def test_a_job_runs_on_the_worker_thread_after_the_commit(app, world, kinds):
    job_id = _enqueue(app, world, "count")
    job = _wait(app, job_id)
    assert job.status == JobStatus.FINISHED and job.progress == 100 and job.finished_at is not None
    assert job.result_name == "结果.txt"
    assert job.result_path == f"jobs/{job_id}/result.txt"
    content = (Path(app.config["UPLOAD_FOLDER"]) / job.result_path).read_text(encoding="utf-8")
    assert content.startswith("handover-job") and content.endswith(" 好")  # not the test's thread
    assert SEEN_PROGRESS == [25, 50, 75, 99]  # committed as it went, 100 only when finished


def test_a_failing_job_is_marked_failed_with_a_message_and_leaves_no_file(app, world, kinds):
    job_id = _enqueue(app, world, "explode")
    job = _wait(app, job_id)
    assert job.status == JobStatus.FAILED
    assert "the disk is full" in job.message and "second line" not in job.message
    assert job.result_path is None
    assert not (Path(app.config["UPLOAD_FOLDER"]) / "jobs" / job_id).exists()


def test_a_rolled_back_enqueue_starts_nothing(app, world, kinds):
    with app.test_request_context():
        service.enqueue("count", {"word": "x"}, actor=db.session.get(User, world.users["engineering"]))
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
        assert not db.session.info.get("pending_jobs")


def test_inline_mode_runs_the_job_during_the_commit(app, world, kinds, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_INLINE", True)
    job_id = _enqueue(app, world, "count")
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.FINISHED
        assert "MainThread" in (Path(app.config["UPLOAD_FOLDER"]) / job.result_path).read_text(encoding="utf-8")


def test_a_job_is_only_visible_to_its_creator(app, world, kinds):
    job_id = _enqueue(app, world, "count")
    _wait(app, job_id)
    with app.app_context():
        creator, other = (db.session.get(User, world.users[name]) for name in ("engineering", "sales"))
        assert service.result_file(service.get_job(creator, job_id)).is_file()
        with pytest.raises(NotFound):
            service.get_job(other, job_id)


def test_an_unfinished_job_has_no_file_yet(app, world, kinds):
    with app.test_request_context():
        job = service.enqueue("count", {}, actor=db.session.get(User, world.users["engineering"]))
        db.session.flush()
        with pytest.raises(Conflict):
            service.result_file(job)
        db.session.rollback()


def test_unknown_kinds_are_refused(app, world):
    with app.test_request_context(), pytest.raises(ValueError):
        service.enqueue("mine_bitcoin", {}, actor=db.session.get(User, world.users["engineering"]))


@pytest.fixture
def redis_url(tmp_path):
    """A throw-away redis-server on a free local port (skipped where Redis is not installed)."""
    import shutil
    import socket
    import subprocess

    require(shutil.which("redis-server") is not None, "redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        for line in server.stdout:  # wait for the server to say it is ready, rather than polling it
            if "Ready to accept connections" in line:
                break
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_rq_mode_queues_on_redis_for_an_rq_worker(app, world, kinds, monkeypatch, redis_url):
    from redis import Redis
    from rq import Queue, SimpleWorker

    monkeypatch.setitem(app.config, "JOB_QUEUE", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setattr(runner, "_worker_app", app)  # the worker process would build its own from the environment
    job_id = _enqueue(app, world, "count")
    connection = Redis.from_url(redis_url)
    queue = Queue("handover", connection=connection)
    assert queue.job_ids == [job_id]
    with app.app_context():
        assert db.session.get(Job, job_id).status == JobStatus.QUEUED
        db.session.rollback()
    SimpleWorker([queue], connection=connection).work(burst=True)
    job = _wait(app, job_id)
    assert job.status == JobStatus.FINISHED and job.progress == 100


def test_a_job_that_cannot_be_queued_is_marked_failed(app, world, kinds, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_QUEUE", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    job_id = _enqueue(app, world, "count")
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.FAILED and job.message
