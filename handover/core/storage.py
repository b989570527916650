"""Files written during a request live or die with its transaction.

A service writes a file and registers it here; if the transaction rolls back, the file is
removed, so a failed request leaves no file behind.
"""
import os
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from handover.extensions import db

_KEY = "pending_files"


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def save_bytes(relative: str, content: bytes) -> Path:
    """Write atomically under UPLOAD_FOLDER and tie the file to the current transaction."""
    target = upload_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temp, target)
    db.session.info.setdefault(_KEY, []).append(target)
    return target


def resolve(relative: str) -> Path:
    """An absolute path inside UPLOAD_FOLDER (refusing anything that escapes it)."""
    root = upload_root().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError("path escapes the upload folder")
    return path


@event.listens_for(Session, "after_commit")
def _keep(session: Session) -> None:
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    for path in session.info.pop(_KEY, []):
        Path(path).unlink(missing_ok=True)
