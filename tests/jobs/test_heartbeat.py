"""Jobs whose worker dies do not stay "running" for ever: heartbeat, sweep, restart, old files.

The worker here is a real separate process running the job runner, killed with SIGKILL.
"""
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from handover.core.timeutil import now_utc
from handover.extensions import db
from handover.jobs import runner as job_runner
from handover.jobs import service
from handover.jobs.models import Job, JobStatus

ROOT = Path(__file__).resolve().parents[2]
#: seconds without a heartbeat before a job counts as stopped (the worker beats every 0.2 s)
STALE = 2

WORKER = """
import sys
from config import TestConfig
from handover import create_app
from handover.jobs import runner

runner.JOB_KINDS["wait_for_file"] = "tests.jobs.test_heartbeat:wait_for_file"
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "UPLOAD_FOLDER": sys.argv[2],
                  "JOB_HEARTBEAT_SECONDS": 0.2}, config_class=TestConfig)
runner.run_in_app(app, sys.argv[3])
"""


def wait_for_file(ctx):
    """A test job kind: writes part of its result, then works while the `gate` file exists."""
    (ctx.out_dir / "partial.txt").write_text("half", encoding="utf-8")
    ctx.progress(1, 10)
    while Path(ctx.params["gate"]).exists():
        time.sleep(0.05)
    path = ctx.out_dir / "done.txt"
    path.write_text("done", encoding="utf-8")
    return path, "done.txt"


@pytest.fixture
def kinds(monkeypatch, app):
    monkeypatch.setitem(job_runner.JOB_KINDS, "wait_for_file", "tests.jobs.test_heartbeat:wait_for_file")
    monkeypatch.setitem(app.config, "JOB_STALE_AFTER_SECONDS", STALE)
    monkeypatch.setitem(app.config, "JOB_SWEEP_INTERVAL_SECONDS", 0)


def _queued_job(app, user_id, params, **values) -> str:
    with app.app_context():
        fields = {"status": JobStatus.QUEUED, "progress": 0, "created_at": now_utc(), **values}
        job = Job(id=str(uuid.uuid4()), kind="wait_for_file", params={"locale": "zh_Hans_CN", **params},
                  created_by_id=user_id, **fields)
        db.session.add(job)
        db.session.commit()
        return job.id


def _job(app, job_id) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def _until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_killed_worker_is_swept_failed_and_the_job_restarts(app, world, api, kinds, tmp_path):
    gate = tmp_path / "gate"
    gate.write_text("hold")
    job_id = _queued_job(app, world.users["engineering"], {"gate": str(gate)})
    worker = subprocess.Popen([sys.executable, "-c", WORKER, app.config["SQLALCHEMY_DATABASE_URI"],
                               app.config["UPLOAD_FOLDER"], job_id], cwd=ROOT, env={**os.environ})
    try:
        first = _until(lambda: (j := _job(app, job_id)).progress == 10 and j)
        assert first.status == JobStatus.RUNNING and first.heartbeat_at is not None
        time.sleep(STALE + 1)  # longer than JOB_STALE_AFTER_SECONDS: only the heartbeat keeps it alive
        api.token("engineering")
        alive = api.get(f"/api/v1/jobs/{job_id}").get_json()
        assert alive["status"] == "running", alive
        assert _job(app, job_id).heartbeat_at > first.heartbeat_at
    finally:
        worker.kill()  # SIGKILL: no chance to mark anything
        worker.wait(30)
    time.sleep(STALE + 1)
    swept = api.get(f"/api/v1/jobs/{job_id}").get_json()
    assert swept["status"] == "failed"
    assert swept["message"] == "运行此任务的进程已停止。请重新开始任务。"
    assert not (Path(app.config["UPLOAD_FOLDER"]) / "jobs" / job_id).exists()  # the half-written file

    gate.unlink()  # the restarted job finishes at once
    restarted = api.post(f"/api/v1/jobs/{job_id}/restart")
    assert restarted.status_code == 202, restarted.get_json()
    new_id = restarted.get_json()["id"]
    assert new_id != job_id and restarted.headers["Location"].endswith(f"/api/v1/jobs/{new_id}")
    with app.app_context():
        assert service.wait_for(new_id, timeout=30).status == JobStatus.FINISHED
    assert api.post(f"/api/v1/jobs/{new_id}/restart").status_code == 409  # only failed jobs
    api.token("sales")
    assert api.post(f"/api/v1/jobs/{job_id}/restart").status_code == 404  # not theirs


def test_the_job_page_offers_to_start_a_stopped_job_again(app, world, browser, kinds, tmp_path):
    long_ago = now_utc() - timedelta(minutes=5)
    job_id = _queued_job(app, world.users["engineering"], {"gate": str(tmp_path / "absent")},
                         status=JobStatus.RUNNING, heartbeat_at=long_ago)
    browser.login("engineering")
    page = browser.client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "运行此任务的进程已停止" in page and "重新开始" in page
    answer = browser.post(f"/jobs/{job_id}/restart", page=f"/jobs/{job_id}")
    assert answer.status_code == 302
    new_id = answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    with app.app_context():
        assert service.wait_for(new_id, timeout=30).status == JobStatus.FINISHED


def test_the_sweep_command_ends_lost_jobs_and_removes_old_files(app, world, runner, kinds, as_role):
    folder = Path(app.config["UPLOAD_FOLDER"]) / "jobs"
    now = now_utc()
    old = _queued_job(app, world.users["engineering"], {}, status=JobStatus.FINISHED, result_path="x",
                      finished_at=now - timedelta(days=8))
    recent = _queued_job(app, world.users["engineering"], {}, status=JobStatus.FINISHED, result_path="y",
                         finished_at=now - timedelta(days=1))
    lost = _queued_job(app, world.users["engineering"], {"locale": "en"}, created_at=now - timedelta(days=1))
    running = _queued_job(app, world.users["engineering"], {}, status=JobStatus.RUNNING, heartbeat_at=now)
    for job_id in (old, recent):
        (folder / job_id).mkdir(parents=True)
        (folder / job_id / "result.xlsx").write_bytes(b"x")
    with app.app_context():  # paths as the runner writes them
        for job_id in (old, recent):
            db.session.execute(sa.update(Job).where(Job.id == job_id)
                               .values(result_path=f"jobs/{job_id}/result.xlsx"))
        db.session.commit()

    result = runner.invoke(args=["jobs", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 never-started job(s) marked failed" in result.output and "1 old result folder(s) removed" in result.output
    assert not (folder / old).exists() and (folder / recent / "result.xlsx").exists()
    assert _job(app, lost).status == JobStatus.FAILED
    assert _job(app, lost).message == "No worker picked up this job. Start the job again."
    assert _job(app, running).status == JobStatus.RUNNING

    engineering = as_role("engineering")
    gone = engineering.get(f"/api/v1/jobs/{old}/download")
    assert gone.status_code == 404 and gone.get_json()["error"] == "not_found"
    assert engineering.get(f"/api/v1/jobs/{recent}/download").status_code == 200
