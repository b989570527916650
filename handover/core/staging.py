"""Uploaded files kept between a preview and its confirmation.

An import is previewed first; the file is then kept under UPLOAD_FOLDER/staged/ by a random
token, with its SHA-256, who uploaded it, for what, and a digest of the preview shown. The
confirmation names the token and the hash, so it writes exactly the file that was previewed,
and is refused once the file is gone, changed, or older than `STAGE_TTL`.
"""
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from handover.core.errors import Conflict
from handover.core.timeutil import now_utc

STAGE_TTL = timedelta(hours=2)
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class StagedFile:
    token: str
    sha256: str
    file_name: str
    purpose: str
    user_id: int | None
    fingerprint: str
    staged_at: datetime
    content: bytes = b""


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "staged"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def stage_file(content: bytes, *, purpose: str, user_id: int | None, file_name: str, fingerprint: str) -> StagedFile:
    """Keep an uploaded file for its confirmation; returns its token and hash."""
    _forget_expired()
    token = secrets.token_urlsafe(24)
    staged = StagedFile(token=token, sha256=sha256_of(content), file_name=file_name[:255], purpose=purpose,
                        user_id=user_id, fingerprint=fingerprint, staged_at=now_utc())
    folder = _folder()
    (folder / f"{token}.bin").write_bytes(content)
    meta = {"sha256": staged.sha256, "file_name": staged.file_name, "purpose": purpose, "user_id": user_id,
            "fingerprint": fingerprint, "staged_at": staged.staged_at.isoformat()}
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return staged


def load_staged(token: str, *, purpose: str, user_id: int | None, sha256: str) -> StagedFile:
    """The staged file for a confirmation. Raises Conflict when it expired, changed or is not this user's."""
    gone = Conflict(_("This preview has expired or was already used; upload the file again."),
                    details=[{"field": "token", "message": "expired"}])
    if not _TOKEN_RE.match(token or ""):
        raise gone
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        content = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        raise gone from None
    staged_at = datetime.fromisoformat(meta["staged_at"])
    if meta["purpose"] != purpose or meta["user_id"] != user_id or now_utc() - staged_at > STAGE_TTL:
        raise gone
    if sha256_of(content) != meta["sha256"] or sha256 != meta["sha256"]:
        raise Conflict(_("The file changed after the preview; upload it again and check the new preview."),
                       details=[{"field": "sha256", "message": "changed"}])
    return StagedFile(token=token, sha256=meta["sha256"], file_name=meta["file_name"], purpose=purpose,
                      user_id=user_id, fingerprint=meta["fingerprint"], staged_at=staged_at, content=content)


def discard_staged(token: str) -> None:
    if _TOKEN_RE.match(token or ""):
        for suffix in (".bin", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def _forget_expired() -> None:
    cutoff = (now_utc() - STAGE_TTL).timestamp()
    for path in _folder().glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                discard_staged(path.stem)
        except OSError:
            continue
