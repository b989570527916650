"""Confirmed imports as records: who imported which file when, what it created and the old values of
what it changed, and undoing one as a whole on the same day.

Each importer (units here, keys in the keys domain) registers how to undo its own runs, so this
module knows no other domain.
"""
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _

from handover.core.errors import Conflict
from handover.core.timeutil import now_utc, to_local, today_local
from handover.extensions import db
from handover.projects.models import Batch, ImportRun

_UNDOERS: dict[str, Callable[[ImportRun], None]] = {}


def register_undo(kind: str, undo: Callable[[ImportRun], None]) -> None:
    """`undo(run)` restores what the run changed, or raises Conflict saying why it cannot."""
    _UNDOERS[kind] = undo


def record_run(batch: Batch, *, kind: str, actor, file_name: str, sha256: str, created: int, updated: int,
               changes: dict) -> ImportRun:
    run = ImportRun(batch_id=batch.id, kind=kind, file_name=file_name or "", file_sha256=sha256 or "",
                    created_count=created, updated_count=updated, changes=changes,
                    actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "name", "") or "",
                    created_at=now_utc())
    db.session.add(run)
    db.session.flush()
    return run


def recent_runs(batch_id: int, kind: str, limit: int = 10) -> list[ImportRun]:
    return list(db.session.scalars(sa.select(ImportRun).where(ImportRun.batch_id == batch_id, ImportRun.kind == kind)
                                   .order_by(ImportRun.id.desc()).limit(limit)))


def undo_refusal(run: ImportRun) -> str | None:
    """Why this run cannot be undone now (already undone, not today, a later import on top), or None."""
    if run.undone_at is not None:
        return _("This import was already undone.")
    if to_local(run.created_at).date() != today_local():
        return _("An import can only be undone on the day it was made.")
    later = db.session.scalar(sa.select(ImportRun).where(
        ImportRun.batch_id == run.batch_id, ImportRun.kind == run.kind, ImportRun.id > run.id,
        ImportRun.undone_at.is_(None)).order_by(ImportRun.id))
    if later is not None:
        return _("A later import of this batch (%(time)s) changed the same data; undo that one first.",
                 time=f"{to_local(later.created_at):%H:%M}")
    return None


def undo_import(run: ImportRun, *, actor) -> ImportRun:
    """Restore the old values of every row the import changed and delete the rows it created.

    Raises Conflict when the run cannot be undone (see `undo_refusal`) or when something it
    created is already in use (a key, a defect, a payment, …).
    """
    reason = undo_refusal(run)
    if reason:
        raise Conflict(reason)
    _UNDOERS[run.kind](run)
    run.undone_at = now_utc()
    run.undone_by_name = getattr(actor, "name", "") or ""
    db.session.flush()
    return run


def referenced_ids(table_name: str, ids: list[int], *, ignore: set[str] = frozenset()) -> set[int]:
    """Which of these rows some other row points at through a foreign key (except `table.column` in ignore)."""
    if not ids:
        return set()
    found: set[int] = set()
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name != table_name or f"{table.name}.{fk.parent.name}" in ignore:
                continue
            found.update(db.session.scalars(sa.select(fk.parent).where(fk.parent.in_(ids)).distinct()))
    return found
