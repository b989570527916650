"""Defect documents, laid out from the plain rows `document_rows` gathers: a unit's defect list
(问题清单) as a PDF for the owner and staff to check and sign, and the batch's defect ledger
(缺陷台账) as Excel.
"""
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle

from handover.core.timeutil import to_local
from handover.defects.document_rows import DefectLine, Ledger, UnitDefectSheet
from handover.reporting import pdf
from handover.reporting.xlsx import write_xlsx

#: the photo grid: four photos a row, each no taller than a quarter page, so a row never outgrows a page
PHOTOS_PER_ROW = 4
PHOTO_WIDTH = (pdf.FRAME_WIDTH - 2 * mm) / PHOTOS_PER_ROW
PHOTO_MAX_HEIGHT = 60 * mm
#: characters of a description per table row: about a fifth of a page in its column
DESCRIPTION_CHUNK = 200


def write_ledger(target, ledger: Ledger, rows) -> None:
    """The ledger's rows (all of them, or an iterator that reports progress) as one Excel sheet."""
    write_xlsx(target, ledger.definition.xlsx_columns(), rows, sheet_title=ledger.definition.sheet)


def _photo_grid(line: DefectLine, st: pdf.Styles) -> Table:
    """All of one defect's photos, four a row, each labelled (found / after the fix) under it."""
    caption = pdf.text(_("No. %(n)d %(place)s", n=line.number, place=line.place), st.body)
    cells = []
    for thumb in line.thumbnails:
        image = pdf.fit_image(thumb.path, thumb.width, thumb.height, max_width=PHOTO_WIDTH - 6,
                              max_height=PHOTO_MAX_HEIGHT)
        cells.append([image, pdf.text(thumb.kind, st.small)])
    rows = [cells[i:i + PHOTOS_PER_ROW] for i in range(0, len(cells), PHOTOS_PER_ROW)]
    rows[-1] += [""] * (PHOTOS_PER_ROW - len(rows[-1]))
    grid = Table([[caption, "", "", ""], *rows], colWidths=[PHOTO_WIDTH] * PHOTOS_PER_ROW, hAlign="LEFT")
    grid.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0)), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("BOX", (0, 0), (-1, -1), 0.5, pdf.GRID),
                              ("LINEBELOW", (0, 0), (-1, 0), 0.5, pdf.GRID),
                              ("BACKGROUND", (0, 0), (-1, 0), pdf.HEADER_FILL),
                              ("FONTNAME", (0, 0), (-1, -1), st.body.fontName)]))
    return grid


def _status_text(line: DefectLine) -> str:
    return f"{line.status}\n({_('Overdue')})" if line.overdue else line.status


def _signers(sheet: UnitDefectSheet) -> list[str]:
    if not sheet.for_owner:
        return [_("Inspector's signature"), _("Staff signature")]
    owners = [_("Owner's signature (%(name)s)", name=name) for name in sheet.owners] or [_("Owner's signature")]
    return [*owners, _("Staff signature")]


def _signature_block(sheet: UnitDefectSheet, st: pdf.Styles) -> list:
    signers = _signers(sheet)
    statement = (_("The owner and our staff have checked the items above together.") if sheet.for_owner
                 else _("Internal list for staff: not for the owner's signature."))
    pairs = [pdf.signature_lines(signers[i:i + 2], st) for i in range(0, len(signers), 2)]
    block = [pdf.spacer(6), pdf.text(statement, st.body), *pairs]
    if sheet.seal_box:
        block.append(pdf.seal_box(_("Company seal"), st))
    return [pdf.keep_together(*block)]


def render_unit_defects(sheet: UnitDefectSheet) -> bytes:
    """The defect list of one unit: header, a table of the defects (stage, round, inspector,
    contractor, due date), every photo in a labelled grid, and a signature line for each buyer and staff."""
    st = pdf.styles()
    title = _("Defect list") if sheet.for_owner else _("Internal defect list")
    printed = to_local(sheet.printed_at).strftime("%Y-%m-%d %H:%M")
    story = [
        pdf.text(sheet.company, st.small) if sheet.company else pdf.spacer(0),
        pdf.text(title, st.title),
        pdf.fields_table([(_("Project"), sheet.project), (_("Batch"), sheet.batch), (_("Unit"), sheet.unit_label),
                          (_("Owner"), sheet.owner_name), (_("Stages"), "、".join(sheet.stages)),
                          (_("Defects"), str(len(sheet.lines))), (_("Printed"), printed),
                          (_("Document No."), sheet.number)], st),
        pdf.spacer(4),
    ]
    if sheet.lines:
        headers = [_("No."), _("Stage / round"), _("Location"), _("Description"), _("Severity"), _("Status"),
                   _("Inspector / contractor"), _("Due date")]
        rows, continued = [], []
        for line in sheet.lines:
            first, *rest = pdf.chunks(line.description, DESCRIPTION_CHUNK)
            rows.append([str(line.number), f"{line.stage}\n{line.round}", line.place, first, line.severity,
                         _status_text(line), f"{line.inspector}\n{line.contractor}".strip(),
                         line.due_date.isoformat() if line.due_date else ""])
            for piece in rest:  # a long description continues in rows of its own, which split cleanly
                continued.append(len(rows))
                rows.append(["", "", "", piece, "", "", "", ""])
        widths = [8 * mm, 20 * mm, 21 * mm, 60 * mm, 15 * mm, 15 * mm, 22 * mm, 19 * mm]
        story.append(pdf.data_table(headers, rows, widths, st, split_in_row=False, continued=continued))
    else:
        story.append(pdf.text(_("No defects have been recorded for this unit."), st.body))
    story += _signature_block(sheet, st)
    with_photos = [line for line in sheet.lines if line.thumbnails]
    if with_photos:
        heading = pdf.text(_("Photos (found and after the fix)"), st.heading)
        for index, line in enumerate(with_photos):  # the heading stays with the first grid
            story += [pdf.keep_together(*([heading] if index == 0 else []), _photo_grid(line, st)), pdf.spacer(2)]
    letterhead = pdf.Letterhead(sheet.company, title, sheet.unit_label, sheet.number)
    return pdf.render(story, title=f"{title} {sheet.unit_label}", letterhead=letterhead)
