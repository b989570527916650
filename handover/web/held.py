"""Photos chosen on a form that could not be saved, held on the server so nobody takes them twice.

A tablet form that fails (a missing field, a refused transition) is drawn again with what was
typed; the photos it carried are kept here, keyed by the signed-in user and the form's client
UUID, and come back as thumbnails with a remove button. The next save of the same form takes them
along; a successful save removes the folder, and folders older than a day are swept away.

    UPLOAD_FOLDER/held/<user id>/<form uuid hex>/<name>.jpg   (+ <name>_thumb.jpg)

Files here are not tied to the database transaction (the failed request has rolled back already).
"""
import base64
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from handover.core.errors import DomainError

HELD_DIR = "held"
MAX_AGE_SECONDS = 24 * 3600
MAX_HELD = 20
_NAME = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class HeldPhoto:
    name: str
    thumbnail: bytes

    @property
    def data_uri(self) -> str:
        """The thumbnail inline (no extra route to guard: only its owner's page ever carries it)."""
        return "data:image/jpeg;base64," + base64.b64encode(self.thumbnail).decode("ascii")


@dataclass(frozen=True)
class Refused:
    """A photo that could not be held: its position among the chosen ones, and why."""

    position: int
    message: str


def _root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / HELD_DIR


def _folder(user_id: int, form_key: str | None) -> Path | None:
    """The holding folder of a user's form, or None for a key that is not a UUID."""
    try:
        key = uuid.UUID(str(form_key or "")).hex
    except ValueError:
        return None
    return _root() / str(int(user_id)) / key


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temp, path)


def clean_names(names: Iterable[str]) -> list[str]:
    """The held photo names a form posted back, without anything that is not one of ours."""
    return list(dict.fromkeys(n for n in names if _NAME.match(n or "")))


def hold(user_id: int, form_key: str | None, contents: list[bytes],
         prepare: Callable[[bytes], tuple[bytes, bytes]]) -> tuple[list[str], list[Refused]]:
    """Hold newly chosen photos. `prepare` turns raw bytes into (image, thumbnail) or raises a
    DomainError for a file that is no photo: such a file is not held and is reported."""
    folder = _folder(user_id, form_key)
    if folder is None:
        return [], []
    sweep()
    names, refused = [], []
    room = MAX_HELD - len(list(folder.glob("*_thumb.jpg"))) if folder.exists() else MAX_HELD
    for position, content in enumerate(contents, start=1):
        if len(names) >= room:
            break
        try:
            image, thumbnail = prepare(content)
        except DomainError as exc:
            refused.append(Refused(position, exc.message))
            continue
        name = uuid.uuid4().hex
        _write(folder / f"{name}.jpg", image)
        _write(folder / f"{name}_thumb.jpg", thumbnail)
        names.append(name)
    return names, refused


def held(user_id: int, form_key: str | None, names: Iterable[str]) -> list[HeldPhoto]:
    """The named photos still held for this user's form, in the given order."""
    folder = _folder(user_id, form_key)
    if folder is None:
        return []
    photos = []
    for name in clean_names(names):
        thumb = folder / f"{name}_thumb.jpg"
        if thumb.is_file() and (folder / f"{name}.jpg").is_file():
            photos.append(HeldPhoto(name, thumb.read_bytes()))
    return photos


def read(user_id: int, form_key: str | None, names: Iterable[str]) -> list[bytes]:
    """The full images of the named held photos (those that still exist), in order."""
    folder = _folder(user_id, form_key)
    if folder is None:
        return []
    paths = [folder / f"{name}.jpg" for name in clean_names(names)]
    return [path.read_bytes() for path in paths if path.is_file()]


def discard(user_id: int, form_key: str | None) -> None:
    """Forget a form's held photos (after a successful save)."""
    folder = _folder(user_id, form_key)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def sweep(max_age: float = MAX_AGE_SECONDS) -> None:
    """Remove forms' holding folders untouched for longer than `max_age` seconds."""
    root = _root()
    if not root.is_dir():
        return
    limit = time.time() - max_age
    for folder in root.glob("*/*"):
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
