"""The defect ledger (缺陷台账) of a batch: one row per defect, filtered like the defect list.

Gathering only: plain rows keyed by the column keys of `reports/defect_ledger.json`, which
also gives each column its Chinese header and width. `exports` renders them as Excel.
"""
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, request, url_for
from flask_babel import gettext as _

from handover.accounts.models import User
from handover.core.timeutil import to_local, today_local
from handover.defects.models import Defect, DefectPhoto, DefectStatus, Severity
from handover.defects.queries import DefectFilters, scope_defects
from handover.defects.rules import is_overdue
from handover.extensions import db
from handover.inspections.models import InspectionStage
from handover.projects.models import Building, Contractor, Unit
from handover.reporting.xlsx import Column

REPORTS_DIR = Path(__file__).resolve().parents[2] / "reports"
PHOTO_PAGE_RULE = "/photos/<int:photo_id>"
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


def photo_url_builder() -> Callable[[int], str]:
    """Absolute URLs of the photo page route (needs a request context, real or the job's)."""
    endpoint = next((rule.endpoint for rule in current_app.url_map.iter_rules() if rule.rule == PHOTO_PAGE_RULE),
                    None)
    if endpoint is not None:
        return lambda photo_id: url_for(endpoint, photo_id=photo_id, _external=True)
    root = request.host_url.rstrip("/")
    return lambda photo_id: f"{root}/photos/{photo_id}"


@dataclass
class Ledger:
    """The gathered ledger: database records read in one go, turned into rows on iteration."""

    definition: ReportDefinition
    records: list
    photo_ids: dict[str, list[int]]
    photo_url: Callable[[int], str]
    today: date

    def __len__(self) -> int:
        return len(self.records)

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


def gather_ledger(user: User, filters: DefectFilters, *, photo_url: Callable[[int], str] | None = None) -> Ledger:
    """Every defect the user may see that matches the filters, in building/entrance/room order.

    The records are read completely here, so the caller can end its transaction before the
    slow rendering starts (on SQLite an open transaction would hold the database's write lock).
    """
    today = today_local()
    stmt = (sa.select(Defect.id, Building.name, Unit.entrance, Unit.room_no, Defect.room, Defect.category,
                      Defect.sub_item, Defect.description, Defect.severity, Defect.status, Contractor.name,
                      Defect.due_date, Defect.rework_count, Defect.created_at)
            .join(Unit, Defect.unit_id == Unit.id).join(Building, Defect.building_id == Building.id)
            .outerjoin(Contractor, Defect.contractor_id == Contractor.id)
            .order_by(Building.sort_key, Unit.entrance, Unit.floor, Unit.room_no, Defect.created_at, Defect.id))
    records = db.session.execute(scope_defects(filters.apply(stmt, today), user)).all()
    photos = db.session.execute(
        sa.select(DefectPhoto.defect_id, DefectPhoto.id)
        .where(DefectPhoto.defect_id.in_(_filtered_ids(user, filters, today)))
        .order_by(DefectPhoto.id)).all()
    photo_ids: dict[str, list[int]] = defaultdict(list)
    for defect_id, photo_id in photos:
        photo_ids[defect_id].append(photo_id)
    return Ledger(load_definition("defect_ledger"), records, photo_ids, photo_url or photo_url_builder(), today)
