"""A generic XLSX writer: headers and plain rows in, a workbook out. It knows no models.

openpyxl's write-only mode streams rows to disk, so 100,000 rows cost no more memory than
ten. Money and other Decimals keep a number format, times are shown in local time, and text
that a spreadsheet would run as a formula is neutralised.
"""
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from handover.core.timeutil import to_local

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# OWASP "CSV injection": a leading = + - @ (or tab / carriage return) starts a formula in
# spreadsheet programs, also after the sheet is saved as CSV and opened again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    #: in Excel character widths
    width: float = 12


def neutralise(text: str) -> str:
    """Prefix a text that a spreadsheet would evaluate with an apostrophe, so it stays text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def decimal_format(value: Decimal) -> str:
    places = max(0, -value.as_tuple().exponent) if value.is_finite() else 0
    return "#,##0." + "0" * places if places else "#,##0"


class _SheetWriter:
    """Turns Python values into cells, sharing one styled template cell per number format."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.templates: dict[str, WriteOnlyCell] = {}

    def formatted(self, value, number_format: str) -> WriteOnlyCell:
        template = self.templates.get(number_format)
        if template is None:
            template = self.templates[number_format] = WriteOnlyCell(self.sheet)
            template.number_format = number_format
        cell = WriteOnlyCell(self.sheet, value)
        cell._style = template._style  # the style array is shared read-only, like openpyxl's own copies
        return cell

    def cell(self, value):
        if value is None or isinstance(value, (int, float, bool)):
            return value
        if isinstance(value, str):
            return neutralise(value) if value else value
        if isinstance(value, Decimal):
            return self.formatted(value, decimal_format(value))
        if isinstance(value, datetime):
            local = to_local(value) if value.tzinfo else value
            return self.formatted(local.replace(tzinfo=None), DATETIME_FORMAT)
        if isinstance(value, date):
            return self.formatted(value, DATE_FORMAT)
        return neutralise(str(value))


def write_xlsx(target: str | IO[bytes], columns: Sequence[Column], rows: Iterable[Sequence], *,
               sheet_title: str = "Sheet1") -> None:
    """Write one sheet: a bold, frozen header row, then `rows` (sequences in column order).

    `target` is a path or a binary file object. Aware datetimes are converted to the app's
    local time zone (Excel has no time zones); naive ones are written as they are.
    """
    write_workbook(target, [(sheet_title, columns, rows)])


def write_workbook(target: str | IO[bytes],
                   sheets: Iterable[tuple[str, Sequence[Column], Iterable[Sequence]]]) -> None:
    """Several sheets (title, columns, rows) in one write-only workbook, each as write_xlsx describes."""
    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.append([_header_cell(sheet, column.header) for column in columns])
        cell = _SheetWriter(sheet).cell
        for row in rows:
            sheet.append([cell(value) for value in row])
    workbook.save(target)


def _header_cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, text)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    return cell
