"""Excel import of units, owners and contracts for one batch (the file is read by `unit_sheet`).

All rows are checked first and every problem is reported with its row and column; nothing is
written unless the whole file is good. Importing again updates units in place (a unit is
batch + 楼栋 + 单元 + 房号), and a blank measured area keeps the one already recorded.

Every import is previewed first (`preview_units`: new units, each changed field old → new, rows
left unchanged, rows identical to the template's examples that are skipped, and contradictions
to accept), then confirmed (`import_units`), which records an ImportRun so that it can be undone
as a whole the same day.
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from handover.core.errors import Conflict
from handover.core.sheets import Change, ImportPreview, PlannedRow, Problems, warning_at
from handover.extensions import db
from handover.projects import import_runs, rules
from handover.projects.models import (DEFAULT_DIFF_THRESHOLD, Batch, Building, Contract, FitoutType, ImportRun, Owner,
                                      Unit)
from handover.projects.unit_sheet import HEADER_OF, LAYOUT, UnitRow, read_file
from handover.reporting.fonts import FontMissing, undrawable

RUN_KIND = "units"


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0
    skipped_examples: int = 0
    run_id: int | None = None


@dataclass
class _Plan:
    preview: ImportPreview
    #: the rows that create or change a unit (unchanged rows are left alone)
    rows: list[UnitRow]
    existing: dict[tuple[str, str, str], Unit]


def preview_units(batch: Batch, content: bytes) -> ImportPreview:
    """What importing this file would do, without writing. Raises ValidationFailed for a bad file."""
    return _plan(batch, content).preview


def _plan(batch: Batch, content: bytes) -> _Plan:
    parsed = read_file(content)
    _check_against_database(batch, parsed.rows)
    existing = {
        (u.building.name, u.entrance, u.room_no): u
        # building, contract and owner with the units: a re-import of 3,000 units compares every
        # one, and lazy loads made that 3,000+ queries
        for u in db.session.scalars(sa.select(Unit).where(Unit.batch_id == batch.id)
                                    .options(joinedload(Unit.building),
                                             joinedload(Unit.contract).joinedload(Contract.owner)))
    }
    preview = ImportPreview(skipped_examples=parsed.skipped_examples)
    warner, rows = Problems(LAYOUT, parsed.columns), []
    for row in parsed.rows:
        unit = existing.get(row.identity)
        label = "-".join(row.identity)
        if unit is None:
            preview.new.append(PlannedRow(row.row, label, _new_summary(row)))
        else:
            changes = _changes(unit, row)
            if not changes:
                preview.unchanged += 1
                continue
            preview.updated.append(PlannedRow(row.row, label, changes=changes))
        rows.append(row)
        preview.warnings.extend(_warnings(row, unit, warner))
    return _Plan(preview, rows, existing)


def _new_summary(row: UnitRow) -> str:
    return f"{row.owner_name} · {row.contract_no} · {_area(row.contract_area)} m²"


def _area(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _changes(unit: Unit, row: UnitRow) -> list[Change]:
    """Each field this row would change on an existing unit, old → new, under the file's column names."""
    pairs = [("floor", str(unit.floor), str(row.floor))]
    if row.layout:
        pairs.append(("layout", unit.layout or "—", row.layout))
    if row.fitout_type is not None:
        pairs.append(("fitout_type", rules.FITOUT_WORD[unit.fitout_type], rules.FITOUT_WORD[row.fitout_type]))
    if row.measured_area is not None:
        pairs.append(("measured_area", _area(unit.measured_area), _area(row.measured_area)))
    contract = unit.contract
    owner = contract.owner if contract else None
    pairs += [
        ("contract_no", contract.number if contract else "—", row.contract_no),
        ("contract_area", _area(contract.area if contract else None), _area(row.contract_area)),
        ("unit_price", _money(contract.unit_price if contract else None), _money(row.unit_price)),
        ("total_price", _money(contract.total_price if contract else None), _money(row.total_price)),
        ("owner_name", owner.name if owner else "—", row.owner_name),
        ("owner_phone", owner.phone if owner else "—", row.owner_phone),
    ]
    if row.id_number:
        pairs.append(("id_number", (owner.id_number or "—") if owner else "—", row.id_number))
    return [Change(HEADER_OF[key], old, new) for key, old, new in pairs if old != new]


def _warnings(row: UnitRow, unit: Unit | None, warner: Problems) -> list[dict]:
    """Contradictions in a row that the importer must look at and accept (rules.price_disagreement, area_gap)."""
    found = []
    difference = rules.price_disagreement(row.contract_area, row.unit_price, row.total_price)
    if difference is not None:
        found.append(warning_at(warner, row.row, "total_price", _(
            "合同单价 × 合同面积 = %(product)s, but 合同总价 is %(total)s: they differ by %(difference)s yuan.",
            product=_money(row.unit_price * row.contract_area), total=_money(row.total_price),
            difference=_money(abs(difference)))))
    measured = row.measured_area if row.measured_area is not None else (unit.measured_area if unit else None)
    threshold = unit.contract.diff_threshold if unit is not None and unit.contract else DEFAULT_DIFF_THRESHOLD
    ratio = rules.area_gap(row.contract_area, measured, threshold)
    if ratio is not None:
        key = "measured_area" if row.measured_area is not None else "contract_area"
        found.append(warning_at(warner, row.row, key, _(
            "实测面积 %(measured)s m² differs from 合同面积 %(contract)s m² by %(ratio)s%%, more than twice the "
            "contract's threshold (%(threshold)s%%). Check for a typing error.",
            measured=_area(measured), contract=_area(row.contract_area),
            ratio=f"{ratio * 100:+.1f}", threshold=f"{(threshold * 100).normalize():f}")))
    chars = _unprintable(row.owner_name)
    if chars:
        found.append(warning_at(warner, row.row, "owner_name", _(
            "%(name)s: %(chars)s cannot be printed on documents; check the name.", name=row.owner_name, chars=chars)))
    return found


def _unprintable(name: str) -> str:
    """The characters of an owner's name that no font embedded in documents can draw (they would be
    missing from the notice and every other document); "" when none, or when no font is here at all
    (documents say so when they are made)."""
    try:
        return undrawable(name)
    except FontMissing:
        return ""


def import_units(batch: Batch, content: bytes, *, actor=None, accept_warnings: bool = False,
                 expected_fingerprint: str | None = None, file_name: str = "", sha256: str = "") -> ImportResult:
    """Check the whole file, then create or update its units, owners and contracts, and record the run.

    Raises ValidationFailed (with every problem) before anything is written; Conflict when the file
    has warnings that were not accepted, or when `expected_fingerprint` (the preview the user saw)
    no longer matches what would be written.
    """
    plan = _plan(batch, content)
    preview = plan.preview
    if expected_fingerprint is not None and preview.fingerprint() != expected_fingerprint:
        raise Conflict(_("The data changed since the preview; upload the file again and check the new preview."),
                       details=[{"field": "file", "message": "preview_outdated"}])
    if preview.warnings and not accept_warnings:
        raise Conflict(_("%(n)d warnings must be checked and accepted before importing.", n=len(preview.warnings)),
                       details=[dict(item, field=item["column"]) for item in preview.warnings])
    run_id = None
    if plan.rows:
        changes = _write(batch, plan)
        run_id = import_runs.record_run(batch, kind=RUN_KIND, actor=actor, file_name=file_name, sha256=sha256,
                                        created=len(preview.new), updated=len(preview.updated),
                                        changes=changes).id
    return ImportResult(created=len(preview.new), updated=len(preview.updated), unchanged=preview.unchanged,
                        skipped_examples=len(preview.skipped_examples), run_id=run_id)


def _write(batch: Batch, plan: _Plan) -> dict:
    """Apply the planned rows; returns what undo needs (created ids and old values)."""
    old = _OldValues()
    buildings = {b.name: b for b in db.session.scalars(sa.select(Building).where(Building.batch_id == batch.id))}
    for building in buildings.values():
        old.keep("buildings", building, "floors")
    created: dict[str, list] = {"buildings": [], "units": [], "contracts": [], "owners": []}
    owners = _OwnerBook(plan.rows, on_update=lambda owner: old.keep("owners", owner, "name", "phone", "id_number"),
                        on_create=created["owners"].append)
    for row in plan.rows:
        building = buildings.get(row.building)
        if building is None:
            building = Building(batch=batch, name=row.building, sort_key=rules.natural_key(row.building))
            buildings[row.building] = building
            db.session.add(building)
            created["buildings"].append(building)
        unit = plan.existing.get(row.identity)
        if unit is None:
            unit = Unit(batch=batch, building=building, entrance=row.entrance, room_no=row.room_no)
            db.session.add(unit)
            created["units"].append(unit)
        else:
            old.keep("units", unit, "floor", "layout", "fitout_type", "measured_area")
            if unit.contract is not None:
                old.keep("contracts", unit.contract, "number", "area", "unit_price", "total_price", "owner_id")
        if unit.contract is None:
            contract = Contract(unit=unit)
            db.session.add(contract)
            created["contracts"].append(contract)
        _apply(unit, row, owners.owner_for(row))
    _refresh_floor_counts(buildings.values(), plan.rows)
    db.session.flush()
    return {**old.values, **{f"created_{name}": [obj.id for obj in objs] for name, objs in created.items()}}


class _OldValues:
    """The values of rows before an import changes them, as JSON for the ImportRun."""

    def __init__(self):
        self.values: dict[str, list[dict]] = {"buildings": [], "units": [], "contracts": [], "owners": []}
        self._seen: set[tuple[str, int]] = set()

    def keep(self, table: str, obj, *names: str) -> None:
        if obj.id is None or (table, obj.id) in self._seen:
            return
        self._seen.add((table, obj.id))
        self.values[table].append({"id": obj.id, **{name: _plain(getattr(obj, name)) for name in names}})


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FitoutType):
        return value.value
    return value


def _apply(unit: Unit, row: UnitRow, owner: Owner) -> None:
    unit.floor = row.floor
    if row.layout:
        unit.layout = row.layout
    if row.fitout_type is not None:
        unit.fitout_type = row.fitout_type
    if row.measured_area is not None:
        unit.measured_area = row.measured_area
    contract = unit.contract
    contract.number = row.contract_no
    contract.area = row.contract_area
    contract.unit_price = row.unit_price
    contract.total_price = row.total_price
    contract.owner = owner


def _refresh_floor_counts(buildings, rows: list[UnitRow]) -> None:
    top = {}
    for row in rows:
        top[row.building] = max(top.get(row.building, row.floor), row.floor)
    for building in buildings:
        if building.name in top:
            building.floors = max(building.floors or 0, top[building.name])


def _check_against_database(batch: Batch, rows: list[UnitRow]) -> None:
    """A contract number already belonging to another unit cannot be reused."""
    numbers = {row.contract_no: row for row in rows}
    taken = db.session.execute(
        sa.select(Contract.number, Building.name, Unit.entrance, Unit.room_no)
        .join(Unit, Contract.unit_id == Unit.id).join(Building, Unit.building_id == Building.id)
        .where(Contract.number.in_(list(numbers)))
    ).all()
    problems = Problems(LAYOUT, {})
    for number, building, entrance, room_no in taken:
        row = numbers[number]
        if row.identity != (building, entrance, room_no):
            problems.add(row.row, "contract_no",
                         _("Contract number %(no)s already belongs to unit %(unit)s.",
                           no=number, unit=f"{building}-{entrance}-{room_no}"))
    problems.raise_if_any()


class _OwnerBook:
    """Finds or creates owners: the same ID number, or else the same name and phone, is one person."""

    def __init__(self, rows: list[UnitRow], on_update=lambda owner: None, on_create=lambda owner: None):
        self.on_update, self.on_create = on_update, on_create
        ids = {row.id_number for row in rows if row.id_number}
        phones = {row.owner_phone for row in rows}
        found = db.session.scalars(sa.select(Owner).where(sa.or_(Owner.id_number.in_(ids), Owner.phone.in_(phones))))
        self.by_id: dict[str, Owner] = {}
        self.by_name_phone: dict[tuple[str, str], Owner] = {}
        for owner in found:
            self._remember(owner)

    def _remember(self, owner: Owner) -> None:
        if owner.id_number:
            self.by_id[owner.id_number] = owner
        self.by_name_phone.setdefault((owner.name, owner.phone), owner)

    def owner_for(self, row: UnitRow) -> Owner:
        owner = self.by_id.get(row.id_number) if row.id_number else None
        if owner is None:
            owner = self.by_name_phone.get((row.owner_name, row.owner_phone))
            if owner is not None and owner.id_number and row.id_number and owner.id_number != row.id_number:
                owner = None
        if owner is None:
            owner = Owner(name=row.owner_name, phone=row.owner_phone, id_number=row.id_number)
            db.session.add(owner)
            self.on_create(owner)
        else:
            self.on_update(owner)
            owner.name, owner.phone = row.owner_name, row.owner_phone
            owner.id_number = row.id_number or owner.id_number
        self._remember(owner)
        return owner

def _undo_run(run: ImportRun) -> None:
    """Put back the old values of changed rows; delete created units, contracts, buildings and owners.

    Refused (Conflict) when a created unit or contract is already referenced by anything else.
    """
    changes = run.changes
    unit_ids, contract_ids = changes["created_units"], changes["created_contracts"]
    in_use = import_runs.referenced_ids("units", unit_ids, ignore={"contracts.unit_id"})
    in_use |= {db.session.get(Contract, cid).unit_id for cid in import_runs.referenced_ids(
        "contracts", contract_ids, ignore={"contract_co_owners.contract_id"})}
    if in_use:
        labels = sorted(db.session.get(Unit, uid).label for uid in in_use)
        raise Conflict(_("The import cannot be undone: units it created are already in use (%(units)s). "
                         "Correct them with a new import instead.", units=", ".join(labels)),
                       details=[{"field": "unit", "message": label} for label in labels])
    for model, table in ((Unit, "units"), (Contract, "contracts"), (Owner, "owners"), (Building, "buildings")):
        for values in changes[table]:
            obj = db.session.get(model, values["id"])
            for name, value in values.items():
                if name != "id":
                    setattr(obj, name, _restore(model, name, value))
    for model, key in ((Contract, "created_contracts"), (Unit, "created_units")):
        for obj_id in changes[key]:
            db.session.delete(db.session.get(model, obj_id))
        db.session.flush()
    for building_id in changes["created_buildings"]:
        if not db.session.scalar(sa.select(Unit.id).where(Unit.building_id == building_id).limit(1)):
            db.session.delete(db.session.get(Building, building_id))
    spare = set(changes["created_owners"]) - import_runs.referenced_ids("owners", changes["created_owners"])
    for owner_id in spare:
        db.session.delete(db.session.get(Owner, owner_id))
    db.session.flush()


def _restore(model, name: str, value):
    if value is None:
        return None
    if name == "fitout_type":
        return FitoutType(value)
    if name in ("measured_area", "area", "unit_price", "total_price"):
        return Decimal(value)
    return value


import_runs.register_undo(RUN_KIND, _undo_run)
