"""The handover's files: a unit's 收楼确认书 and a batch's evening bulletin (PDF, Excel)."""
from datetime import date

from handover.handovers import document_rows, documents
from handover.reporting.files import PDF_MIMETYPE, XLSX_MIMETYPE, FileResult


def handover_record(unit) -> FileResult:
    return FileResult(documents.render_handover_record(document_rows.record_rows(unit)),
                      f"收楼确认书-{unit.label}.pdf", PDF_MIMETYPE)


def bulletin_pdf(batch, day: date) -> FileResult:
    return FileResult(documents.render_bulletin(document_rows.bulletin_rows(batch, day)),
                      f"交付快报-{batch.name}-{day}.pdf", PDF_MIMETYPE)


def bulletin_xlsx(batch, day: date) -> FileResult:
    return FileResult(documents.bulletin_xlsx(document_rows.bulletin_rows(batch, day)),
                      f"交付快报-{batch.name}-{day}.xlsx", XLSX_MIMETYPE)
