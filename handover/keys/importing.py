"""Excel import of a batch's key list (钥匙清单), usually the one the general contractor hands over.

Same contract as the unit import: every row is checked first and every bad cell is reported with
its row and column; nothing is written unless the whole file is good. Keys are created through
`service.create_key`, so they start with the general contractor like any other key. As with units,
the file is previewed first (rows identical to the template's examples are skipped), confirmed,
and recorded as an ImportRun that can be undone the same day while no key has moved yet.
"""
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from handover.core.errors import Conflict
from handover.core.sheets import ImportPreview, PlannedRow, Problems, SheetLayout, cell_text, open_sheet
from handover.extensions import db
from handover.keys import service
from handover.keys.models import Key, KeyKind, KeyStatus
from handover.projects import import_runs
from handover.projects.models import Batch, Building, ImportRun, Unit

#: the kinds as Chinese staff name them (DOMAIN.md "Keys"); also printed on tags and records
CHINESE_KIND_NAMES = {
    KeyKind.ENTRANCE_DOOR: "入户门", KeyKind.BUILDING_DOOR: "单元门", KeyKind.MAILBOX: "邮箱",
    KeyKind.PLANT_ROOM: "设备房", KeyKind.MANAGEMENT_ROOM: "管理用房",
}
#: kinds that belong to one unit; the others may be public-room keys with no unit
UNIT_KINDS = frozenset({KeyKind.ENTRANCE_DOOR, KeyKind.MAILBOX})
MAX_COPIES = 20
MAX_ROWS = 20000
RUN_KIND = "keys"
#: the examples on the template's notes sheet; rows identical to them (older templates) are skipped
EXAMPLE_ROWS = [
    ["1", "1", "1201", "入户门", None, 3, "A-01"],
    ["1", "1", "1201", "邮箱", None, 2, None],
    [None, None, None, "设备房", "1号楼 水泵房", 1, "Z-01"],
]
_EXAMPLE_TEXTS = {tuple(cell_text(value) for value in values) for values in EXAMPLE_ROWS}

# (key, Chinese header, English alias)
COLUMNS = [
    ("building", "楼栋", "building"),
    ("entrance", "单元", "entrance"),
    ("room_no", "房号", "room_no"),
    ("kind", "钥匙类型", "kind"),
    ("label", "标签", "label"),
    ("copies", "套数", "copies"),
    ("cabinet_slot", "柜位", "cabinet_slot"),
]
LAYOUT = SheetLayout(COLUMNS, {"building", "entrance", "room_no", "kind"})
HEADER_OF = LAYOUT.header_of
_KINDS = {**{name: kind for kind, name in CHINESE_KIND_NAMES.items()}, **{kind.value: kind for kind in KeyKind}}


def parse_kind(value: str) -> KeyKind | None:
    """入户门/单元门/邮箱/设备房/管理用房, or the English identifier (entrance_door, …)."""
    return _KINDS.get(value.strip()) or _KINDS.get(value.strip().lower())


def chinese_building(name: str) -> str:
    """1 → 1栋; a building already named 1号楼 keeps its name."""
    return name if name.endswith(("栋", "楼", "幢", "座")) else f"{name}栋"


def chinese_unit_label(building: str, entrance: str, room_no: str) -> str:
    """1栋1单元1201, as printed on tags and records."""
    return f"{chinese_building(building)}{entrance}单元{room_no}"


@dataclass(frozen=True)
class KeyRow:
    row: int
    unit_id: int | None
    kind: KeyKind
    label: str
    copies: int
    cabinet_slot: str | None


class _Units:
    """The batch's units by (楼栋, 单元, 房号), loaded once."""

    def __init__(self, batch: Batch):
        rows = db.session.execute(sa.select(Unit.id, Building.name, Unit.entrance, Unit.room_no)
                                  .join(Building, Unit.building_id == Building.id).where(Unit.batch_id == batch.id))
        self.ids = {(building, entrance, room_no): unit_id for unit_id, building, entrance, room_no in rows}


def _check_row(number: int, cells: dict, units: _Units, problems: Problems) -> KeyRow | None:
    before = len(problems.items)
    text = {key: cell_text(value) for key, value in cells.items()}
    kind = None
    if not text.get("kind"):
        problems.add(number, "kind", _("%(name)s is required.", name=HEADER_OF["kind"]))
    else:
        kind = parse_kind(text["kind"])
        if kind is None:
            problems.add(number, "kind", _("%(value)s is not a key type: use 入户门, 单元门, 邮箱, 设备房 or 管理用房.",
                                           value=text["kind"]))
    place = tuple(text.get(key, "") for key in ("building", "entrance", "room_no"))
    unit_id = _unit_of(number, place, kind, text.get("label", ""), units, problems)
    copies = _copies(number, cells.get("copies"), text.get("copies", ""), problems)
    slot = text.get("cabinet_slot") or None
    if slot and len(slot) > 20:
        problems.add(number, "cabinet_slot", _("%(name)s is at most %(n)d characters.", name=HEADER_OF["cabinet_slot"],
                                               n=20))
    label = text.get("label") or (f"{'-'.join(place)} {CHINESE_KIND_NAMES[kind]}" if kind and all(place) else "")
    if len(label) > 80:
        problems.add(number, "label", _("%(name)s is at most %(n)d characters.", name=HEADER_OF["label"], n=80))
    if len(problems.items) > before:
        return None
    return KeyRow(number, unit_id, kind, label, copies, slot)


def _unit_of(number, place, kind, label, units: _Units, problems: Problems) -> int | None:
    """The unit named by 楼栋/单元/房号: all three, or none for a public-room key with a label."""
    if not any(place):
        if kind in UNIT_KINDS:
            for key in ("building", "entrance", "room_no"):
                problems.add(number, key, _("%(name)s is required for this key type.", name=HEADER_OF[key]))
        elif not label:
            problems.add(number, "label", _("A key without a unit needs a label saying which room it opens."))
        return None
    missing = [key for key, value in zip(("building", "entrance", "room_no"), place) if not value]
    for key in missing:
        problems.add(number, key, _("%(name)s is required.", name=HEADER_OF[key]))
    if missing:
        return None
    unit_id = units.ids.get(place)
    if unit_id is None:
        problems.add(number, "room_no", _("Unit %(unit)s is not in this batch.", unit="-".join(place)))
    return unit_id


def _copies(number: int, raw, text: str, problems: Problems) -> int:
    if not text:
        return 1
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if not (isinstance(raw, int) or text.isdigit()) or not 1 <= int(text) <= MAX_COPIES:
        problems.add(number, "copies", _("%(name)s must be a whole number from 1 to %(n)d.", name=HEADER_OF["copies"],
                                         n=MAX_COPIES))
        return 1
    return int(text)


def parse_rows(batch: Batch, content: bytes, skipped: list[int] | None = None) -> list[KeyRow]:
    """Read and check every row against the batch. Raises ValidationFailed listing all problems.

    Rows identical to the template's examples are left out (their numbers go to `skipped`).
    """
    workbook, sheet = open_sheet(content)
    units = _Units(batch)
    skipped = [] if skipped is None else skipped
    try:
        rows = sheet.iter_rows(values_only=True)
        columns = LAYOUT.map_headers(next(rows, None))
        problems = Problems(LAYOUT, columns)
        parsed, slots = [], {}
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                problems.add(number, None, _("Too many rows: at most %(n)d per file.", n=MAX_ROWS))
                break
            cells = {key: (values[index - 1] if index - 1 < len(values) else None) for key, index in columns.items()}
            if all(cell_text(value) == "" for value in cells.values()):
                continue
            if tuple(cell_text(cells.get(key)) for key, _zh, _en in COLUMNS) in _EXAMPLE_TEXTS:
                skipped.append(number)
                continue
            _check_slot_twice(number, cell_text(cells.get("cabinet_slot")), slots, problems)
            row = _check_row(number, cells, units, problems)
            if row is not None:
                parsed.append(row)
    finally:
        workbook.close()
    _check_keys_twice(parsed, problems)
    if not parsed and not skipped and not problems.items:
        problems.add(None, None, _("The file has no data rows. The examples on the notes sheet (说明) are never "
                                   "imported: type your own keys on the first sheet."))
    problems.raise_if_any()
    return parsed


def _check_slot_twice(number: int, slot: str, seen: dict[str, int], problems: Problems) -> None:
    first = seen.setdefault(slot, number) if slot else number
    if first != number:
        problems.add(number, "cabinet_slot", _("Cabinet slot %(slot)s appears twice in the file (first on row "
                                               "%(first)d).", slot=slot, first=first))


def _check_keys_twice(rows: list[KeyRow], problems: Problems) -> None:
    seen: dict[tuple, int] = {}
    for row in rows:
        first = seen.setdefault((row.unit_id, row.kind, row.label), row.row)
        if first != row.row:
            problems.add(row.row, "label", _("Key %(label)s appears twice in the file (first on row %(first)d); "
                                             "give each set its own label.", label=row.label, first=first))


def _check_against_database(batch: Batch, rows: list[KeyRow]) -> None:
    """A cabinet slot already used in the batch, or a key already registered with that label."""
    problems = Problems(LAYOUT, {})
    slots = {row.cabinet_slot: row for row in rows if row.cabinet_slot}
    for slot in db.session.scalars(sa.select(Key.cabinet_slot).where(Key.batch_id == batch.id,
                                                                      Key.cabinet_slot.in_(list(slots)))):
        problems.add(slots[slot].row, "cabinet_slot", _("Cabinet slot %(slot)s is already used by another key.",
                                                        slot=slot))
    existing = set(db.session.execute(sa.select(Key.unit_id, Key.kind, Key.label).where(Key.batch_id == batch.id)))
    for row in rows:
        if (row.unit_id, row.kind, row.label) in existing:
            problems.add(row.row, "label", _("Key %(label)s is already registered.", label=row.label))
    problems.raise_if_any()


def preview_keys(batch: Batch, content: bytes) -> ImportPreview:
    """The keys this file would register, without writing. Raises ValidationFailed for a bad file."""
    return _plan(batch, content)[0]


def _plan(batch: Batch, content: bytes) -> tuple[ImportPreview, list[KeyRow]]:
    skipped: list[int] = []
    rows = parse_rows(batch, content, skipped)
    _check_against_database(batch, rows)
    preview = ImportPreview(skipped_examples=skipped)
    for row in rows:
        details = [CHINESE_KIND_NAMES[row.kind], _("%(n)d copies", n=row.copies)]
        if row.cabinet_slot:
            details.append(_("slot %(slot)s", slot=row.cabinet_slot))
        preview.new.append(PlannedRow(row.row, row.label, " · ".join(details)))
    return preview, rows


def import_keys(batch: Batch, content: bytes, *, actor=None, expected_fingerprint: str | None = None,
                file_name: str = "", sha256: str = "") -> int:
    """Check the whole file, then register its keys (held by the general contractor). Returns the count.

    Raises ValidationFailed (with every problem, by row and column) before anything is written, and
    Conflict when `expected_fingerprint` (the preview the user saw) no longer matches.
    """
    preview, rows = _plan(batch, content)
    if expected_fingerprint is not None and preview.fingerprint() != expected_fingerprint:
        raise Conflict(_("The data changed since the preview; upload the file again and check the new preview."),
                       details=[{"field": "file", "message": "preview_outdated"}])
    units = {unit.id: unit for unit in db.session.scalars(sa.select(Unit).where(Unit.batch_id == batch.id))}
    created = [service.create_key(batch, kind=row.kind, label=row.label, unit=units.get(row.unit_id),
                                  copies=row.copies, cabinet_slot=row.cabinet_slot) for row in rows]
    if created:
        import_runs.record_run(batch, kind=RUN_KIND, actor=actor, file_name=file_name, sha256=sha256,
                               created=len(created), updated=0, changes={"created_keys": [key.id for key in created]})
    return len(rows)


def _undo_run(run: ImportRun) -> None:
    """Delete the keys the import registered; refused once any of them has moved or been used."""
    ids = run.changes["created_keys"]
    moved = import_runs.referenced_ids("keys", ids)
    moved |= set(db.session.scalars(sa.select(Key.id).where(Key.id.in_(ids), Key.status != KeyStatus.WITH_CONTRACTOR)))
    if moved:
        labels = sorted(db.session.get(Key, key_id).label for key_id in moved)
        raise Conflict(_("The import cannot be undone: keys it registered have already moved (%(keys)s).",
                         keys=", ".join(labels)), details=[{"field": "key", "message": label} for label in labels])
    for key_id in ids:
        key = db.session.get(Key, key_id)
        if key is not None:
            db.session.delete(key)
    db.session.flush()


import_runs.register_undo(RUN_KIND, _undo_run)


def template_workbook() -> bytes:
    """The import template: the exact headers on an empty first sheet; notes and examples on 说明."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "钥匙清单"
    sheet.append([zh for _key, zh, _en in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
        for row in range(1, 500):
            if index in (1, 2, 3, 7):  # 楼栋, 单元, 房号, 柜位 stay text: 0101 must not become 101
                sheet.cell(row=row, column=index).number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.append(["列", "说明"])
    notes.append(["楼栋/单元/房号", "与本批次房屋一致；入户门、邮箱钥匙必填，设备房等公共用房钥匙可留空"])
    notes.append(["钥匙类型", "入户门、单元门、邮箱、设备房、管理用房（或 entrance_door 等英文标识）"])
    notes.append(["标签", "可留空，默认为 楼栋-单元-房号 钥匙类型；公共用房钥匙必填"])
    notes.append(["套数", "整数 1–20，留空为 1"])
    notes.append(["柜位", "钥匙柜格位，同一批次内不得重复，可留空"])
    notes.append([])
    notes.append(["填写示例（仅供参考，不会被导入；请在第一个工作表填写真实数据）"])
    notes.append([zh for _key, zh, _en in COLUMNS])
    for values in EXAMPLE_ROWS:
        notes.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
