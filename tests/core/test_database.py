"""The database layer: migrations match the models, SQLite is tuned, values stay exact."""
import threading
from datetime import datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from handover.core.types import ScaledDecimal, UTCDateTime
from handover.extensions import db
from handover.projects.models import Contract


def test_latest_migration_matches_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite-only settings")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_two_writers_wait_for_each_other_instead_of_failing(app, make_project):
    """Both transactions read then write the same row; the second waits and sees the first's change."""
    project = make_project()
    errors, barrier = [], threading.Barrier(2)

    def rename(suffix):
        try:
            with app.app_context():
                barrier.wait()
                from handover.projects.models import Project

                row = db.session.get(Project, project.id, with_for_update=True)
                row.city = row.city + suffix
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=rename, args=(s,)) for s in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with app.app_context():
        from handover.projects.models import Project

        assert sorted(db.session.get(Project, project.id).city[-2:]) == ["A", "B"]


def test_foreign_keys_are_enforced(app, make_project):
    make_project()
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            db.session.add(Contract(unit_id=999999, number="X", owner_id=999999, area=Decimal("1.00"),
                                    unit_price=Decimal("1.00")))
            db.session.flush()
        db.session.rollback()


def test_scaled_decimal_is_exact_and_refuses_floats_and_extra_places():
    money = ScaledDecimal(2)
    assert money.process_bind_param(Decimal("0.10"), None) == 10
    assert money.process_result_value(123456789012, None) == Decimal("1234567890.12")
    with pytest.raises(TypeError):
        money.process_bind_param(0.1, None)
    with pytest.raises(ValueError):
        money.process_bind_param(Decimal("0.005"), None)


def test_utc_datetime_refuses_naive_values():
    column = UTCDateTime()
    with pytest.raises(ValueError):
        column.process_bind_param(datetime(2026, 1, 1, 8, 0), None)
    shanghai = datetime.fromisoformat("2026-01-01T08:00:00+08:00")
    assert column.process_bind_param(shanghai, None) == datetime(2026, 1, 1, 0, 0)
    assert column.process_result_value(datetime(2026, 1, 1), None).tzinfo == timezone.utc
