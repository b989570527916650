"""The generic XLSX writer: typed cells, local times, formula injection neutralised."""
import io
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from handover.reporting.xlsx import Column, neutralise, write_xlsx
from tests.fixtures.tools import require


def _read(rows, columns=None):
    out = io.BytesIO()
    columns = columns or [Column(f"列{i}") for i in range(len(rows[0]))]
    write_xlsx(out, columns, rows, sheet_title="台账")
    return load_workbook(io.BytesIO(out.getvalue())).active


def test_header_widths_and_frozen_header():
    sheet = _read([["x", 1]], [Column("问题描述", 40), Column("返修次数", 8)])
    assert [c.value for c in sheet[1]] == ["问题描述", "返修次数"]
    assert sheet[1][0].font.b
    assert sheet.column_dimensions["A"].width == 40 and sheet.column_dimensions["B"].width >= 12
    assert sheet.freeze_panes == "A2"
    assert sheet.title == "台账"


def test_decimals_are_numbers_with_their_places():
    sheet = _read([[Decimal("24000.00"), Decimal("-140000.00"), Decimal("0.030000"), Decimal("7")]])
    amount, refund, rate, whole = sheet[2]
    assert amount.data_type == "n" and amount.value == 24000 and amount.number_format == "#,##0.00"
    assert refund.value == -140000 and refund.number_format == "#,##0.00"
    assert rate.value == pytest.approx(0.03) and rate.number_format == "#,##0.000000"
    assert whole.number_format == "#,##0"


def test_dates_and_local_times(app):
    with app.app_context():
        sheet = _read([[date(2026, 12, 1), datetime(2026, 11, 30, 18, 30, tzinfo=timezone.utc), 3, None]])
    due, created, count, empty = sheet[2]
    assert due.is_date and due.value == datetime(2026, 12, 1) and due.number_format == "yyyy-mm-dd"
    # 18:30 UTC is 02:30 the next morning in Asia/Shanghai
    assert created.value == datetime(2026, 12, 1, 2, 30) and created.number_format == "yyyy-mm-dd hh:mm"
    assert count.value == 3 and empty.value is None


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","点我")', "+1+2", "-2+3", "@SUM(A1)", "\t=1"])
def test_formula_injection_is_neutralised(text):
    """Shown exactly as typed, without a visible apostrophe: a text cell with the quote-prefix style."""
    cell = _read([[text]])[2][0]
    assert cell.data_type == "s" and cell.quotePrefix
    assert cell.value == text


def test_every_sheet_has_an_autofilter_wrapped_long_text_and_headers_that_fit():
    long = "卫生间墙砖空鼓开裂，需要铲除重贴。" * 20
    sheet = _read([["短", long], ["x", "y"]], [Column("问题所在位置及房间名称", 6), Column("描述", 30)])
    assert sheet.auto_filter.ref == "A1:B3"
    assert sheet.column_dimensions["A"].width >= 2 * len("问题所在位置及房间名称")
    assert sheet["B2"].alignment.wrap_text and not sheet["A2"].alignment.wrap_text
    assert sheet["B2"].value == long


def test_carriage_return_trigger_is_neutralised():
    assert neutralise("\r=1") == "'\r=1"


def test_ordinary_text_is_untouched():
    assert neutralise("客厅墙面空鼓") == "客厅墙面空鼓"
    assert neutralise("a=b") == "a=b"
    assert _read([["客厅 -> 卧室"]])[2][0].value == "客厅 -> 卧室"


def test_libreoffice_shows_formula_like_text_as_typed_and_evaluates_nothing(tmp_path):
    """Opened by a real spreadsheet program (LibreOffice headless, where installed) and saved as
    CSV: each formula-like text comes out exactly as typed (no apostrophe, no result)."""
    import csv
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require(soffice is not None, "LibreOffice (libreoffice-calc-nogui)")
    texts = ['=HYPERLINK("http://x","点我")', "=1+2", "+1+2", "-2+3", "@SUM(A1)"]
    path = tmp_path / "injection.xlsx"
    write_xlsx(path, [Column("备注", 30)], [[text] for text in texts], sheet_title="台账")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    with open(tmp_path / "injection.csv", encoding="utf-8") as handle:
        cells = [row[0] for row in csv.reader(handle)]
    assert cells == ["备注", *texts]
