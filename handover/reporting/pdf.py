"""reportlab helpers: Chinese-capable styles, tables that wrap Chinese text, "page x of y" footers.

Every style uses the embedded CJK font (fonts.py) with CJK line breaking, so a long Chinese
description wraps inside its cell instead of running off the page.
"""
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)
from reportlab.platypus import paragraph as rl_paragraph

from handover.reporting.fonts import cjk_font, font_runs

PAGE_SIZE = A4
#: left/right margin; office printers clip up to about 5 mm, so nothing is drawn closer than 10 mm
MARGIN = 15 * mm
#: top and bottom margins leave room for the running header and the footer
TOP_MARGIN = 20 * mm
BOTTOM_MARGIN = 20 * mm
#: the running header's and the footer's baselines, from the page's top and bottom edges
HEADER_Y = 12 * mm
FOOTER_Y = 10 * mm
#: the width available to tables between the margins
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
HEADER_FILL = colors.HexColor("#e8edf3")
# reportlab's list of characters that may not start a line is Japanese; Chinese typesetting
# (避头点) also keeps full-width ，：；！？ and closing quotes/brackets off the start of a line.
# Both wrapping paths (one-run paragraphs in textsplit, mixed runs in paragraph) read the list.
CHINESE_CANNOT_START = "\uff0c\uff1a\uff1b\uff01\uff1f\u201d\u2019\u300b\u3009\uff09\uff5d"
for _module in (textsplit, rl_paragraph):
    if CHINESE_CANNOT_START[0] not in _module.ALL_CANNOT_START:
        _module.ALL_CANNOT_START += CHINESE_CANNOT_START
GRID = colors.HexColor("#9aa5b1")


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    header_cell: ParagraphStyle


def styles() -> Styles:
    """Paragraph styles in the embedded Chinese font, with CJK line breaking."""
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    return Styles(
        title=ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=4 * mm),
        # a heading never stays alone at the foot of a page
        heading=ParagraphStyle("heading", parent=body, fontSize=12, leading=16, spaceBefore=3 * mm,
                               spaceAfter=2 * mm, keepWithNext=1),
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#52606d")),
        cell=ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11),
        header_cell=ParagraphStyle("header_cell", parent=body, fontSize=8.5, leading=11),
    )


def markup(value) -> str:
    """Plain text as paragraph markup: escaped (data never becomes markup), newlines kept, and each
    character the main font lacks (a rare name character) set in a fallback font that has it."""
    pieces = []
    for font, run in font_runs("" if value is None else str(value)):
        escaped = escape(run).replace("\n", "<br/>")
        pieces.append(escaped if font == cjk_font() else f'<font name="{font}">{escaped}</font>')
    return "".join(pieces)


def text(value, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (see `markup`), in `style`."""
    return Paragraph(markup(value), style)


def data_table(headers: Sequence[str], rows: Sequence[Sequence], widths: Sequence[float], st: Styles, *,
               split_in_row: bool = True, continued: Sequence[int] = ()) -> Table:
    """A grid table whose header repeats on every page. Strings become wrapping paragraphs;
    flowables (images, nested tables) are placed as they are. A row taller than what is left of
    the page splits inside the row (its text continues on the next page) instead of failing, so
    images in a cell must be no taller than a page (see `fit_image`)."""
    body = [[cell if isinstance(cell, (Flowable, list)) else text(cell, st.cell) for cell in row] for row in rows]
    table = Table([[text(h, st.header_cell) for h in headers], *body], colWidths=list(widths), repeatRows=1,
                  splitInRow=1 if split_in_row else 0)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("FONTNAME", (0, 0), (-1, -1), st.cell.fontName),
        # a continuation row (`continued`, 0-based body rows) reads as part of the row above it
        *[("LINEABOVE", (0, row + 1), (-1, row + 1), 0.5, colors.white) for row in continued],
        *[("LINEBEFORE", (1, row + 1), (-1, row + 1), 0.5, GRID) for row in continued],
    ]))
    return table


def chunks(value: str, size: int) -> list[str]:
    """A long text cut into pieces of about `size` characters, at a line or sentence end where one
    is near, so each piece can be its own table row (rows that fit a page split cleanly)."""
    value = value or ""
    pieces = []
    while len(value) > size:
        cut = max(value.rfind(mark, size // 2, size) for mark in ("\n", "。", "；", "，", " "))
        cut = cut + 1 if cut > 0 else size
        pieces.append(value[:cut])
        value = value[cut:]
    return [*pieces, value]


def fields_table(pairs: Sequence[tuple[str, str]], st: Styles, columns: int = 2) -> Table:
    """Label/value pairs laid out in `columns` pairs per line, without a grid (a document header)."""
    cells = [[text(label, st.small), text(value, st.body)] for label, value in pairs]
    lines = [sum(cells[i:i + columns], []) for i in range(0, len(cells), columns)]
    lines[-1] += [""] * (2 * columns - len(lines[-1]))
    label_width, value_width = 22 * mm, FRAME_WIDTH / columns - 22 * mm
    table = Table(lines, colWidths=[label_width, value_width] * columns)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("FONTNAME", (0, 0), (-1, -1), st.body.fontName)]))
    return table


def signature_lines(labels: Sequence[str], st: Styles) -> Table:
    """Places to sign by hand, side by side: each signer gets a signature line and a date line."""
    signature_row, date_row, widths, lines = [], [], [], []
    for index, label in enumerate(labels):
        if index:
            signature_row.append("")
            date_row.append("")
            widths.append(10 * mm)  # a gap between two signers
        signature_row += [text(label, st.body), ""]
        date_row += [text(_("Date"), st.body), ""]
        widths += [46 * mm, 34 * mm]
        line_column = len(widths) - 1
        lines.append(("LINEBELOW", (line_column, 0), (line_column, 1), 0.6, colors.black))
    table = Table([signature_row, date_row], colWidths=widths, rowHeights=[14 * mm, 10 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("FONTNAME", (0, 0), (-1, -1), st.body.fontName), *lines]))
    return table


def fit_image(path, width: float, height: float, *, max_width: float, max_height: float) -> Image:
    """An image drawn at its aspect ratio within max_width × max_height (points): a phone's long
    screenshot shrinks to fit instead of running off the page."""
    scale = min(max_width / max(width, 1), max_height / max(height, 1))
    return Image(str(path), width=width * scale, height=height * scale)


def spacer(height_mm: float) -> Spacer:
    return Spacer(1, height_mm * mm)


def keep_together(*flowables: Flowable) -> KeepTogether:
    """Flowables that move to the next page together (a statement and its signatures)."""
    return KeepTogether(list(flowables))


@dataclass(frozen=True)
class Letterhead:
    """What identifies a document on every page: the issuing company, the document's name, what
    it is about (a unit: 1号楼1单元201室) and its number. Pages after the first carry it in a header,
    every page in the footer, so a loose page can be put back where it belongs."""

    company: str = ""
    document: str = ""
    subject: str = ""
    number: str = ""


class SectionStart(Flowable):
    """Invisible: starts a new document inside one file (a batch's notices): pages count from 1 again
    and the header and footer name this section's letterhead."""

    def __init__(self, letterhead: Letterhead, on_drawn=None):
        super().__init__()
        self.letterhead, self.on_drawn = letterhead, on_drawn

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.canv.letterhead = self.letterhead
        self.canv.section_start = self.canv.getPageNumber()
        if self.on_drawn:
            self.on_drawn()


class NumberedCanvas(Canvas):
    """Holds pages back until the end so each footer can say "page x of y"; pages after the first
    of each section get a running header (the letterhead)."""

    letterhead: Letterhead = Letterhead()
    section_start = 1

    def __init__(self, *args, page_label: str, footer: str = "", letterhead: Letterhead | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._page_label, self._footer, self._pages = page_label, footer, []
        if letterhead is not None:
            self.letterhead = letterhead

    def showPage(self):  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        starts = [state.get("section_start", 1) for state in self._pages]
        counts = {start: starts.count(start) for start in set(starts)}
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_header()
            self._draw_footer(counts[self.section_start])
            super().showPage()
        super().save()

    def _draw_header(self) -> None:
        head = self.letterhead
        if self._pageNumber <= self.section_start or not (head.document or head.subject):
            return
        self.saveState()
        self.setFillColor(colors.HexColor("#52606d"))
        y = PAGE_SIZE[1] - HEADER_Y
        _draw_runs(self, MARGIN, y, "　".join(p for p in (head.document, head.subject) if p), 8.5)
        right = "　".join(p for p in (head.company, f"No. {head.number}" if head.number else "") if p)
        _draw_runs(self, PAGE_SIZE[0] - MARGIN, y, right, 8.5, align="right")
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        self.line(MARGIN, y - 2 * mm, PAGE_SIZE[0] - MARGIN, y - 2 * mm)
        self.restoreState()

    def _draw_footer(self, total: int) -> None:
        self.saveState()
        self.setFillColor(colors.HexColor("#52606d"))
        page = self._pageNumber - self.section_start + 1
        label = self._page_label % {"page": page, "pages": total} if "%(" in self._page_label else self._page_label
        _draw_runs(self, PAGE_SIZE[0] / 2, FOOTER_Y, label, 8, align="center")
        head = self.letterhead
        left = self._footer or head.company
        if left:
            _draw_runs(self, MARGIN, FOOTER_Y, left, 8)
        if head.number:
            _draw_runs(self, PAGE_SIZE[0] - MARGIN, FOOTER_Y, f"No. {head.number}", 8, align="right")
        self.restoreState()


def _draw_runs(canvas: Canvas, x: float, y: float, value: str, size: float, align: str = "left") -> None:
    """One line of text on the canvas, each rare character in a fallback font that has it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    runs = font_runs(value)
    width = sum(stringWidth(run, font, size) for font, run in runs)
    x -= {"left": 0, "center": width / 2, "right": width}[align]
    for font, run in runs:
        canvas.setFont(font, size)
        canvas.drawString(x, y, run)
        x += stringWidth(run, font, size)


def document_template(target, *, title: str) -> SimpleDocTemplate:
    """A4 pages with the margins every document uses (room for the header and footer)."""
    return SimpleDocTemplate(target, pagesize=PAGE_SIZE, leftMargin=MARGIN, rightMargin=MARGIN,
                             topMargin=TOP_MARGIN, bottomMargin=BOTTOM_MARGIN, title=title,
                             creator="Handover", author="Handover",
                             # else the canvas starts in Helvetica: referenced, never embedded
                             initialFontName=cjk_font())


def sign_off(lines: Sequence[str], st: Styles, *, seal: str = "") -> Table:
    """The issuer's closing block at the right: its name (盖章) and the date, with the box for the
    seal beside it when `seal` labels one."""
    words = [text(line, st.body) for line in lines]
    if not seal:
        table = Table([[words]], colWidths=[80 * mm], hAlign="RIGHT")
    else:
        table = Table([[words, seal_box(seal, st, size=32 * mm)]], colWidths=[70 * mm, 36 * mm], hAlign="RIGHT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("FONTNAME", (0, 0), (-1, -1), st.body.fontName)]))
    return table


def seal_box(label: str, st: Styles, size: float = 38 * mm) -> Table:
    """A dashed square where the company seal goes (盖章处)."""
    table = Table([[text(label, st.small)]], colWidths=[size], rowHeights=[size], hAlign="RIGHT")
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, GRID, None, (2, 2)),
                               ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("FONTNAME", (0, 0), (-1, -1), st.body.fontName)]))
    return table


def render(story: list, *, title: str, footer: str = "", letterhead: Letterhead | None = None,
           page_label: str | None = None) -> bytes:
    """Lay out `story` on A4 pages with a "page x of y" footer (and, from page 2, a header naming the
    letterhead's document and unit) and return the PDF bytes."""
    out = io.BytesIO()
    build(out, story, title=title, footer=footer, letterhead=letterhead, page_label=page_label)
    return out.getvalue()


def build(target, story: list, *, title: str, footer: str = "", letterhead: Letterhead | None = None,
          page_label: str | None = None) -> None:
    """`render` into a path or file object (a long batch file goes straight to disk)."""
    # translated once without values: the canvas fills in both numbers when the total is known
    label = page_label or _("Page %(page)d of %(pages)d")
    document_template(target, title=title).build(
        story, canvasmaker=partial(NumberedCanvas, page_label=label, footer=footer, letterhead=letterhead))
