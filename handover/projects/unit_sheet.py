"""Reading the unit import spreadsheet (units, owners and contracts of one batch): its columns, every
row checked with each problem reported by row and column, rows identical to the template's examples
skipped, and the template itself (empty first sheet; notes and examples on 说明).
"""
import io
from dataclasses import dataclass, field, replace
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from handover.accounts.rules import is_valid_mobile
from handover.core.money import parse_decimal
from handover.core.sheets import Problems, SheetLayout, cell_text, open_sheet
from handover.projects import rules
from handover.projects.models import FitoutType

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

#: the examples shown on the template's notes sheet. Older templates carried them as data rows, and
#: uploading such a file unchanged overwrote two real units: rows identical to these are skipped.
EXAMPLE_ROWS = [
    ["1", "1", 12, "1201", "三室两厅", "精装", "HT-2025-0001", 89.37, None, 20000, None,
     "张伟", "13800000001", "110101199003074514"],
    ["1", "1", 12, "1202", "两室两厅", "毛坯", "HT-2025-0002", 76.5, 77.12, None, 1530000,
     "李娜", "13900000002", None],
]


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

@dataclass
class ParsedFile:
    rows: list[UnitRow]
    columns: dict[str, int]
    #: row numbers identical to a template example, skipped
    skipped_examples: list[int] = field(default_factory=list)


def parse_rows(content: bytes) -> list[UnitRow]:
    """Read and check every row. Raises ValidationFailed listing all problems at once."""
    return read_file(content).rows


def read_file(content: bytes) -> ParsedFile:
    """Every good row, the header columns and the skipped example rows; ValidationFailed lists all problems."""
    workbook, sheet = open_sheet(content)
    examples = _example_rows()
    try:
        rows = sheet.iter_rows(values_only=True)
        columns = LAYOUT.map_headers(next(rows, None))
        problems = Problems(LAYOUT, columns)
        parsed, keys, skipped = [], [], []
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                problems.add(number, None, _("Too many rows: at most %(n)d per file.", n=MAX_ROWS))
                break
            cells = {key: (values[index - 1] if index - 1 < len(values) else None)
                     for key, index in columns.items()}
            if all(cell_text(value) == "" for value in cells.values()):
                continue
            row = _check_row(number, cells, problems)
            if row is not None and replace(row, row=0) in examples:
                skipped.append(number)
                continue
            keys.append(_RowKeys(number, tuple(cell_text(cells.get(k)) for k in ("building", "entrance", "room_no")),
                                 cell_text(cells.get("contract_no"))))
            if row is not None:
                parsed.append(row)
    finally:
        workbook.close()
    _check_duplicates(keys, problems)
    if not parsed and not skipped and not problems.items:
        problems.add(None, None, _("The file has no data rows. The examples on the notes sheet (说明) are never "
                                   "imported: type your own units on the first sheet."))
    problems.raise_if_any()
    return ParsedFile(parsed, columns, skipped)


def _example_rows() -> list[UnitRow]:
    keys = [key for key, *_rest in COLUMNS]
    scratch = Problems(LAYOUT, {})
    rows = [_check_row(0, dict(zip(keys, values)), scratch) for values in EXAMPLE_ROWS]
    return [row for row in rows if row is not None]


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

def template_workbook() -> bytes:
    """The import template: the exact headers on an empty first sheet; notes and examples on 说明."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "units"
    sheet.append([zh for _key, zh, _en, _req in COLUMNS])
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
    notes.append([])
    notes.append(["填写示例（仅供参考，不会被导入；请在第一个工作表填写真实数据）"])
    notes.append([zh for _key, zh, _en, _req in COLUMNS])
    for values in EXAMPLE_ROWS:
        notes.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
