"""A made file and how it leaves: bytes with a name and a type, sent as a download or inline.

Plumbing shared by every domain's exports and their background jobs; it knows no domain.
"""
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask import send_file

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIMETYPE = "application/pdf"
ZIP_MIMETYPE = "application/zip"


@dataclass(frozen=True)
class FileResult:
    content: bytes
    name: str
    mimetype: str


def send(result: FileResult, *, attachment: bool = True):
    """The file as a response: a download, or (attachment=False) opened in the browser."""
    return send_file(io.BytesIO(result.content), mimetype=result.mimetype, as_attachment=attachment,
                     download_name=result.name)


def with_progress(items: Iterable, total: int, report: Callable[[int, int], None]) -> Iterator:
    """Yield the items, reporting (done, total) after each one (a job's progress)."""
    for done, item in enumerate(items, start=1):
        yield item
        report(done, total)
