"""Backups that restore (issue 10, item 13): `flask backup` then `flask restore` into an empty
database and an empty upload folder gives back every row and every file (photos, signatures)."""
import io
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from config import TestConfig
from handover.extensions import db
from tests.fees.demo_cases import demo_cases  # noqa: F401 - fixture
from tests.fixtures.images import png
from tests.keys.test_api import signature_png


def _rows(app) -> dict[str, list]:
    """Every row of every table (and the schema revision), in primary-key order."""
    with app.app_context():
        with db.engine.connect() as conn:
            rows = {table.name: [tuple(row) for row in conn.execute(
                        sa.select(table).order_by(*table.primary_key.columns))]
                    for table in db.metadata.sorted_tables}
            rows["alembic_version"] = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    return rows


def _files(folder: str) -> dict[str, bytes]:
    root = Path(folder)
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _empty_database(url: str) -> str:
    """A second, empty database beside the test database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='handover-restore-')}/restored.db"
    name = f"{parsed.database}_restore"
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def filled(world, demo_cases, api, app):  # noqa: F811 - the fixture
    """Rows in every domain, a defect photo and a key handed over with a drawn signature."""
    api.token("engineering")
    defect = api.post(f"/api/v1/units/{world.a1.id}/defects",
                      json={"stage": "open_day", "room": "主卫", "category": "防水", "description": "渗漏",
                            "severity": "major"}).get_json()["id"]
    photo = api.post(f"/api/v1/defects/{defect}/photos", data={"file": (io.BytesIO(png()), "p.png")},
                     content_type="multipart/form-data")
    assert photo.status_code == 201, photo.get_json()
    api.token("property")
    key = api.post(f"/api/v1/units/{demo_cases.netting}/keys", json={"kind": "entrance_door", "label": "入户门"})
    key_id = key.get_json()["id"]
    assert api.post(f"/api/v1/keys/{key_id}/events", json={"type": "received", "to": "总包"}).status_code == 201
    handed = api.post(f"/api/v1/keys/{key_id}/events",
                      json={"type": "handed_to_owner", "to": "周杰", "signature": signature_png()})
    assert handed.status_code == 201, handed.get_json()
    return app


def test_a_backup_restores_into_an_empty_database_with_every_row_and_file(filled, tmp_path):
    app = filled
    before_rows, before_files = _rows(app), _files(app.config["UPLOAD_FOLDER"])
    assert any(name.startswith("signatures/") for name in before_files)
    assert any(name.startswith("defects/") for name in before_files)
    assert all(before_rows[name] for name in ("units", "payments", "key_events", "defect_events", "audit_entries"))

    result = app.test_cli_runner().invoke(args=["backup", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    archive = Path(result.output.strip().splitlines()[-1])
    assert archive.is_file() and archive.parent == tmp_path

    from handover import create_app

    upload_dir = tempfile.mkdtemp(prefix="handover-restored-uploads-")
    restored = create_app({"SQLALCHEMY_DATABASE_URI": _empty_database(app.config["SQLALCHEMY_DATABASE_URI"]),
                           "UPLOAD_FOLDER": upload_dir}, config_class=TestConfig)
    result = restored.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert _rows(restored) == before_rows
    assert _files(upload_dir) == before_files
    with restored.app_context():
        db.engine.dispose()


def test_restore_refuses_something_that_is_not_a_backup(app, tmp_path):
    bogus = tmp_path / "not-a-backup.tar.gz"
    bogus.write_bytes(b"hello")
    result = app.test_cli_runner().invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code == 1 and "Cannot read the backup" in result.output
