"""Excel import of units, owners and contracts for one batch.

All rows are checked first and every problem is reported with its row and column; nothing is
written unless the whole file is good. Importing again updates units in place (a unit is
batch + 楼栋 + 单元 + 房号), and a blank measured area keeps the one already recorded.
"""
import io
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from handover.accounts.rules import is_valid_mobile
from handover.core.money import parse_decimal
from handover.core.sheets import Problems, SheetLayout, cell_text, open_sheet
from handover.extensions import db
from handover.projects import rules
from handover.projects.models import Batch, Building, Contract, FitoutType, Owner, Unit
from handover.reporting.fonts import FontMissing, undrawable

# (key, Chinese header, English alias, required)
COLUMNS = [
    ("building", "楼栋", "building", True),
    ("entrance", "单元", "entrance", True),
    ("floor", "楼层", "floor", True),
    ("room_no", "房号", "room_no", True),
    ("layout", "户型", "layout", False),
    ("fitout_type", "装修类型", "fitout_type", False),
    ("contract_no", "合同编号", "contract_no", True),
    ("contract_area", "合同面积", "contract_area", True),
    ("measured_area", "实测面积", "measured_area", False),
    ("unit_price", "合同单价", "unit_price", False),
    ("total_price", "合同总价", "total_price", False),
    ("owner_name", "业主姓名", "owner_name", True),
    ("owner_phone", "业主电话", "owner_phone", True),
    ("id_number", "证件号码", "id_number", False),
]
LAYOUT = SheetLayout([(key, zh, en) for key, zh, en, _req in COLUMNS],
                     {key for key, _zh, _en, required in COLUMNS if required})
HEADER_OF = LAYOUT.header_of
MAX_ROWS = 20000


@dataclass
class UnitRow:
    row: int
    building: str
    entrance: str
    floor: int
    room_no: str
    layout: str
    fitout_type: FitoutType | None
    contract_no: str
    contract_area: Decimal
    measured_area: Decimal | None
    unit_price: Decimal | None
    total_price: Decimal | None
    owner_name: str
    owner_phone: str
    id_number: str | None

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.building, self.entrance, self.room_no)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    #: rows imported with a caveat: {row, field, message}, e.g. a name no document font can print
    warnings: tuple[dict, ...] = ()


def _unprintable(rows: list[UnitRow]) -> tuple[dict, ...]:
    """Owners whose name holds a character that no font embedded in documents can draw: it would
    be missing from the notice and every other document."""
    try:
        found = [(row, undrawable(row.owner_name)) for row in rows]
    except FontMissing:  # no document font here at all: documents say so when they are made
        return ()
    return tuple({"row": row.row, "field": "owner_name",
                  "message": _("%(name)s: %(chars)s cannot be printed on documents; check the name.",
                               name=row.owner_name, chars=chars)}
                 for row, chars in found if chars)


def parse_rows(content: bytes) -> list[UnitRow]:
    """Read and check every row. Raises ValidationFailed listing all problems at once."""
    workbook, sheet = open_sheet(content)
    try:
        rows = sheet.iter_rows(values_only=True)
        columns = LAYOUT.map_headers(next(rows, None))
        problems = Problems(LAYOUT, columns)
        parsed, keys = [], []
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                problems.add(number, None, _("Too many rows: at most %(n)d per file.", n=MAX_ROWS))
                break
            cells = {key: (values[index - 1] if index - 1 < len(values) else None)
                     for key, index in columns.items()}
            if all(cell_text(value) == "" for value in cells.values()):
                continue
            keys.append(_RowKeys(number, tuple(cell_text(cells.get(k)) for k in ("building", "entrance", "room_no")),
                                 cell_text(cells.get("contract_no"))))
            row = _check_row(number, cells, problems)
            if row is not None:
                parsed.append(row)
    finally:
        workbook.close()
    _check_duplicates(keys, problems)
    if not parsed and not problems.items:
        problems.add(None, None, _("The file has no data rows."))
    problems.raise_if_any()
    return parsed


def _check_row(number: int, cells: dict, problems: Problems) -> UnitRow | None:
    before = len(problems.items)
    text = {key: cell_text(value) for key, value in cells.items()}
    for key, zh, _en, required in COLUMNS:
        if required and not text.get(key):
            problems.add(number, key, _("%(name)s is required.", name=zh))

    floor = None
    if text.get("floor"):
        try:
            floor = int(parse_decimal(cells["floor"], places=0))
        except ValueError:
            problems.add(number, "floor", _("Floor must be a whole number."))

    def area(key: str) -> Decimal | None:
        if not text.get(key):
            return None
        try:
            value = parse_decimal(cells[key], places=2)
        except ValueError:
            problems.add(number, key, _("%(name)s must be a number with at most 2 decimals.", name=HEADER_OF[key]))
            return None
        if value <= 0:
            problems.add(number, key, _("%(name)s must be greater than zero.", name=HEADER_OF[key]))
            return None
        return value

    contract_area, measured_area = area("contract_area"), area("measured_area")
    unit_price, total_price = area("unit_price"), area("total_price")
    if not text.get("unit_price") and not text.get("total_price"):
        problems.add(number, "unit_price", _("Give the contract unit price or the contract total price."))

    phone = text.get("owner_phone", "")
    if phone and not is_valid_mobile(phone):
        problems.add(number, "owner_phone", _("%(value)s is not a valid mobile number (11 digits, starting with 1).",
                                              value=phone))
    id_number = text.get("id_number") or None
    if id_number is not None:
        if isinstance(cells.get("id_number"), (int, float)) and len(id_number) >= 15:
            problems.add(number, "id_number", _("The ID number was stored as a number and has lost digits; "
                                                "format the column as text and type it again."))
        elif rules.id_number_problem(id_number.upper()):
            problems.add(number, "id_number", _("%(value)s is not a valid ID number.", value=id_number))
        id_number = id_number.upper()

    fitout = None
    if text.get("fitout_type"):
        fitout = rules.parse_fitout(text["fitout_type"])
        if fitout is None:
            problems.add(number, "fitout_type", _("Fit-out type must be 毛坯 or 精装."))

    if len(problems.items) > before:
        return None
    return UnitRow(row=number, building=text["building"], entrance=text["entrance"], floor=floor,
                   room_no=text["room_no"], layout=text.get("layout", ""), fitout_type=fitout,
                   contract_no=text["contract_no"], contract_area=contract_area, measured_area=measured_area,
                   unit_price=unit_price, total_price=total_price, owner_name=text["owner_name"],
                   owner_phone=phone, id_number=id_number)


@dataclass(frozen=True)
class _RowKeys:
    row: int
    identity: tuple[str, str, str]
    contract_no: str


def _check_duplicates(rows: list[_RowKeys], problems: Problems) -> None:
    """Duplicates are found on every row, including rows with other problems."""
    units: dict[tuple, int] = {}
    contracts: dict[str, int] = {}
    for row in rows:
        first = units.setdefault(row.identity, row.row) if all(row.identity) else row.row
        if first != row.row:
            problems.add(row.row, "room_no", _("Unit %(unit)s appears twice in the file (first on row %(first)d).",
                                               unit="-".join(row.identity), first=first))
        first = contracts.setdefault(row.contract_no, row.row) if row.contract_no else row.row
        if first != row.row:
            problems.add(row.row, "contract_no", _("Contract number %(no)s appears twice in the file "
                                                   "(first on row %(first)d).", no=row.contract_no, first=first))


def import_units(batch: Batch, content: bytes) -> ImportResult:
    """Check the whole file, then create or update its units, owners and contracts.

    Raises ValidationFailed (with every problem) before anything is written.
    """
    rows = parse_rows(content)
    _check_against_database(batch, rows)
    buildings = {b.name: b for b in db.session.scalars(sa.select(Building).where(Building.batch_id == batch.id))}
    existing = {
        (u.building.name, u.entrance, u.room_no): u
        for u in db.session.scalars(sa.select(Unit).where(Unit.batch_id == batch.id))
    }
    owners = _OwnerBook(rows)
    created = updated = 0
    for row in rows:
        building = buildings.get(row.building)
        if building is None:
            building = Building(batch=batch, name=row.building, sort_key=rules.natural_key(row.building))
            buildings[row.building] = building
            db.session.add(building)
        unit = existing.get(row.identity)
        if unit is None:
            unit = Unit(batch=batch, building=building, entrance=row.entrance, room_no=row.room_no)
            db.session.add(unit)
            created += 1
        else:
            updated += 1
        _apply(unit, row, owners.owner_for(row))
    _refresh_floor_counts(buildings.values(), rows)
    db.session.flush()
    return ImportResult(created=created, updated=updated, warnings=_unprintable(rows))


def _apply(unit: Unit, row: UnitRow, owner: Owner) -> None:
    unit.floor = row.floor
    if row.layout:
        unit.layout = row.layout
    if row.fitout_type is not None:
        unit.fitout_type = row.fitout_type
    if row.measured_area is not None:
        unit.measured_area = row.measured_area
    contract = unit.contract
    if contract is None:
        contract = Contract(unit=unit)
        db.session.add(contract)
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

    def __init__(self, rows: list[UnitRow]):
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
        else:
            owner.name, owner.phone = row.owner_name, row.owner_phone
            owner.id_number = row.id_number or owner.id_number
        self._remember(owner)
        return owner


def template_workbook() -> bytes:
    """The import template: the exact headers, two example rows and a notes sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "units"
    sheet.append([zh for _key, zh, _en, _req in COLUMNS])
    sheet.append(["1", "1", 12, "1201", "三室两厅", "精装", "HT-2025-0001", 89.37, None, 20000, None,
                  "张伟", "13800000001", "110101199003074514"])
    sheet.append(["1", "1", 12, "1202", "两室两厅", "毛坯", "HT-2025-0002", 76.5, 77.12, None, 1530000,
                  "李娜", "13900000002", None])
    for index in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
        sheet.cell(row=1, column=index).number_format = "@"
    for row in range(2, 200):
        for key in ("owner_phone", "id_number", "room_no", "contract_no"):
            column = [k for k, *_rest in COLUMNS].index(key) + 1
            sheet.cell(row=row, column=column).number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.append(["列", "必填", "说明"])
    explanations = {
        "building": "楼栋名称，如 1 或 1号楼", "entrance": "单元号，如 1", "floor": "整数",
        "room_no": "房号，如 1201；同一批次内 楼栋+单元+房号 唯一", "fitout_type": "毛坯 或 精装",
        "contract_area": "平方米，最多两位小数", "measured_area": "可留空，以后再次导入补填",
        "unit_price": "元/平方米；与合同总价至少填一项", "total_price": "元；与合同单价至少填一项",
        "owner_phone": "11 位手机号", "id_number": "请设为文本格式，避免丢失位数",
    }
    for key, zh, _en, required in COLUMNS:
        notes.append([zh, "是" if required else "否", explanations.get(key, "")])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
