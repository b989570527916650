"""Reads do not take SQLite's write lock; writers still queue behind each other.

On SQLite every transaction used to start with BEGIN IMMEDIATE, so one long export (a read of
many seconds) made every other request wait for it, and fail with "database is locked" after
the busy timeout. These tests hold a real transaction open on another thread meanwhile.
"""
import threading
import time

import sqlalchemy as sa

from handover.core import transactions
from handover.extensions import db
from handover.projects.models import Contractor, Unit

HOLD_SECONDS = 5.0


def _hold(app, started: threading.Event, method: str, work, errors: list, seconds: float = HOLD_SECONDS):
    def run():
        try:
            with app.test_request_context("/somewhere", method=method):
                work()
                started.set()
                time.sleep(seconds)
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion
            errors.append(exc)
            started.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_long_read_does_not_stall_a_short_read_or_a_write(app, world, api):
    api.token("admin")
    started, errors = threading.Event(), []

    def long_read():  # what a 27-second tag sheet does: read, then keep the transaction open
        assert len(db.session.scalars(sa.select(Unit)).all()) == 3

    thread = _hold(app, started, "GET", long_read, errors)
    assert started.wait(10)
    began = time.monotonic()
    unit = api.get(f"/api/v1/units/{world.a1.id}")
    created = api.post("/api/v1/contractors", json={"name": "顺达装饰"})
    elapsed = time.monotonic() - began
    thread.join(30)
    assert unit.status_code == 200 and created.status_code == 201, (unit.get_json(), created.get_json())
    assert elapsed < HOLD_SECONDS / 2, f"the short requests waited {elapsed:.1f} s for the long read"
    assert errors == []


def test_two_writers_queue_and_both_succeed(app, world, api):
    api.token("admin")
    started, errors = threading.Event(), []

    def first_writer():
        db.session.add(Contractor(name="先到装饰"))
        db.session.flush()

    thread = _hold(app, started, "POST", first_writer, errors, seconds=1.0)
    assert started.wait(10)
    began = time.monotonic()
    created = api.post("/api/v1/contractors", json={"name": "后到装饰"})
    waited = time.monotonic() - began
    thread.join(30)
    assert errors == []
    assert created.status_code == 201, created.get_json()
    with app.app_context():
        names = set(db.session.scalars(sa.select(Contractor.name)))
    assert {"先到装饰", "后到装饰"} <= names
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert waited > 0.5  # it queued behind the first writer rather than failing


def test_write_intent_follows_the_method_and_can_be_declared(app):
    with app.test_request_context(method="GET"):
        assert transactions.wants_write_lock() is False
        with transactions.writing():
            assert transactions.wants_write_lock() is True
    with app.test_request_context(method="POST"):
        assert transactions.wants_write_lock() is True
        with transactions.reading():
            assert transactions.wants_write_lock() is False
    with app.app_context():  # CLI commands and job bookkeeping write
        assert transactions.wants_write_lock() is True


def test_a_large_export_asked_by_get_queues_its_job_while_someone_writes(app, world, api, monkeypatch):
    """A GET that turns into a job writes the job row; it waits its turn behind a writer
    instead of failing with "database is locked"."""
    monkeypatch.setitem(app.config, "LEDGER_SYNC_MAX_ROWS", 0)
    monkeypatch.setitem(app.config, "JOB_INLINE", True)
    api.token("engineering")
    body = {"stage": "open_day", "room": "主卫", "category": "防水", "description": "渗漏", "severity": "major"}
    assert api.post(f"/api/v1/units/{world.a1.id}/defects", json=body).status_code == 201
    started, errors = threading.Event(), []

    def writer():
        db.session.add(Contractor(name="正在写入装饰"))
        db.session.flush()

    thread = _hold(app, started, "POST", writer, errors, seconds=1.0)
    assert started.wait(10)
    response = api.get(f"/api/v1/batches/{world.a.batch_id}/defects.xlsx")
    thread.join(30)
    assert errors == []
    assert response.status_code == 202, response.get_json()
    job = api.get(response.headers["Location"].replace("http://localhost", "")).get_json()
    assert job["status"] == "finished", job


def test_a_get_route_that_writes_can_declare_it():
    from flask import Flask

    tiny = Flask(__name__)

    @tiny.get("/reads")
    def reads():
        return "read"

    @tiny.get("/writes")
    @transactions.writes_on_get
    def writes():
        return "written"

    with tiny.test_request_context("/reads"):
        assert transactions.wants_write_lock() is False
    with tiny.test_request_context("/writes"):
        assert transactions.wants_write_lock() is True
