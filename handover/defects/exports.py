"""Defect exports: the batch ledger (Excel) and the units' defect lists (PDF), gathered by
`document_rows`, laid out by `documents`.

A small export is made inside the request and returned at once; a large one (more rows than
LEDGER_SYNC_MAX_ROWS, or every unit of a batch) becomes a background job whose function is
below. Callers have already checked that the user may see the batch or unit.
"""
import io
import logging
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from flask import current_app, request, url_for
from flask_babel import gettext as _
from reportlab.platypus.doctemplate import LayoutError

from handover.accounts.models import User
from handover.core.errors import ValidationFailed
from handover.core import transactions
from handover.core.timeutil import today_local
from handover.defects import document_rows, documents
from handover.defects.queries import DefectFilters
from handover.inspections.models import InspectionStage
from handover.extensions import db
from handover.jobs import service as jobs
from handover.jobs.models import Job
from handover.jobs.runner import JobContext
from handover.projects.models import Batch, Unit
from handover.reporting.files import PDF_MIMETYPE, XLSX_MIMETYPE, FileResult, with_progress
from handover.reporting.fonts import FontMissing

log = logging.getLogger(__name__)
PHOTO_PAGE_RULE = "/photos/<int:photo_id>"
LEDGER_KIND = "defect_ledger"
UNIT_PDFS_KIND = "unit_defect_pdfs"
#: units gathered per read transaction while making a batch's PDFs
UNITS_PER_CHUNK = 50
DEFAULT_LEDGER_SYNC_MAX_ROWS = 2000


def _ledger_name(batch_name: str) -> str:
    title = document_rows.load_definition("defect_ledger").title
    return f"{title}-{batch_name}-{today_local():%Y%m%d}.xlsx".replace("/", "-")


def photo_url_builder() -> Callable[[int], str]:
    """Absolute URLs of the photo page route (needs a request context, real or the job's)."""
    endpoint = next((rule.endpoint for rule in current_app.url_map.iter_rules() if rule.rule == PHOTO_PAGE_RULE),
                    None)
    if endpoint is not None:
        return lambda photo_id: url_for(endpoint, photo_id=photo_id, _external=True)
    root = request.host_url.rstrip("/")
    return lambda photo_id: f"{root}/photos/{photo_id}"


def export_ledger(batch: Batch, filters: DefectFilters, *, actor: User) -> FileResult | Job:
    """The batch's defect ledger with the list's filters: the file itself, or a queued job when
    it has more rows than LEDGER_SYNC_MAX_ROWS (a 100,000-row ledger takes 20–30 s)."""
    filters = replace(filters, batch_id=batch.id)
    limit = current_app.config.get("LEDGER_SYNC_MAX_ROWS", DEFAULT_LEDGER_SYNC_MAX_ROWS)
    if document_rows.count_rows(actor, filters) > limit:
        params = {"batch_id": batch.id, "filters": document_rows.filters_to_params(filters)}
        return jobs.enqueue(LEDGER_KIND, params, actor=actor)
    ledger = document_rows.gather_ledger(actor, filters, photo_url=photo_url_builder())
    out = io.BytesIO()
    documents.write_ledger(out, ledger, ledger.rows())
    return FileResult(out.getvalue(), _ledger_name(batch.name), XLSX_MIMETYPE)


def stages_from(values: Iterable[str]) -> list[InspectionStage]:
    """The stages staff chose for an internal list (query `stage=`, repeated); an unknown one is refused."""
    chosen = []
    for value in values:
        try:
            chosen.append(InspectionStage(value))
        except ValueError:
            raise ValidationFailed(_("Unknown stage: %(stage)s", stage=value),
                                   details=[{"field": "stage", "message": _("Unknown stage: %(stage)s", stage=value)}]
                                   ) from None
    return chosen


def unit_pdf(unit: Unit, stages: Iterable[InspectionStage] | None = None) -> FileResult:
    """One unit's defect list: always small enough to make inside the request. The list the owner
    signs (the owner's stages) unless staff choose `stages` for an internal list."""
    sheet = document_rows.unit_sheet(unit, stages)
    return FileResult(documents.render_unit_defects(sheet), sheet.file_name, PDF_MIMETYPE)


def start_unit_pdfs(batch: Batch, *, actor: User) -> Job:
    """Queue the defect lists of every unit in the batch, as one zip of PDFs."""
    return jobs.enqueue(UNIT_PDFS_KIND, {"batch_id": batch.id}, actor=actor)


def write_ledger_file(path: Path, actor: User, filters: DefectFilters, progress: Callable[[int, int], None]) -> None:
    """Stream the ledger into `path`: records come from a server-side cursor as the write-only
    workbook is written, inside one read transaction (no write lock on SQLite; WAL keeps writers going)."""
    db.session.commit()
    with transactions.reading():
        try:
            ledger = document_rows.stream_ledger(actor, filters, photo_url=photo_url_builder())
            documents.write_ledger(path, ledger, with_progress(ledger.rows(), len(ledger), progress))
        finally:
            db.session.commit()  # end the read transaction


def ledger_job(ctx: JobContext) -> tuple[Path, str]:
    """Job: stream the ledger to the job's folder, reporting progress as rows are written."""
    batch_name = db.session.get(Batch, ctx.params["batch_id"]).name
    filters = document_rows.filters_from_params(ctx.params["filters"])
    path = ctx.out_dir / "ledger.xlsx"
    write_ledger_file(path, ctx.actor, filters, ctx.progress)
    return path, _ledger_name(batch_name)


@dataclass(frozen=True)
class Unmade:
    """A unit whose defect list could not be made, and why (in the user's language)."""

    unit_label: str
    reason: str


def _reason(exc: Exception) -> str:
    if isinstance(exc, LayoutError):
        return _("part of the list does not fit on a page")
    if isinstance(exc, FontMissing):
        return _("the Chinese font for PDFs is not installed")
    if isinstance(exc, OSError):
        return _("a photo could not be read")
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return detail[:120]


def write_unit_pdfs(path: Path, unit_ids: list[int], progress: Callable[[int, int], None]) -> list[Unmade]:
    """A zip with one defect list PDF per unit, in the order given. Units are read a chunk at a
    time, each chunk in its own short transaction, and nothing is held open while rendering.

    One unit that cannot be made never stops the others: it is left out, listed (with why) in
    the zip's UNMADE_NAME file, and returned."""
    done, total, unmade = 0, len(unit_ids), []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, total, UNITS_PER_CHUNK):
            sheets = document_rows.batch_sheets(unit_ids[start:start + UNITS_PER_CHUNK])
            db.session.commit()
            for sheet in sheets:
                done += 1
                try:
                    content = documents.render_unit_defects(sheet)
                except Exception as exc:  # reported per unit; the rest goes on
                    log.exception("defect list of %s could not be made", sheet.unit_label)
                    unmade.append(Unmade(sheet.unit_label, _reason(exc)))
                else:
                    archive.writestr(f"{done:04d}-{sheet.file_name}", content)
                progress(done, total)
        if unmade:
            lines = [_("%(unit)s: %(reason)s", unit=u.unit_label, reason=u.reason) for u in unmade]
            not_made = _("Not made")
            archive.writestr(f"{not_made}.txt", "\r\n".join(lines) + "\r\n")
    return unmade


def unmade_message(unmade: list[Unmade], total: int) -> str:
    """The finished job's message: how many lists were made, and which units were not and why."""
    if not unmade:
        return ""
    units = "; ".join(_("%(unit)s: %(reason)s", unit=u.unit_label, reason=u.reason) for u in unmade)
    return _("%(made)d of %(total)d defect lists made. Not made: %(units)s",
             made=total - len(unmade), total=total, units=units)[:255]


def unit_pdfs_job(ctx: JobContext) -> tuple[Path, str]:
    """Job: one PDF per unit of the batch, in a zip, with progress reported per unit; units that
    could not be made are named in the job's message and in the zip."""
    batch_id = ctx.params["batch_id"]
    batch_name = db.session.get(Batch, batch_id).name
    unit_ids = document_rows.batch_unit_ids(batch_id)
    db.session.commit()
    path = ctx.out_dir / "unit-defects.zip"
    unmade = write_unit_pdfs(path, unit_ids, ctx.progress)
    ctx.message = unmade_message(unmade, len(unit_ids))
    title = _("Defect lists")
    return path, f"{title}-{batch_name}.zip".replace("/", "-")
