"""A generic XLSX writer: headers and plain rows in, a workbook out. It knows no models.

openpyxl's write-only mode streams rows to disk, so 100,000 rows cost no more memory than
ten. Money and other Decimals keep a number format, times are shown in local time, and text
that a spreadsheet would run as a formula is stored as text with Excel's quote-prefix style: it
shows exactly as typed (no visible apostrophe) and is never evaluated. Every sheet has an
autofilter on its header, columns at least as wide as their Chinese header, and long text wraps.
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
    """For plain-text formats (CSV): prefix a text that a spreadsheet would evaluate with an
    apostrophe, so it stays text. XLSX cells use the quote-prefix style instead (see `_SheetWriter`)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def display_width(text: str) -> float:
    """How many Excel character widths `text` takes: a Chinese character is two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def column_width(column: Column) -> float:
    """The column's width, widened so its header (and the autofilter's button) fits on one line."""
    return max(column.width, display_width(column.header) + 4)


def decimal_format(value: Decimal) -> str:
    places = max(0, -value.as_tuple().exponent) if value.is_finite() else 0
    return "#,##0." + "0" * places if places else "#,##0"


class _SheetWriter:
    """Turns Python values into cells, sharing one styled template cell per number format."""

    def __init__(self, sheet, widths: Sequence[float] = ()):
        self.sheet = sheet
        self.widths = list(widths)
        self.templates: dict[object, WriteOnlyCell] = {}

    def formatted(self, value, number_format: str) -> WriteOnlyCell:
        template = self.templates.get(number_format)
        if template is None:
            template = self.templates[number_format] = WriteOnlyCell(self.sheet)
            template.number_format = number_format
        cell = WriteOnlyCell(self.sheet, value)
        cell._style = template._style  # the style array is shared read-only, like openpyxl's own copies
        return cell

    def text(self, value: str, width: float):
        """A text cell: wrapped when longer than its column, and a formula-like text kept as typed
        (a string cell with the quote-prefix style, never a formula)."""
        formula_like = value.startswith(FORMULA_TRIGGERS)
        wrap = "\n" in value or display_width(value) > width
        if not formula_like and not wrap:
            return value
        key = ("text", formula_like, wrap)
        template = self.templates.get(key)
        if template is None:
            template = self.templates[key] = WriteOnlyCell(self.sheet)
            template.quotePrefix = formula_like
            if wrap:
                template.alignment = Alignment(wrap_text=True, vertical="top")
        cell = WriteOnlyCell(self.sheet, value)
        cell.data_type = "s"  # openpyxl reads a leading "=" as a formula
        cell._style = template._style
        return cell

    def row(self, values: Sequence) -> list:
        return [self.text(value, self.widths[index] if index < len(self.widths) else 12)
                if isinstance(value, str) and value else self.cell(value) for index, value in enumerate(values)]

    def cell(self, value):
        if value is None or isinstance(value, (int, float, bool)):
            return value
        if isinstance(value, str):
            return self.text(value, 1000) if value else value
        if isinstance(value, Decimal):
            return self.formatted(value, decimal_format(value))
        if isinstance(value, datetime):
            local = to_local(value) if value.tzinfo else value
            return self.formatted(local.replace(tzinfo=None), DATETIME_FORMAT)
        if isinstance(value, date):
            return self.formatted(value, DATE_FORMAT)
        return self.text(str(value), 1000)


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
        widths = [column_width(column) for column in columns]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([_header_cell(sheet, column.header) for column in columns])
        writer = _SheetWriter(sheet, widths)
        count = 1
        for row in rows:
            sheet.append(writer.row(row))
            count += 1
        if columns:  # filter buttons on the header, over every row written
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count}"
    workbook.save(target)


def _header_cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, text)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    return cell
