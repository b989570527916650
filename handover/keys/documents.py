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
from reportlab.pdfbase.pdfmetrics import stringWidth
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

# A4 plain paper, 3 × 7 tags of 63 × 37 mm with cutting guides, inside margins printers do not clip
# (at least 10 mm on every side, with room for the sheet's header and footer)
TAG_COLUMNS, TAG_ROWS = 3, 7
TAG_WIDTH, TAG_HEIGHT = 63 * mm, 37 * mm
TAG_TOP = (A4[1] - TAG_ROWS * TAG_HEIGHT) / 2
TAG_PADDING = 3 * mm
QR_SIZE = 27 * mm
#: punctuation that never starts a line of a label
NO_LINE_START = "、，。：；！？）》」』）" + pdf.CHINESE_CANNOT_START
#: the smallest font a label may shrink to before it is cut with an ellipsis
LABEL_MIN_SIZE = 6.5


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


def _wrap(text: str, size: float, width: float) -> list[str]:
    """`text` broken into lines no wider than `width` at `size`, character by character (Chinese
    has no spaces to break at)."""
    lines, line = [], ""
    for char in text:
        if line and stringWidth(line + char, cjk_font(), size) > width:
            if char in NO_LINE_START and len(line) > 1:  # 避头点: take the character before along
                lines.append(line[:-1])
                line = line[-1] + char
            else:
                lines.append(line)
                line = char.lstrip()
        else:
            line += char
    return [*lines, line] if line else lines


def label_lines(texts: Sequence[tuple[str, float, int]], width: float, height: float) -> list[tuple[str, float]]:
    """Lay out a tag's label inside width × height points: each (text, size, at most n lines) wraps
    onto up to n lines, and the whole label shrinks until it fits; what still does not fit at the
    smallest size is cut with an ellipsis. Never wider than `width`: the label stays inside its tag."""
    scale = 1.0
    while True:
        laid = []
        for text, size, most in texts:
            wrapped = _wrap(text, size * scale, width)
            laid += [(line, size * scale) for line in wrapped[:most]]
            if len(wrapped) > most:
                laid.append(("\x00", size * scale))  # marks a cut
        fits = sum(size * 1.3 for _line, size in laid) <= height
        if fits and not any(line == "\x00" for line, _size in laid):
            return laid
        if min(size for _t, size, _m in texts) * scale <= LABEL_MIN_SIZE:
            break
        scale -= 0.05
    result: list[tuple[str, float]] = []
    for text, size, most in texts:
        wrapped = _wrap(text, size * scale, width)
        if len(wrapped) > most:
            last = wrapped[most - 1]
            while last and stringWidth(last + "…", cjk_font(), size * scale) > width:
                last = last[:-1]
            wrapped = [*wrapped[:most - 1], last + "…"]
        result += [(line, size * scale) for line in wrapped]
    used, kept = 0.0, []
    for line, size in result:
        if used + size * 1.3 > height:
            break
        kept.append((line, size))
        used += size * 1.3
    return kept


def draw_tag_label(canvas: Canvas, tag: KeyTag, left: float, top: float, width: float, height: float) -> None:
    """The text beside a tag's QR code: unit (wrapping onto two lines), kind and copies, code, slot,
    shrunk to fit width × height below `top`."""
    texts = [(tag.place, 12, 3), (f"{tag.kind_name} ×{tag.copies}", 10, 1), (tag.code, 9, 2)]
    if tag.cabinet_slot:
        texts.append((f"柜位 {tag.cabinet_slot}", 9, 1))
    canvas.setFillColor(colors.black)
    for line, size in label_lines(texts, width, height):
        top -= size * 1.3
        canvas.setFont(cjk_font(), size)
        canvas.drawString(left, top + size * 0.25, line)


def draw_sheet_header(canvas: Canvas, sheet: TagSheet, page: int, pages: int) -> None:
    """The project and batch above the tags, and the page below them, inside the printable area."""
    canvas.setFillColor(colors.HexColor("#52606d"))
    canvas.setFont(cjk_font(), 9)
    canvas.drawString(12 * mm, A4[1] - 12 * mm, f"钥匙标签　{sheet.title}")
    canvas.drawRightString(A4[0] - 12 * mm, A4[1] - 12 * mm, f"共 {len(sheet.tags)} 枚")
    canvas.drawCentredString(A4[0] / 2, 10 * mm, f"第 {page} 页，共 {pages} 页　{sheet.project}")


def _draw_tag(canvas: Canvas, tag: KeyTag, x: float, y: float) -> None:
    canvas.setStrokeColor(colors.HexColor("#c3cad3"))
    canvas.setDash(1, 2)
    canvas.rect(x, y, TAG_WIDTH, TAG_HEIGHT)  # a cutting guide on plain paper
    canvas.setDash()
    draw_qr(canvas, tag.code, x + TAG_PADDING / 2, y + (TAG_HEIGHT - QR_SIZE) / 2, QR_SIZE)
    left = x + QR_SIZE + TAG_PADDING
    draw_tag_label(canvas, tag, left, y + TAG_HEIGHT - TAG_PADDING, x + TAG_WIDTH - TAG_PADDING - left,
                   TAG_HEIGHT - 2 * TAG_PADDING)


def render_tag_sheet(sheet: TagSheet) -> bytes:
    """Label pages: a QR code holding the key's code beside its unit, kind, code and slot."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, initialFontName=cjk_font())
    canvas.setTitle(f"钥匙标签 {sheet.title}")
    canvas.setAuthor("Handover")
    per_page = TAG_COLUMNS * TAG_ROWS
    pages = max(1, -(-len(sheet.tags) // per_page))
    draw_sheet_header(canvas, sheet, 1, pages)
    if not sheet.tags:
        canvas.setFont(cjk_font(), 12)
        canvas.drawString(20 * mm, A4[1] - 30 * mm, f"{sheet.title}：没有需要打印标签的钥匙。")
    for index, tag in enumerate(sheet.tags):
        if index and index % per_page == 0:
            canvas.showPage()
            draw_sheet_header(canvas, sheet, index // per_page + 1, pages)
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


def _header_fields(header: UnitHeader, day: str, st: pdf.Styles, day_label: str = "日期"):
    return pdf.fields_table([("项目", header.project), ("批次", header.batch), ("房屋", header.place),
                             ("业主", header.owners), (day_label, day), ("打印时间", _local(header.printed_at))], st)


def _people_table(header: UnitHeader, st: pdf.Styles):
    rows = [[person.name, person.id_masked or "—", person.phone or "—"] for person in header.people]
    return pdf.data_table(["买受人（含共有人）", "证件号码（部分隐藏）", "联系电话"], rows,
                          [60 * mm, 70 * mm, 50 * mm], st)


def _keys_table(lines: Sequence[KeyLine], st: pdf.Styles):
    rows = [[str(n), line.label, line.kind_name, str(line.copies), line.code, _local(line.at)]
            for n, line in enumerate(lines, start=1)]
    return pdf.data_table(["序号", "钥匙", "类型", "套数", "编号", "时间"], rows,
                          [12 * mm, 56 * mm, 22 * mm, 14 * mm, 32 * mm, 44 * mm], st)


#: cards and fobs handed with the keys, counted by hand at the desk (the system does not track them)
CARDS_AND_FOBS = ("门禁卡", "电梯卡", "车库遥控器", "信报箱钥匙牌")


def _cards_table(st: pdf.Styles):
    rows = [[name, "______ 张（个）", "编号：____________________"] for name in CARDS_AND_FOBS]
    return pdf.data_table(["卡片及遥控器", "数量", "编号"], rows, [50 * mm, 50 * mm, 80 * mm], st)


def _letterhead(header: UnitHeader, document: str, prefix: str, day: str = "") -> pdf.Letterhead:
    return pdf.Letterhead(header.company, document, header.place,
                          f"{prefix}-{header.unit_id:06d}{'-' + day.replace('-', '') if day else ''}")


def render_handover_record(record: HandoverRecord) -> bytes:
    """钥匙移交记录: the buyers (ID masked), the keys handed and their count, cards and fobs, the
    owner's drawn signature and a line for each buyer and the staff member, on the handover date."""
    st = pdf.styles()
    header = record.header
    if header.handed_over_on:
        day = header.handed_over_on.isoformat()
    else:
        day = _local(record.signings[-1].at, "%Y-%m-%d") if record.signings else ""
    letterhead = _letterhead(header, "钥匙移交记录", "YS", day)
    story = [pdf.text(header.company, st.small), pdf.text("钥匙移交记录", st.title),
             _header_fields(header, day or "（未移交）", st, "移交日期"), pdf.spacer(3), _people_table(header, st),
             pdf.spacer(4)]
    if record.lines:
        copies = sum(line.copies for line in record.lines)
        story += [_keys_table(record.lines, st), pdf.spacer(3),
                  pdf.text(f"以上钥匙共 {len(record.lines)} 项，合计 {copies} 把（套），业主已当面清点、试开并签收。",
                           st.body),
                  pdf.spacer(3)]
        story += [_signing_block("业主签名", signing, st) for signing in record.signings]
    else:
        story.append(pdf.text("本户尚无钥匙移交给业主。", st.body))
    story += [pdf.spacer(3), pdf.text("卡片及遥控器", st.heading), _cards_table(st)]
    signers = [f"买受人签字（{person.name}）" for person in header.people] or ["买受人签字"]
    signers.append("移交人（物业）")
    story.append(pdf.keep_together(
        pdf.spacer(4), pdf.text("买受人确认已收到上列钥匙、卡片及遥控器，数量与记录相符。", st.body),
        *[pdf.signature_lines(signers[i:i + 2], st) for i in range(0, len(signers), 2)]))
    return pdf.render(story, title=f"钥匙移交记录 {header.place}", letterhead=letterhead)


ENTRUSTMENT_TERMS = (
    "委托期限：自委托之日起至业主签字取回钥匙之日止；业主可随时取回。",
    "使用范围：钥匙仅供业主指定的维修、装修人员进户使用，每次借出须登记借用人、事由及时间并于当日归还；"
    "业主书面或电话确认之外的人员不得借用。",
    "责任：物业服务中心妥善保管钥匙，因保管不善造成钥匙遗失的，负责更换锁芯；"
    "借用人进户期间造成的损失由借用人承担，物业服务中心协助业主追偿。屋内财物请业主自行妥善保管。",
)


def render_entrustment_letter(letter: EntrustmentLetter) -> bytes:
    """钥匙委托书: the period, who may use the keys, the liability clause, the owner's contact, the keys
    left, belongings, a log of each use, and signatures kept together with their statement."""
    st = pdf.styles()
    header = letter.header
    day = _local(letter.entrusted.at, "%Y-%m-%d")
    contact = "；".join(f"{p.name} {p.phone}" for p in header.people) or "—"
    story = [pdf.text(header.company, st.small), pdf.text("钥匙委托书", st.title),
             _header_fields(header, day, st, "委托日期"), pdf.spacer(3),
             pdf.text(f"本人（{letter.entrusted.name}）系 {header.place} 业主，现将下列钥匙委托物业服务中心代为保管，"
                      "供维修或装修人员进户使用。物业服务中心凭本委托书保管钥匙、登记每次借用，"
                      "业主取回时签字确认。", st.body),
             pdf.text(f"业主联系电话：{contact}", st.body),
             pdf.spacer(2), _keys_table(letter.lines, st), pdf.spacer(2),
             pdf.text("委托条款", st.heading),
             *[pdf.text(f"{n}. {term}", st.body) for n, term in enumerate(ENTRUSTMENT_TERMS, start=1)],
             pdf.text("可使用钥匙的人员（业主指定）：________________________________________________", st.body),
             pdf.text("屋内物品说明", st.heading), pdf.text(letter.belongings or "（无）", st.body),
             pdf.keep_together(pdf.spacer(3), pdf.text("委托人已阅读并同意上述条款。", st.body),
                               _signing_block("委托人（业主）", letter.entrusted, st), pdf.spacer(2),
                               pdf.signature_lines(["受托人（物业）"], st))]
    rows = [[_local(u.at), u.event, u.to, u.note, u.staff] for u in letter.uses]
    rows += [["", "", "", "", ""]] * max(0, 3 - len(rows))  # lines to log the next uses by hand
    story += [pdf.text("委托期间钥匙使用记录（借出、归还）", st.heading),
              pdf.data_table(["时间", "事项", "借用人", "备注", "经办"], rows,
                             [34 * mm, 28 * mm, 34 * mm, 56 * mm, 28 * mm], st)]
    if letter.returned:
        closing = [_signing_block("业主签名", letter.returned, st)]
    else:
        closing = [pdf.signature_lines(["业主签名"], st)]
    story.append(pdf.keep_together(pdf.text("钥匙取回确认", st.heading),
                                   pdf.text("业主已取回上列全部钥匙，委托终止。", st.body), *closing))
    return pdf.render(story, title=f"钥匙委托书 {header.place}", letterhead=_letterhead(header, "钥匙委托书", "WT", day))


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
