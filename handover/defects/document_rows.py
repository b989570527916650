"""The rows defect documents are made of (read side): the defect ledger (缺陷台账) of a batch,
one row per defect filtered like the defect list, and a unit's defect list (问题清单).

Gathering only, into plain data; `documents` lays it out. The ledger's rows are keyed by the
column keys of `reports/defect_ledger.json`, which also gives each column its Chinese header and
width. Callers have already checked that the user may see the batch or unit.
"""
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from handover.accounts.models import User
from handover.core import storage
from handover.core.timeutil import now_utc, to_local, today_local
from handover.defects.models import Defect, DefectPhoto, DefectStatus, PhotoKind, Severity
from handover.defects.queries import DefectFilters, scope_defects
from handover.defects.rules import OWNER_VISIBLE_STAGES, is_overdue
from handover.extensions import db
from handover.inspections.models import InspectionStage
from handover.projects.models import Batch, Building, Contract, Contractor, Unit
from handover.reporting.xlsx import Column

REPORTS_DIR = Path(__file__).resolve().parents[2] / "reports"
LEDGER_KEYS = ("short_id", "building", "entrance", "room_no", "room", "category", "sub_item", "description",
               "severity", "status", "contractor", "due_date", "overdue", "rework_count", "created_at", "photos")


@dataclass(frozen=True)
class ReportColumn:
    key: str
    header: str
    width: float


@dataclass(frozen=True)
class ReportDefinition:
    name: str
    title: str
    sheet: str
    columns: tuple[ReportColumn, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(column.key for column in self.columns)

    def xlsx_columns(self) -> list[Column]:
        return [Column(column.header, column.width) for column in self.columns]


@lru_cache
def load_definition(name: str) -> ReportDefinition:
    """Read `reports/<name>.json`; a column the gathering code does not produce is an error."""
    raw = json.loads((REPORTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    columns = tuple(ReportColumn(c["key"], c["header"], float(c.get("width", 12))) for c in raw["columns"])
    unknown = [c.key for c in columns if c.key not in LEDGER_KEYS]
    if unknown:
        raise ValueError(f"reports/{name}.json: unknown column keys {unknown}")
    return ReportDefinition(raw.get("name", name), raw["title"], raw.get("sheet", raw["title"]), columns)


def filters_to_params(filters: DefectFilters) -> dict:
    """The filters as JSON-safe values, for a job's params."""
    return {key: getattr(value, "value", value) for key, value in asdict(filters).items() if value is not None}


def filters_from_params(params: dict) -> DefectFilters:
    values = dict(params)
    if values.get("status"):
        values["status"] = DefectStatus(values["status"])
    if values.get("stage"):
        values["stage"] = InspectionStage(values["stage"])
    return DefectFilters(**values)


def _filtered_ids(user: User, filters: DefectFilters, today: date) -> sa.Select:
    return scope_defects(filters.apply(sa.select(Defect.id), today), user)


def count_rows(user: User, filters: DefectFilters) -> int:
    """How many rows the ledger would have: decides between a direct download and a job."""
    ids = _filtered_ids(user, filters, today_local()).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(ids))


@dataclass
class Ledger:
    """The gathered ledger: database records (a list, or a stream read while it is written),
    turned into rows on iteration."""

    definition: ReportDefinition
    records: Iterable
    photo_ids: dict[str, list[int]]
    photo_url: Callable[[int], str]
    today: date
    #: how many records a stream holds (a list knows its own length)
    total: int | None = None

    def __len__(self) -> int:
        return self.total if self.total is not None else len(self.records)

    def dicts(self) -> Iterator[dict]:
        severities = {s: str(s.label) for s in Severity}
        statuses = {s: str(s.label) for s in DefectStatus}
        overdue_text = _("Overdue")
        for (defect_id, building, entrance, room_no, room, category, sub_item, description, severity, status,
             contractor, due_date, rework_count, created_at) in self.records:
            yield {
                "short_id": defect_id[:8].upper(), "building": building, "entrance": entrance, "room_no": room_no,
                "room": room, "category": category, "sub_item": sub_item, "description": description,
                "severity": severities[severity], "status": statuses[status], "contractor": contractor or "",
                "due_date": due_date,
                "overdue": overdue_text if is_overdue(status, due_date, self.today) else "",
                "rework_count": rework_count, "created_at": to_local(created_at),
                "photos": "\n".join(self.photo_url(pid) for pid in self.photo_ids.get(defect_id, ())),
            }

    def rows(self) -> Iterator[tuple]:
        """Values in the definition's column order, ready for the XLSX writer."""
        keys = self.definition.keys
        for row in self.dicts():
            yield tuple(row[key] for key in keys)


#: rows fetched from the database at a time while a ledger streams
STREAM_ROWS = 2000


def _ledger_statement(user: User, filters: DefectFilters, today: date) -> sa.Select:
    """Unit defects and public-area defects alike: an area's defects name the area where a unit's
    name its room number, and a batch-wide area (roads, landscape) has no building."""
    area = Defect.area.property.mapper.class_  # the public area (risks), reached through the relationship
    stmt = (sa.select(Defect.id, sa.func.coalesce(Building.name, ""), Unit.entrance,
                      sa.func.coalesce(Unit.room_no, area.name), Defect.room, Defect.category,
                      Defect.sub_item, Defect.description, Defect.severity, Defect.status, Contractor.name,
                      Defect.due_date, Defect.rework_count, Defect.created_at)
            .outerjoin(Unit, Defect.unit_id == Unit.id).outerjoin(Building, Defect.building_id == Building.id)
            .outerjoin(area, Defect.area_id == area.id)
            .outerjoin(Contractor, Defect.contractor_id == Contractor.id)
            .order_by(Building.sort_key, Unit.entrance, Unit.floor, Unit.room_no, Defect.created_at, Defect.id))
    return scope_defects(filters.apply(stmt, today), user)


def _photo_ids(user: User, filters: DefectFilters, today: date) -> dict[str, list[int]]:
    photos = db.session.execute(
        sa.select(DefectPhoto.defect_id, DefectPhoto.id)
        .where(DefectPhoto.defect_id.in_(_filtered_ids(user, filters, today)))
        .order_by(DefectPhoto.id)).all()
    photo_ids: dict[str, list[int]] = defaultdict(list)
    for defect_id, photo_id in photos:
        photo_ids[defect_id].append(photo_id)
    return photo_ids


def gather_ledger(user: User, filters: DefectFilters, *, photo_url: Callable[[int], str]) -> Ledger:
    """Every defect the user may see that matches the filters, in building/entrance/room order;
    `photo_url(photo_id)` gives each photo's link.

    The records are read completely here (for a ledger small enough to make inside a request);
    a big one streams (`stream_ledger`).
    """
    today = today_local()
    records = db.session.execute(_ledger_statement(user, filters, today)).all()
    return Ledger(load_definition("defect_ledger"), records, _photo_ids(user, filters, today), photo_url, today)


def stream_ledger(user: User, filters: DefectFilters, *, photo_url: Callable[[int], str]) -> Ledger:
    """The same ledger, its records read `STREAM_ROWS` at a time from a server-side cursor as the
    rows are written (memory stays flat on 100,000 defects). The caller keeps the transaction open
    while writing: on SQLite it must be a read transaction (`core.transactions.reading()`), which
    in WAL mode never holds up writers."""
    today = today_local()
    total = count_rows(user, filters)
    photo_ids = _photo_ids(user, filters, today)
    stmt = _ledger_statement(user, filters, today).execution_options(yield_per=STREAM_ROWS)

    def records() -> Iterator:
        yield from db.session.execute(stmt)

    return Ledger(load_definition("defect_ledger"), records(), photo_ids, photo_url, today, total=total)


# --- a unit's defect list ------------------------------------------------------------------------


@dataclass(frozen=True)
class Thumbnail:
    path: Path
    width: int
    height: int
    #: 整改前 / 整改后 / 业主异议: what the photo shows
    kind: str = ""


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
    stage: str = ""
    #: the inspection round it was found in (its date), and by whom
    round: str = ""
    inspector: str = ""


@dataclass(frozen=True)
class UnitDefectSheet:
    project: str
    batch: str
    unit_label: str
    owner_name: str
    printed_at: datetime
    lines: tuple[DefectLine, ...]
    #: each buyer (the owner and every co-owner) signs on their own line
    owners: tuple[str, ...] = ()
    company: str = ""
    number: str = ""
    #: the stages listed; `for_owner`: the list the owner signs (only the stages the owner takes part in)
    stages: tuple[str, ...] = ()
    for_owner: bool = True
    seal_box: bool = False

    @property
    def file_name(self) -> str:
        return f"{self.unit_label}.pdf".replace("/", "-")


def _unit_label(unit: Unit) -> str:
    return unit.full_name


def _owners(unit: Unit) -> tuple[str, ...]:
    contract = unit.contract
    if contract is None:
        return ()
    return tuple(owner.name for owner in [contract.owner, *contract.co_owners])


def _thumbnails(defect: Defect) -> tuple[Thumbnail, ...]:
    """Every photo of the defect (found, after the fix, objections), in that order."""
    order = {kind: index for index, kind in enumerate(PhotoKind)}
    found = []
    for photo in sorted(defect.photos, key=lambda p: (order[p.kind], p.id)):
        path = storage.resolve(photo.thumb_path)
        if path.is_file():
            found.append(Thumbnail(path, photo.width, photo.height, str(photo.kind.label)))
    return tuple(found)


def _defect_line(number: int, defect: Defect, today: date, creators: dict[int, str]) -> DefectLine:
    place = " · ".join(part for part in (defect.room, defect.category, defect.sub_item) if part)
    inspection = defect.inspection
    found_on = inspection.inspected_on if inspection else to_local(defect.created_at).date()
    inspector = (inspection.inspectors if inspection and inspection.inspectors
                 else creators.get(defect.created_by_id, ""))
    return DefectLine(number, defect.short_id, place, defect.description, defect.severity.label,
                      defect.status.label, defect.contractor.name if defect.contractor else "", defect.due_date,
                      is_overdue(defect.status, defect.due_date, today), _thumbnails(defect),
                      stage=str(defect.stage.label), round=found_on.isoformat(), inspector=inspector)


def _stages_in_order(stages: Iterable[InspectionStage]) -> list[InspectionStage]:
    chosen = set(stages)
    return [stage for stage in InspectionStage if stage in chosen]


def _sheet(unit: Unit, defects: Iterable[Defect], today: date, printed_at: datetime,
           stages: frozenset[InspectionStage], creators: dict[int, str]) -> UnitDefectSheet:
    listed = [defect for defect in defects if defect.stage in stages]
    lines = tuple(_defect_line(number, defect, today, creators) for number, defect in enumerate(listed, start=1))
    owners = _owners(unit)
    project = unit.batch.project
    return UnitDefectSheet(project.name, unit.batch.name, _unit_label(unit), "、".join(owners),
                           printed_at, lines, owners=owners, company=project.company,
                           number=f"QD-{unit.id:06d}-{to_local(printed_at):%Y%m%d}",
                           stages=tuple(str(stage.label) for stage in _stages_in_order(stages)),
                           for_owner=stages <= OWNER_VISIBLE_STAGES, seal_box=project.seal_box)


def _defects_of(unit_ids: list[int]) -> dict[int, list[Defect]]:
    stmt = (sa.select(Defect).where(Defect.unit_id.in_(unit_ids))
            .options(joinedload(Defect.contractor), joinedload(Defect.inspection), selectinload(Defect.photos))
            .order_by(Defect.unit_id, Defect.created_at, Defect.id))
    grouped: dict[int, list[Defect]] = defaultdict(list)
    for defect in db.session.scalars(stmt):
        grouped[defect.unit_id].append(defect)
    return grouped


def _creators(grouped: dict[int, list[Defect]]) -> dict[int, str]:
    ids = {d.created_by_id for defects in grouped.values() for d in defects if d.created_by_id}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.display_name, User.username).where(User.id.in_(ids))).all()
    return {uid: display or username for uid, display, username in rows}


def unit_sheet(unit: Unit, stages: Iterable[InspectionStage] | None = None) -> UnitDefectSheet:
    """Everything the PDF shows for one unit (the caller has checked the user may see it).

    By default the list the owner signs: only the stages the owner takes part in
    (OWNER_VISIBLE_STAGES, as the portal shows). Staff may choose other stages for an internal list."""
    chosen = OWNER_VISIBLE_STAGES if not stages else frozenset(stages)
    grouped = _defects_of([unit.id])
    return _sheet(unit, grouped[unit.id], today_local(), now_utc(), chosen, _creators(grouped))


def batch_unit_ids(batch_id: int) -> list[int]:
    """The batch's units in building, entrance, floor, room order."""
    return list(db.session.scalars(
        sa.select(Unit.id).join(Building, Unit.building_id == Building.id).where(Unit.batch_id == batch_id)
        .order_by(Building.sort_key, Unit.entrance, Unit.floor, Unit.room_no, Unit.id)))


def batch_sheets(unit_ids: list[int], stages: Iterable[InspectionStage] | None = None) -> list[UnitDefectSheet]:
    """Sheets for a chunk of units, in the order given, with a handful of queries for all of them
    (the owner's stages unless `stages` are chosen, as `unit_sheet`)."""
    chosen = OWNER_VISIBLE_STAGES if not stages else frozenset(stages)
    units = {unit.id: unit for unit in db.session.scalars(
        sa.select(Unit).where(Unit.id.in_(unit_ids))
        .options(joinedload(Unit.building), joinedload(Unit.batch).joinedload(Batch.project),
                 joinedload(Unit.contract).joinedload(Contract.owner),
                 joinedload(Unit.contract).selectinload(Contract.co_owners)))}
    defects = _defects_of(unit_ids)
    creators = _creators(defects)
    today, printed_at = today_local(), now_utc()
    return [_sheet(units[uid], defects.get(uid, ()), today, printed_at, chosen, creators)
            for uid in unit_ids if uid in units]
