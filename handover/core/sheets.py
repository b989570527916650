"""Reading uploaded spreadsheets: headers by name (Chinese or English alias), cell text, and a
collector of problems that reports every bad cell with its row and column before anything is written."""
import hashlib
import io
import json
import zipfile
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from handover.core.errors import ValidationFailed


def cell_text(value) -> str:
    """A cell as trimmed text; whole floats (Excel's numbers) lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def open_sheet(content: bytes):
    """(workbook, first sheet) in read-only mode, or ValidationFailed for a file that is not .xlsx."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        message = _("The file is not an Excel spreadsheet (.xlsx).")
        raise ValidationFailed(message, details=[{"row": None, "column": None, "column_letter": None,
                                                  "message": message}]) from None
    return workbook, workbook.worksheets[0]


class SheetLayout:
    """The columns a sheet may have: (key, Chinese header, English alias), some required."""

    def __init__(self, columns: list[tuple[str, str, str]], required: set[str]):
        self.header_of = {key: zh for key, zh, _en in columns}
        self.required = [key for key, _zh, _en in columns if key in required]
        self._aliases = {name.lower(): key for key, zh, en in columns for name in (zh, en)}

    def map_headers(self, header_row) -> dict[str, int]:
        """Column index (1-based) of each known header; ValidationFailed when a required one is missing."""
        columns: dict[str, int] = {}
        for index, value in enumerate(header_row or (), start=1):
            key = self._aliases.get(cell_text(value).lower())
            if key and key not in columns:
                columns[key] = index
        missing = [self.header_of[key] for key in self.required if key not in columns]
        if missing:
            problems = [{"row": 1, "column": name, "column_letter": None,
                         "message": _("Required column %(name)s is missing from the header row.", name=name)}
                        for name in missing]
            raise ValidationFailed(problems[0]["message"], details=problems)
        return columns


class Problems:
    """Every problem of a file, each with its row, column header and column letter."""

    def __init__(self, layout: SheetLayout, columns: dict[str, int]):
        self.layout, self.columns = layout, columns
        self.items: list[dict] = []

    def add(self, row: int | None, key: str | None, message: str) -> None:
        column = self.layout.header_of.get(key, key) if key else None
        letter = get_column_letter(self.columns[key]) if key in self.columns else None
        self.items.append({"row": row, "column": column, "column_letter": letter, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            self.items.sort(key=lambda item: item["row"] or 0)
            raise ValidationFailed(_("%(n)d problems found; nothing was imported.", n=len(self.items)),
                                   details=self.items)


@dataclass
class Change:
    """One field of an existing record that an import would change."""

    field: str
    old: str
    new: str


@dataclass
class PlannedRow:
    """What an import would do with one row: create a record, or change some of its fields."""

    row: int
    label: str
    summary: str = ""
    changes: list[Change] = dataclass_field(default_factory=list)


@dataclass
class ImportPreview:
    """What a confirmed import would write, shown before anything is written.

    `warnings` are contradictions in the data (row, column, message) that the user must accept;
    `skipped_examples` are rows identical to the template's examples, never imported.
    """

    new: list[PlannedRow] = dataclass_field(default_factory=list)
    updated: list[PlannedRow] = dataclass_field(default_factory=list)
    unchanged: int = 0
    skipped_examples: list[int] = dataclass_field(default_factory=list)
    warnings: list[dict] = dataclass_field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.updated)

    def as_dict(self) -> dict:
        return asdict(self)

    def fingerprint(self) -> str:
        """A digest of what would be written (not of its wording, which follows the reader's language),
        so a confirmation writes exactly what was shown."""
        body = {"new": [(item.row, item.label) for item in self.new],
                "updated": [(item.row, item.label, [asdict(change) for change in item.changes]) for item in self.updated],
                "unchanged": self.unchanged, "skipped": self.skipped_examples,
                "warnings": [(item["row"], item["column"]) for item in self.warnings]}
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def warning_at(problems_like: "Problems", row: int, key: str, message: str) -> dict:
    """A warning in the same shape as a problem (row, column, column letter, message)."""
    problems_like.add(row, key, message)
    return problems_like.items.pop()
