"""Defect documents, laid out from the plain rows `document_rows` gathers: a unit's defect list
(问题清单) as a PDF for the owner and staff to check and sign, and the batch's defect ledger
(缺陷台账) as Excel.
"""
from flask_babel import gettext as _
from reportlab.lib.units import mm

from handover.core.timeutil import to_local
from handover.defects.document_rows import DefectLine, Ledger, UnitDefectSheet
from handover.reporting import pdf
from handover.reporting.xlsx import write_xlsx

THUMB_WIDTH = 24 * mm
#: two thumbnails and their cell padding stay well inside one page
THUMB_MAX_HEIGHT = 60 * mm


def write_ledger(target, ledger: Ledger, rows) -> None:
    """The ledger's rows (all of them, or an iterator that reports progress) as one Excel sheet."""
    write_xlsx(target, ledger.definition.xlsx_columns(), rows, sheet_title=ledger.definition.sheet)


def _photo_cell(line: DefectLine) -> list:
    return [pdf.fit_image(t.path, t.width, t.height, max_width=THUMB_WIDTH, max_height=THUMB_MAX_HEIGHT)
            for t in line.thumbnails]


def _status_text(line: DefectLine) -> str:
    return f"{line.status}\n({_('Overdue')})" if line.overdue else line.status


def render_unit_defects(sheet: UnitDefectSheet) -> bytes:
    """The defect list of one unit: header, a table with thumbnails, and signature lines."""
    st = pdf.styles()
    title = _("Defect list")
    printed = to_local(sheet.printed_at).strftime("%Y-%m-%d %H:%M")
    story = [
        pdf.text(title, st.title),
        pdf.fields_table([(_("Project"), sheet.project), (_("Batch"), sheet.batch), (_("Unit"), sheet.unit_label),
                          (_("Owner"), sheet.owner_name), (_("Defects"), str(len(sheet.lines))),
                          (_("Printed"), printed)], st),
        pdf.spacer(4),
    ]
    if sheet.lines:
        headers = [_("No."), _("Location"), _("Description"), _("Photos"), _("Severity"), _("Status"),
                   _("Due date")]
        rows = [[str(line.number), line.place, line.description, _photo_cell(line), line.severity,
                 _status_text(line), line.due_date.isoformat() if line.due_date else ""] for line in sheet.lines]
        widths = [9 * mm, 28 * mm, 58 * mm, 28 * mm, 15 * mm, 22 * mm, 20 * mm]
        story.append(pdf.data_table(headers, rows, widths, st))
    else:
        story.append(pdf.text(_("No defects have been recorded for this unit."), st.body))
    story.append(pdf.keep_together(
        pdf.spacer(6),
        pdf.text(_("The owner and our staff have checked the items above together."), st.small),
        pdf.signature_lines([_("Owner's signature"), _("Staff signature")], st),
    ))
    return pdf.render(story, title=f"{title} {sheet.unit_label}", footer=f"{sheet.project} · {sheet.batch}")
