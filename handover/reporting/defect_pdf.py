"""A unit's defect list (问题清单) as a PDF, for the owner and staff to check and sign.

`unit_sheet` / `batch_sheets` gather plain data; `render_unit_defects` lays it out.
"""
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Image

from handover.core import storage
from handover.core.timeutil import now_utc, to_local, today_local
from handover.defects.models import Defect
from handover.defects.rules import is_overdue
from handover.extensions import db
from handover.projects.models import Batch, Building, Contract, Unit
from handover.reporting import pdf

THUMBS_PER_DEFECT = 2
THUMB_WIDTH = 24 * mm


@dataclass(frozen=True)
class Thumbnail:
    path: Path
    width: int
    height: int


@dataclass(frozen=True)
class DefectLine:
    number: int
    short_id: str
    place: str
    description: str
    severity: str
    status: str
    contractor: str
    due_date: date | None
    overdue: bool
    thumbnails: tuple[Thumbnail, ...]


@dataclass(frozen=True)
class UnitDefectSheet:
    project: str
    batch: str
    unit_label: str
    owner_name: str
    printed_at: datetime
    lines: tuple[DefectLine, ...]

    @property
    def file_name(self) -> str:
        return f"{self.unit_label}.pdf".replace("/", "-")


def _unit_label(unit: Unit) -> str:
    return _("Building %(b)s, entrance %(e)s, room %(r)s", b=unit.building.name, e=unit.entrance, r=unit.room_no)


def _owner_names(unit: Unit) -> str:
    contract = unit.contract
    if contract is None:
        return ""
    return "、".join(owner.name for owner in [contract.owner, *contract.co_owners])


def _thumbnails(defect: Defect) -> tuple[Thumbnail, ...]:
    found = []
    for photo in defect.photos:
        path = storage.resolve(photo.thumb_path)
        if path.is_file():
            found.append(Thumbnail(path, photo.width, photo.height))
        if len(found) == THUMBS_PER_DEFECT:
            break
    return tuple(found)


def _line(number: int, defect: Defect, today: date) -> DefectLine:
    place = " · ".join(part for part in (defect.room, defect.category, defect.sub_item) if part)
    return DefectLine(number, defect.short_id, place, defect.description, defect.severity.label,
                      defect.status.label, defect.contractor.name if defect.contractor else "", defect.due_date,
                      is_overdue(defect.status, defect.due_date, today), _thumbnails(defect))


def _sheet(unit: Unit, defects: Iterable[Defect], today: date, printed_at: datetime) -> UnitDefectSheet:
    lines = tuple(_line(number, defect, today) for number, defect in enumerate(defects, start=1))
    return UnitDefectSheet(unit.batch.project.name, unit.batch.name, _unit_label(unit), _owner_names(unit),
                           printed_at, lines)


def _defects_of(unit_ids: list[int]) -> dict[int, list[Defect]]:
    stmt = (sa.select(Defect).where(Defect.unit_id.in_(unit_ids))
            .options(joinedload(Defect.contractor), selectinload(Defect.photos))
            .order_by(Defect.unit_id, Defect.created_at, Defect.id))
    grouped: dict[int, list[Defect]] = defaultdict(list)
    for defect in db.session.scalars(stmt):
        grouped[defect.unit_id].append(defect)
    return grouped


def unit_sheet(unit: Unit) -> UnitDefectSheet:
    """Everything the PDF shows for one unit (the caller has checked the user may see it)."""
    return _sheet(unit, _defects_of([unit.id])[unit.id], today_local(), now_utc())


def batch_unit_ids(batch_id: int) -> list[int]:
    """The batch's units in building, entrance, floor, room order."""
    return list(db.session.scalars(
        sa.select(Unit.id).join(Building, Unit.building_id == Building.id).where(Unit.batch_id == batch_id)
        .order_by(Building.sort_key, Unit.entrance, Unit.floor, Unit.room_no, Unit.id)))


def batch_sheets(unit_ids: list[int]) -> list[UnitDefectSheet]:
    """Sheets for a chunk of units, in the order given, with a handful of queries for all of them."""
    units = {unit.id: unit for unit in db.session.scalars(
        sa.select(Unit).where(Unit.id.in_(unit_ids))
        .options(joinedload(Unit.building), joinedload(Unit.batch).joinedload(Batch.project),
                 joinedload(Unit.contract).joinedload(Contract.owner),
                 joinedload(Unit.contract).selectinload(Contract.co_owners)))}
    defects = _defects_of(unit_ids)
    today, printed_at = today_local(), now_utc()
    return [_sheet(units[uid], defects.get(uid, ()), today, printed_at) for uid in unit_ids if uid in units]


def _photo_cell(line: DefectLine) -> list:
    return [Image(str(t.path), width=THUMB_WIDTH, height=THUMB_WIDTH * t.height / max(t.width, 1))
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
