"""Backups: the database and the upload folder (photos, signatures, plans) in one archive.

`flask --app handover backup` writes `handover-backup-<UTC time>.tar.gz` holding
- `manifest.json`: when, which database kind, the schema revision, every file with its size;
- `database.sqlite3` (SQLite, copied with SQLite's online backup API, so the app keeps running)
  or `database.pgdump` (PostgreSQL, `pg_dump --format=custom`);
- `uploads/…`: every file under UPLOAD_FOLDER.

`flask --app handover restore ARCHIVE` puts both back: the database is replaced by the one in the
archive (SQLite: backup API into the database file; PostgreSQL: `pg_restore --clean`), and the
upload folder by the archive's (the previous folder is kept beside it as `<folder>.before-restore-…`).
Stop the app (and job workers) before restoring.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from handover.extensions import db

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
UPLOADS = "uploads"


class BackupError(click.ClickException):
    """A backup or restore that cannot be done, with the reason (exit status 1)."""


def _url() -> URL:
    return db.engine.url


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory:"):
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(url.database)


def _pg_command(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed: install postgresql-client (make install does it as root).")
    return found


def _pg_env_and_dsn(url: URL) -> tuple[dict, str]:
    """libpq connection string without the password (it goes in PGPASSWORD, not the process list)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return env, plain.render_as_string(hide_password=False)


def _schema_revision() -> str | None:
    try:
        return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.DatabaseError:
        db.session.rollback()
        return None


def _upload_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.name.startswith(".tmp-"))


def make_backup(target_dir: Path) -> Path:
    """Write a backup archive into `target_dir`; returns its path."""
    url, root = _url(), Path(current_app.config["UPLOAD_FOLDER"])
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    archive = target_dir / f"handover-backup-{stamp}.tar.gz"
    files = _upload_files(root)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        if url.get_backend_name() == "sqlite":
            db_file = work / SQLITE_FILE
            source, copy = sqlite3.connect(_sqlite_path(url)), sqlite3.connect(db_file)
            try:
                source.backup(copy)  # consistent even while the app writes
            finally:
                copy.close()
                source.close()
        elif url.get_backend_name() == "postgresql":
            db_file = work / PG_FILE
            env, dsn = _pg_env_and_dsn(url)
            result = subprocess.run([_pg_command("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                                     "--file", str(db_file), "--dbname", dsn], env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")
        manifest = {"created_at": datetime.now(timezone.utc).isoformat(), "database": url.get_backend_name(),
                    "database_file": db_file.name, "schema_revision": _schema_revision(),
                    "files": [{"path": path.relative_to(root).as_posix(), "size": path.stat().st_size}
                              for path in files]}
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(db_file, arcname=db_file.name)
            for path in files:
                tar.add(path, arcname=f"{UPLOADS}/{path.relative_to(root).as_posix()}")
        os.replace(partial, archive)
    return archive


def restore_backup(archive: Path) -> dict:
    """Replace the database and the upload folder with the archive's; returns its manifest."""
    url, root = _url(), Path(current_app.config["UPLOAD_FOLDER"])
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(work, filter="data")  # no absolute paths, links out or devices
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"Cannot read the backup {archive}: {exc}") from None
        try:
            manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise BackupError(f"{archive} is not a Handover backup (no manifest).") from None
        if manifest.get("database") != url.get_backend_name():
            raise BackupError(f"The backup holds a {manifest.get('database')} database; this app uses "
                              f"{url.get_backend_name()}.")
        db.session.remove()
        db.engine.dispose()  # no pooled connection survives into the restored database
        if url.get_backend_name() == "sqlite":
            source, target = sqlite3.connect(work / SQLITE_FILE), sqlite3.connect(_sqlite_path(url))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            env, dsn = _pg_env_and_dsn(url)
            result = subprocess.run([_pg_command("pg_restore"), "--clean", "--if-exists", "--no-owner",
                                     "--no-privileges", "--single-transaction", "--dbname", dsn, str(work / PG_FILE)],
                                    env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        _restore_uploads(work / UPLOADS, root)
    return manifest


def _restore_uploads(source: Path, root: Path) -> None:
    if root.exists() and any(root.iterdir()):
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        root.rename(root.with_name(f"{root.name}.before-restore-{stamp}"))
    root.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, root, dirs_exist_ok=True)


@click.command("backup")
@click.option("--output", "output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the archive (default: instance/backups).")
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Back up the database and the upload folder into one .tar.gz archive."""
    archive = make_backup(output or Path(current_app.instance_path) / "backups")
    click.echo(str(archive))


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database and the upload folder.")
@with_appcontext
def restore_command(archive: Path, yes: bool) -> None:
    """Replace the database and the upload folder with those in ARCHIVE (stop the app first)."""
    if not yes:
        click.confirm("This replaces the database and the upload folder. Continue?", abort=True)
    manifest = restore_backup(archive)
    click.echo(f"Restored the backup of {manifest['created_at']} ({len(manifest['files'])} files).")
