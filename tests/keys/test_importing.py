"""Excel import of a key list: every bad cell reported with row and column, nothing imported when any
row is bad, kinds in Chinese or English, public-room keys without a unit, the template."""
import pytest
import sqlalchemy as sa

from handover.core.errors import Conflict, ValidationFailed
from handover.extensions import db
from handover.keys import importing
from handover.keys.models import Key, KeyKind, KeyStatus
from handover.projects.models import Batch
from tests.fixtures.sheets import sheet_bytes

HEADERS = ["楼栋", "单元", "房号", "钥匙类型", "标签", "套数", "柜位"]


def row(room="101", kind="入户门", **overrides) -> dict:
    return {"楼栋": "1", "单元": "1", "房号": room, "钥匙类型": kind, **overrides}


def run(batch_id, rows, headers=HEADERS):
    return importing.import_keys(db.session.get(Batch, batch_id), sheet_bytes(rows, headers))


def problems_of(batch_id, rows, headers=HEADERS) -> list[tuple]:
    with pytest.raises(ValidationFailed) as caught:
        run(batch_id, rows, headers)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Key)) == 0, "nothing may be imported"
    return [(p["row"], p["column"], p["column_letter"]) for p in caught.value.details]


def test_a_good_list_registers_every_key_with_the_contractor(world, ctx):
    count = run(world.a.batch_id, [
        row("101", "入户门", 套数=3, 柜位="A-01"),
        row("101", "mailbox", 套数=2),
        row("102", "单元门"),
        {"钥匙类型": "设备房", "标签": "1号楼 水泵房", "柜位": "Z-01"},
    ])
    db.session.commit()
    assert count == 4
    found = {(k.unit_id, k.kind, k.label, k.copies, k.cabinet_slot, k.status)
             for k in db.session.scalars(sa.select(Key))}
    assert found == {
        (world.a1.id, KeyKind.ENTRANCE_DOOR, "1-1-101 入户门", 3, "A-01", KeyStatus.WITH_CONTRACTOR),
        (world.a1.id, KeyKind.MAILBOX, "1-1-101 邮箱", 2, None, KeyStatus.WITH_CONTRACTOR),
        (world.a2.id, KeyKind.BUILDING_DOOR, "1-1-102 单元门", 1, None, KeyStatus.WITH_CONTRACTOR),
        (None, KeyKind.PLANT_ROOM, "1号楼 水泵房", 1, "Z-01", KeyStatus.WITH_CONTRACTOR),
    }


def test_bad_kind_is_reported_with_row_and_column(world, ctx):
    assert problems_of(world.a.batch_id, [row("101"), row("102", "后门")]) == [(3, "钥匙类型", "D")]


def test_missing_unit_cells_are_each_reported(world, ctx):
    problems = problems_of(world.a.batch_id, [row("101"), {"钥匙类型": "入户门"}, row("", "邮箱")])
    assert problems == [(3, "楼栋", "A"), (3, "单元", "B"), (3, "房号", "C"), (4, "房号", "C")]


def test_a_public_room_key_needs_a_label(world, ctx):
    assert problems_of(world.a.batch_id, [{"钥匙类型": "管理用房"}]) == [(2, "标签", "E")]


def test_unknown_unit_is_reported(world, ctx):
    problems = problems_of(world.a.batch_id, [row("101"), row("999"), row("201")])
    assert problems == [(3, "房号", "C"), (4, "房号", "C")]  # 201 exists, but in another project's batch


def test_duplicate_slot_in_the_file(world, ctx):
    problems = problems_of(world.a.batch_id, [row("101", 柜位="A-01"), row("102", 柜位="A-02"),
                                              row("101", "邮箱", 柜位="A-01")])
    assert problems == [(4, "柜位", "G")]


def test_the_same_key_twice_in_the_file(world, ctx):
    assert problems_of(world.a.batch_id, [row("101"), row("101")]) == [(3, "标签", "E")]


def test_slot_or_key_already_in_the_database(world, ctx):
    run(world.a.batch_id, [row("101", 柜位="A-01")])
    db.session.commit()
    with pytest.raises(ValidationFailed) as caught:
        run(world.a.batch_id, [row("102", 柜位="A-01"), row("101")])
    db.session.rollback()
    assert [(p["row"], p["column"]) for p in caught.value.details] == [(2, "柜位"), (3, "标签")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Key)) == 1


def test_copies_must_be_a_whole_number_in_range(world, ctx):
    problems = problems_of(world.a.batch_id, [row("101", 套数="三"), row("102", 套数=0), row("101", "邮箱", 套数=2.5)])
    assert problems == [(2, "套数", "F"), (3, "套数", "F"), (4, "套数", "F")]


def test_every_problem_of_every_row_at_once(world, ctx):
    problems = problems_of(world.a.batch_id, [row("999", "后门", 套数="x"), row("101", 柜位="B-1"),
                                              row("102", 柜位="B-1")])
    assert problems == [(2, "钥匙类型", "D"), (2, "房号", "C"), (2, "套数", "F"), (4, "柜位", "G")]


def test_missing_header_and_not_a_spreadsheet(world, ctx):
    with pytest.raises(ValidationFailed) as caught:
        run(world.a.batch_id, [{"楼栋": "1"}], headers=["楼栋", "单元", "房号"])
    assert [p["column"] for p in caught.value.details] == ["钥匙类型"]
    with pytest.raises(ValidationFailed):
        importing.import_keys(db.session.get(Batch, world.a.batch_id), b"not a spreadsheet")


def test_english_headers_and_identifiers_are_accepted(world, ctx):
    rows = [{"building": "1", "entrance": "1", "room_no": "101", "kind": "entrance_door", "copies": 3}]
    assert run(world.a.batch_id, rows, ["building", "entrance", "room_no", "kind", "label", "copies",
                                        "cabinet_slot"]) == 1


def test_the_unchanged_template_registers_nothing(world, make_unit, ctx):
    make_unit(world.a.batch_id, "1201", phone="13800001201")
    batch = db.session.get(Batch, world.a.batch_id)
    with pytest.raises(ValidationFailed) as caught:
        importing.import_keys(batch, importing.template_workbook())
    assert "说明" in caught.value.details[0]["message"]


def test_rows_identical_to_the_examples_are_skipped(world, make_unit, ctx):
    make_unit(world.a.batch_id, "1201", phone="13800001201")
    batch = db.session.get(Batch, world.a.batch_id)
    old_template = sheet_bytes([dict(zip(HEADERS, values)) for values in importing.EXAMPLE_ROWS], HEADERS)
    preview = importing.preview_keys(batch, old_template)
    assert preview.skipped_examples == [2, 3, 4] and not preview.has_changes
    assert importing.import_keys(batch, old_template) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Key)) == 0


def test_preview_then_undo_until_a_key_moves(world, ctx):
    from handover.accounts.models import User
    from handover.keys import service
    from handover.keys.models import KeyEventType
    from handover.projects import import_runs
    from handover.projects.models import ImportRun

    batch = db.session.get(Batch, world.a.batch_id)
    content = sheet_bytes([row("101", 柜位="A-01"), row("102")], HEADERS)
    assert [p.label for p in importing.preview_keys(batch, content).new] == ["1-1-101 入户门", "1-1-102 入户门"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Key)) == 0
    importing.import_keys(batch, content)
    db.session.commit()
    run = db.session.scalar(sa.select(ImportRun))
    key = db.session.scalar(sa.select(Key).where(Key.cabinet_slot == "A-01"))
    service.record_key_event(key, service.KeyEventInput(type=KeyEventType.RECEIVED, counterparty="总包 王工"),
                             actor=db.session.get(User, world.users["property"]))
    db.session.commit()
    with pytest.raises(Conflict):
        import_runs.undo_import(run, actor=None)
    db.session.rollback()
    importing.import_keys(batch, sheet_bytes([{"钥匙类型": "设备房", "标签": "水泵房"}], HEADERS))
    db.session.commit()
    later = db.session.scalar(sa.select(ImportRun).order_by(ImportRun.id.desc()))
    import_runs.undo_import(later, actor=None)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Key)) == 2
