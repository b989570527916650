"""Key documents, laid out from the plain rows `document_rows` gathers: tag sheets (QR labels),
the key handover record (钥匙移交记录), the key entrustment letter (钥匙委托书) and the batch's key
ledger (钥匙台账, Excel). They know no models.
"""
import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Table, TableStyle

from handover.core.timeutil import to_local
from handover.keys.document_rows import (EntrustmentLetter, HandoverRecord, KeyLedger, KeyLine, KeyTag, Signing,
                                         TagSheet, UnitHeader)
from handover.reporting import pdf
from handover.reporting.fonts import cjk_font
from handover.reporting.xlsx import Column, write_workbook


def _local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(value).strftime(fmt) if value else ""


# --- tag sheet -----------------------------------------------------------------------------------

# A4 label stock, 3 × 8 labels of 70 × 37 mm (the common 24-up sheet)
TAG_COLUMNS, TAG_ROWS = 3, 8
TAG_WIDTH, TAG_HEIGHT = 70 * mm, 37 * mm
TAG_TOP = (A4[1] - TAG_ROWS * TAG_HEIGHT) / 2
TAG_PADDING = 3 * mm
QR_SIZE = TAG_HEIGHT - 2 * TAG_PADDING


QR_QUIET_ZONE = 4  # modules of white around the code, as the standard asks
#: every reader accepts any of the 8 masks; choosing the "best" one per code costs 4× the encoding
QR_MASK = 2


def _qr_runs(value: str) -> tuple[int, list[tuple[int, int, int]]]:
    """(modules per side, [(row, first column, length) of each dark run]) of the QR code of
    `value`, error correction M (segno: about 1 ms a code, where reportlab's encoder takes 25)."""
    matrix = segno.make_qr(value, error="m", boost_error=False, mask=QR_MASK).matrix
    runs = []
    for row, line in enumerate(matrix):
        column = 0
        while column < len(line):
            if line[column]:
                start = column
                while column < len(line) and line[column]:
                    column += 1
                runs.append((row, start, column - start))
            else:
                column += 1
    return len(matrix), runs


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """A QR code of `value` with its quiet zone, size × size points, lower left corner at (x, y):
    one filled path with a rectangle per run of dark modules, written in module units (whole
    numbers) under one transform, so a code costs a few hundred short operators."""
    modules, runs = _qr_runs(value)
    unit = size / (modules + 2 * QR_QUIET_ZONE)
    canvas.saveState()
    # module (column, row) → page: x grows right, rows go down from the top of the code
    canvas.transform(unit, 0, 0, -unit, x + QR_QUIET_ZONE * unit, y + size - QR_QUIET_ZONE * unit)
    canvas.setFillColor(colors.black)
    canvas.addLiteral(" ".join(f"{column} {row} {length} 1 re" for row, column, length in runs) + " f")
    canvas.restoreState()


def _fit(canvas: Canvas, text: str, size: float, width: float) -> float:
    """The largest font size up to `size` at which `text` fits in `width`."""
    while size > 6 and canvas.stringWidth(text, cjk_font(), size) > width:
        size -= 0.5
    return size


def _draw_tag(canvas: Canvas, tag: KeyTag, x: float, y: float) -> None:
    canvas.setStrokeColor(colors.HexColor("#c3cad3"))
    canvas.setDash(1, 2)
    canvas.rect(x, y, TAG_WIDTH, TAG_HEIGHT)  # a cutting guide on plain paper
    canvas.setDash()
    draw_qr(canvas, tag.code, x + TAG_PADDING / 2, y + TAG_PADDING, QR_SIZE)
    left = x + QR_SIZE + TAG_PADDING
    width = x + TAG_WIDTH - TAG_PADDING - left
    font = cjk_font()
    lines = [(tag.place, 14), (f"{tag.kind_name} ×{tag.copies}", 12), (tag.code, 10.5),
             (f"柜位 {tag.cabinet_slot}" if tag.cabinet_slot else "", 10.5)]
    top = y + TAG_HEIGHT - TAG_PADDING - 1 * mm
    for text, size in lines:
        size = _fit(canvas, text, size, width)
        top -= size * 1.7
        canvas.setFont(font, size)
        canvas.setFillColor(colors.black)
        canvas.drawString(left, top, text)


def render_tag_sheet(sheet: TagSheet) -> bytes:
    """Label pages: a QR code holding the key's code beside its unit, kind, code and slot."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, initialFontName=cjk_font())
    canvas.setTitle(f"钥匙标签 {sheet.title}")
    canvas.setAuthor("Handover")
    per_page = TAG_COLUMNS * TAG_ROWS
    if not sheet.tags:
        canvas.setFont(cjk_font(), 12)
        canvas.drawString(20 * mm, A4[1] - 30 * mm, f"{sheet.title}：没有需要打印标签的钥匙。")
    for index, tag in enumerate(sheet.tags):
        if index and index % per_page == 0:
            canvas.showPage()
        slot = index % per_page
        row, column = divmod(slot, TAG_COLUMNS)
        x = (A4[0] - TAG_COLUMNS * TAG_WIDTH) / 2 + column * TAG_WIDTH
        y = A4[1] - TAG_TOP - (row + 1) * TAG_HEIGHT
        _draw_tag(canvas, tag, x, y)
    canvas.showPage()
    canvas.save()
    return out.getvalue()

# --- handover record and entrustment letter ------------------------------------------------------

SIGNATURE_WIDTH, SIGNATURE_MAX_HEIGHT = 60 * mm, 24 * mm


def _signature_image(path: Path | None, st: pdf.Styles):
    if path is None:
        return pdf.text("（未签名）", st.small)
    image = Image(str(path))
    scale = min(SIGNATURE_WIDTH / image.imageWidth, SIGNATURE_MAX_HEIGHT / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    image.hAlign = "LEFT"
    return image


def _signing_block(title: str, signing: Signing, st: pdf.Styles) -> Table:
    """The drawn signature with who signed, when, and the staff member who took it."""
    rows = [[pdf.text(title, st.body), _signature_image(signing.signature, st)],
            ["", pdf.text(f"{signing.name}　{_local(signing.at)}　经办：{signing.staff}", st.small)]]
    table = Table(rows, colWidths=[30 * mm, pdf.FRAME_WIDTH - 30 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("LINEBELOW", (1, 0), (1, 0), 0.6, colors.black),
                               # else the empty cell sets Helvetica: referenced, never embedded
                               ("FONTNAME", (0, 0), (-1, -1), st.body.fontName)]))
    return table


def _header_fields(header: UnitHeader, day: str, st: pdf.Styles):
    return pdf.fields_table([("项目", header.project), ("批次", header.batch), ("房屋", header.place),
                             ("业主", header.owners), ("日期", day), ("打印时间", _local(header.printed_at))], st)


def _keys_table(lines: Sequence[KeyLine], st: pdf.Styles):
    rows = [[str(n), line.label, line.kind_name, str(line.copies), line.code, _local(line.at)]
            for n, line in enumerate(lines, start=1)]
    return pdf.data_table(["序号", "钥匙", "类型", "套数", "编号", "时间"], rows,
                          [12 * mm, 56 * mm, 22 * mm, 14 * mm, 32 * mm, 44 * mm], st)


def render_handover_record(record: HandoverRecord) -> bytes:
    """钥匙移交记录: the keys handed, the owner's drawn signature, and a line for the staff member."""
    st = pdf.styles()
    day = _local(record.signings[-1].at, "%Y-%m-%d") if record.signings else ""
    story = [pdf.text("钥匙移交记录", st.title), _header_fields(record.header, day, st), pdf.spacer(4)]
    if record.lines:
        story += [_keys_table(record.lines, st), pdf.spacer(3),
                  pdf.text(f"以上钥匙共 {len(record.lines)} 把（组），业主已当面清点、试开并签收。", st.body),
                  pdf.spacer(4)]
        story += [_signing_block("业主签名", signing, st) for signing in record.signings]
    else:
        story.append(pdf.text("本户尚无钥匙移交给业主。", st.body))
    story += [pdf.spacer(6), pdf.signature_lines(["移交人（物业）"], st)]
    return pdf.render(story, title=f"钥匙移交记录 {record.header.place}", footer=record.header.project)


def render_entrustment_letter(letter: EntrustmentLetter) -> bytes:
    """钥匙委托书: the keys left with the office, belongings in the unit, signatures at both ends."""
    st = pdf.styles()
    header = letter.header
    story = [pdf.text("钥匙委托书", st.title), _header_fields(header, _local(letter.entrusted.at, "%Y-%m-%d"), st),
             pdf.spacer(3),
             pdf.text(f"本人（{letter.entrusted.name}）系 {header.place} 业主，现将下列钥匙委托物业服务中心代为保管，"
                      "供维修或装修人员进户使用。物业服务中心凭本委托书保管钥匙、登记每次借用，"
                      "业主取回时签字确认。", st.body),
             pdf.spacer(3), _keys_table(letter.lines, st), pdf.spacer(3),
             pdf.text("屋内物品说明", st.heading), pdf.text(letter.belongings or "（无）", st.body), pdf.spacer(4),
             _signing_block("委托人（业主）", letter.entrusted, st), pdf.spacer(4),
             pdf.signature_lines(["受托人（物业）"], st)]
    if letter.uses:
        story += [pdf.text("委托期间钥匙使用记录", st.heading),
                  pdf.data_table(["时间", "事项", "借用人", "备注", "经办"],
                                 [[_local(u.at), u.event, u.to, u.note, u.staff] for u in letter.uses],
                                 [34 * mm, 28 * mm, 34 * mm, 56 * mm, 28 * mm], st)]
    story.append(pdf.text("钥匙取回确认", st.heading))
    if letter.returned:
        story.append(_signing_block("业主签名", letter.returned, st))
    else:
        story.append(pdf.signature_lines(["业主签名"], st))
    return pdf.render(story, title=f"钥匙委托书 {header.place}", footer=header.project)


# --- key ledger (Excel) --------------------------------------------------------------------------

STATE_COLUMNS = [Column("楼栋", 8), Column("单元", 6), Column("房号", 8), Column("钥匙类型", 10), Column("标签", 24),
                 Column("编号", 14), Column("套数", 6), Column("柜位", 8), Column("状态", 14), Column("持有人", 20),
                 Column("应还日期", 12), Column("超期", 6)]
HISTORY_COLUMNS = [Column("时间", 17), Column("楼栋", 8), Column("单元", 6), Column("房号", 8), Column("编号", 14),
                   Column("标签", 24), Column("事件", 16), Column("对方", 16), Column("试开结果", 9),
                   Column("备注", 30), Column("事件后状态", 14), Column("经办人", 14), Column("已签名", 8)]


def write_key_ledger(target, ledger: KeyLedger) -> None:
    write_workbook(target, [("当前状态", STATE_COLUMNS, ledger.state), ("事件记录", HISTORY_COLUMNS, ledger.history)])


def key_ledger_bytes(ledger: KeyLedger) -> tuple[bytes, str]:
    """The ledger workbook and its file name."""
    out = io.BytesIO()
    write_key_ledger(out, ledger)
    return out.getvalue(), ledger.file_name
