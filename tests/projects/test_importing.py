"""Unit import: every bad cell reported with row and column, all or nothing, re-import updates."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from datetime import timedelta

from handover.core.errors import Conflict, ValidationFailed
from handover.core.timeutil import freeze
from handover.extensions import db
from handover.projects import import_runs, importing, unit_sheet
from handover.projects.models import Batch, Building, Contract, ImportRun, Owner, Unit
from tests.fixtures.sheets import HEADERS, good_row, sheet_bytes


@pytest.fixture
def batch(ctx, make_project):
    return db.session.get(Batch, make_project().batch_id)


def _problems(batch, rows, headers=HEADERS):
    with pytest.raises(ValidationFailed) as caught:
        importing.import_units(batch, sheet_bytes(rows, headers))
    db.session.rollback()
    return [(p["row"], p["column"], p["message"]) for p in caught.value.details]


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_good_file_creates_units_owners_and_contracts(batch):
    result = importing.import_units(batch, sheet_bytes([good_row("101"), good_row("102", 合同总价=2000000,
                                                                                  合同单价=None, 实测面积=101.12)]))
    db.session.commit()
    assert (result.created, result.updated) == (2, 0)
    unit = db.session.scalar(sa.select(Unit).where(Unit.room_no == "102"))
    assert unit.measured_area == Decimal("101.12")
    assert unit.contract.total_price == Decimal("2000000.00") and unit.contract.unit_price is None
    assert unit.contract.diff_threshold == Decimal("0.03") and unit.contract.refund_multiplier == Decimal("2")
    assert unit.building.name == "1" and unit.fitout_type.value == "decorated"


def test_areas_keep_their_exact_decimals(batch):
    importing.import_units(batch, sheet_bytes([good_row("101", 合同面积=89.37, 实测面积="90.12")]))
    unit = db.session.scalar(sa.select(Unit))
    assert unit.contract.area == Decimal("89.37") and unit.measured_area == Decimal("90.12")


def test_every_problem_is_reported_with_row_and_column_and_nothing_is_written(batch):
    rows = [
        good_row("101"),
        good_row("102", 业主姓名=None),                       # row 3: missing owner name
        good_row("103", 合同面积="八十九"),                     # row 4: not a number
        good_row("104", 合同面积=-5),                          # row 5: negative
        good_row("105", 业主电话="12345"),                      # row 6: bad mobile
        good_row("106", 合同单价=None, 合同总价=None),            # row 7: no price at all
        good_row("101", 合同编号="HT-X"),                       # row 8: unit twice
        good_row("108", 实测面积=0),                            # row 9: zero measured area
    ]
    problems = _problems(batch, rows)
    located = {(row, column) for row, column, _m in problems}
    assert {(3, "业主姓名"), (4, "合同面积"), (5, "合同面积"), (6, "业主电话"), (7, "合同单价"),
            (8, "房号"), (9, "实测面积")} <= located
    assert not any(row == 2 for row, _c, _m in problems)
    assert _count(Unit) == 0 and _count(Owner) == 0 and _count(Contract) == 0


def test_messages_say_what_is_wrong(batch):
    problems = _problems(batch, [good_row("101"), good_row("101", 合同编号="HT-X"), good_row("103", 业主电话="1234")])
    messages = " ".join(m for _r, _c, m in problems)
    assert "row 2" in messages or "第 2 行" in messages
    assert "1234" in messages


def test_missing_required_header_is_reported_on_row_one(batch):
    headers = [h for h in HEADERS if h != "合同面积"]
    problems = _problems(batch, [good_row("101")], headers)
    assert problems[0][:2] == (1, "合同面积")


def test_english_header_aliases_are_accepted(batch):
    aliases = ["building", "entrance", "floor", "room_no", "layout", "fitout_type", "contract_no", "contract_area",
               "measured_area", "unit_price", "total_price", "owner_name", "owner_phone", "id_number"]
    row = good_row("101")
    content = sheet_bytes([dict(zip(aliases, [row[h] for h in HEADERS]))], aliases)
    assert importing.import_units(batch, content).created == 1


def test_a_file_that_is_not_a_spreadsheet_is_refused(batch):
    with pytest.raises(ValidationFailed) as caught:
        importing.import_units(batch, b"%PDF-1.4 definitely not excel")
    assert "xlsx" in caught.value.message


def test_id_number_typed_as_a_number_is_refused(batch):
    problems = _problems(batch, [good_row("101", 证件号码=110101199003074514)])
    assert problems[0][:2] == (2, "证件号码")


def test_resident_id_checksum_is_checked(batch):
    problems = _problems(batch, [good_row("101", 证件号码="110101199003074515")])
    assert problems[0][:2] == (2, "证件号码")


def test_reimport_updates_in_place_and_blank_measured_area_keeps_the_old_one(batch):
    importing.import_units(batch, sheet_bytes([good_row("101", 实测面积=101.2)]))
    db.session.commit()
    result = importing.import_units(batch, sheet_bytes([good_row("101", 合同面积=99.5, 实测面积=None),
                                                        good_row("102")]))
    db.session.commit()
    assert (result.created, result.updated) == (1, 1)
    unit = db.session.scalar(sa.select(Unit).where(Unit.room_no == "101"))
    assert unit.contract.area == Decimal("99.50") and unit.measured_area == Decimal("101.20")
    assert _count(Unit) == 2


def test_later_import_fills_measured_area(batch):
    importing.import_units(batch, sheet_bytes([good_row("101")]))
    importing.import_units(batch, sheet_bytes([good_row("101", 实测面积=100.45)]))
    assert db.session.scalar(sa.select(Unit.measured_area)) == Decimal("100.45")


def test_contract_number_of_another_unit_is_refused(batch):
    importing.import_units(batch, sheet_bytes([good_row("101", 合同编号="HT-1")]))
    db.session.commit()
    problems = _problems(batch, [good_row("102", 合同编号="HT-1")])
    assert problems[0][:2] == (2, "合同编号")


def test_same_person_on_two_units_is_one_owner(batch):
    importing.import_units(batch, sheet_bytes([good_row("101", 业主电话="13900000009"),
                                               good_row("102", 业主电话="13900000009")]))
    assert _count(Owner) == 1


def test_an_empty_file_is_an_error(batch):
    problems = _problems(batch, [])
    assert len(problems) == 1 and problems[0][0] is None and problems[0][2]


def test_blank_rows_are_skipped(batch):
    blank = {header: None for header in HEADERS}
    assert importing.import_units(batch, sheet_bytes([good_row("101"), blank, good_row("102")])).created == 2


def test_template_has_exactly_the_documented_headers(batch):
    from openpyxl import load_workbook
    import io

    workbook = load_workbook(io.BytesIO(unit_sheet.template_workbook()))
    assert [cell.value for cell in workbook.active[1]] == HEADERS
    assert all(cell.value is None for row in workbook.active.iter_rows(min_row=2) for cell in row), "no example rows"
    notes = [[cell.value for cell in row] for row in workbook["说明"].iter_rows()]
    assert ["1", "1", 12, "1201"] in [row[:4] for row in notes], "the examples live on the notes sheet"


def test_duplicates_are_found_even_among_rows_with_other_problems(batch):
    problems = _problems(batch, [good_row("101", 合同面积="abc"), good_row("101", 合同编号="HT-Z")])
    assert (3, "房号") in {(row, column) for row, column, _m in problems}
    assert (2, "合同面积") in {(row, column) for row, column, _m in problems}


def test_the_unchanged_template_writes_nothing_and_says_where_the_examples_are(batch):
    problems = _problems(batch, [])
    with pytest.raises(ValidationFailed) as caught:
        importing.preview_units(batch, unit_sheet.template_workbook())
    assert "说明" in caught.value.details[0]["message"]
    assert problems and _count(Unit) == 0


def _old_template() -> bytes:
    """A template as downloaded before: the two examples as data rows."""
    return sheet_bytes([dict(zip(HEADERS, values)) for values in unit_sheet.EXAMPLE_ROWS])


def test_rows_identical_to_the_examples_are_skipped_and_never_overwrite_real_units(batch):
    real = good_row("1201", 楼层=12, 合同编号="HT-2025-0001", 合同面积=118.52, 业主姓名="王芳", 业主电话="13700000001")
    importing.import_units(batch, sheet_bytes([real]))
    db.session.commit()
    preview = importing.preview_units(batch, _old_template())
    assert preview.skipped_examples == [2, 3] and not preview.has_changes
    result = importing.import_units(batch, _old_template())
    db.session.commit()
    assert (result.created, result.updated, result.skipped_examples, result.run_id) == (0, 0, 2, None)
    unit = db.session.scalar(sa.select(Unit).where(Unit.room_no == "1201"))
    assert unit.contract.area == Decimal("118.52") and unit.contract.owner.name == "王芳"
    assert _count(Unit) == 1


def test_an_example_row_edited_by_the_user_is_imported(batch):
    values = dict(zip(HEADERS, unit_sheet.EXAMPLE_ROWS[0]), 业主姓名="赵敏")
    preview = importing.preview_units(batch, sheet_bytes([values]))
    assert preview.skipped_examples == [] and [p.label for p in preview.new] == ["1-1-1201"]


def test_preview_lists_new_units_and_every_changed_field_old_to_new(batch):
    importing.import_units(batch, sheet_bytes([good_row("101", 合同面积=118.52), good_row("102")]))
    db.session.commit()
    content = sheet_bytes([good_row("101", 合同面积=117.5, 业主姓名="李娜"), good_row("102"), good_row("103")])
    preview = importing.preview_units(batch, content)
    assert [p.label for p in preview.new] == ["1-1-103"] and preview.unchanged == 1
    (updated,) = preview.updated
    assert updated.row == 2 and updated.label == "1-1-101"
    assert {(c.field, c.old, c.new) for c in updated.changes} == {("合同面积", "118.52", "117.50"),
                                                                  ("业主姓名", "张伟", "李娜")}
    assert _count(Unit) == 2, "a preview writes nothing"


def test_contradictory_prices_and_areas_warn_with_row_and_column_and_need_acceptance(batch):
    content = sheet_bytes([
        good_row("101"),
        good_row("102", 合同面积=118.52, 合同单价=30500, 合同总价=1530000),     # ¥2.08M apart
        good_row("103", 合同面积=118.52, 实测面积=77.04),                        # 35 % below
        good_row("104", 合同面积=100, 合同单价=15300, 合同总价=1530000.5),  # within a yuan: fine
    ])
    preview = importing.preview_units(batch, content)
    assert [(w["row"], w["column"], w["column_letter"]) for w in preview.warnings] == [
        (3, "合同总价", "K"), (4, "实测面积", "I")]
    assert "2,084,860.00" in preview.warnings[0]["message"]
    with pytest.raises(Conflict) as caught:
        importing.import_units(batch, content)
    assert [d["row"] for d in caught.value.details] == [3, 4]
    db.session.rollback()
    assert _count(Unit) == 0
    assert importing.import_units(batch, content, accept_warnings=True).created == 4


def test_a_confirmation_for_an_outdated_preview_is_refused(batch):
    content = sheet_bytes([good_row("101")])
    fingerprint = importing.preview_units(batch, content).fingerprint()
    importing.import_units(batch, sheet_bytes([good_row("101", 业主姓名="李娜")]))
    with pytest.raises(Conflict):
        importing.import_units(batch, content, expected_fingerprint=fingerprint)


def test_an_import_is_undone_as_a_whole(batch, ctx):
    importing.import_units(batch, sheet_bytes([good_row("101", 合同面积=118.52, 实测面积=119)]))
    db.session.commit()
    result = importing.import_units(batch, sheet_bytes([
        good_row("101", 合同面积=76.5, 实测面积=77, 业主姓名="李娜", 业主电话="13900000002"),
        good_row("102", 楼栋="2")]))
    db.session.commit()
    run = db.session.get(ImportRun, result.run_id)
    assert (run.created_count, run.updated_count) == (1, 1)
    import_runs.undo_import(run, actor=None)
    db.session.commit()
    unit = db.session.scalar(sa.select(Unit))
    assert _count(Unit) == 1 and _count(Contract) == 1 and _count(Building) == 1
    assert unit.contract.area == Decimal("118.52") and unit.measured_area == Decimal("119.00")
    assert unit.contract.owner.name == "张伟" and _count(Owner) == 1
    with pytest.raises(Conflict):
        import_runs.undo_import(run, actor=None)


def test_undo_is_refused_when_a_created_unit_is_in_use_or_the_day_is_over(batch, ctx):
    from handover.keys import service as key_service
    from handover.keys.models import KeyKind

    result = importing.import_units(batch, sheet_bytes([good_row("101")]))
    key_service.create_key(batch, kind=KeyKind.ENTRANCE_DOOR, label="1-1-101", unit=db.session.scalar(sa.select(Unit)))
    db.session.commit()
    run = db.session.get(ImportRun, result.run_id)
    with pytest.raises(Conflict) as caught:
        import_runs.undo_import(run, actor=None)
    assert "1-1-101" in caught.value.message
    db.session.rollback()
    with freeze(run.created_at + timedelta(days=1)):
        assert "day" in import_runs.undo_refusal(run) or "当天" in import_runs.undo_refusal(run)


def test_only_the_latest_import_can_be_undone(batch, ctx):
    first = importing.import_units(batch, sheet_bytes([good_row("101")]))
    importing.import_units(batch, sheet_bytes([good_row("101", 业主姓名="李娜")]))
    db.session.commit()
    assert import_runs.undo_refusal(db.session.get(ImportRun, first.run_id))


def test_a_preview_read_in_one_language_confirms_in_the_other(batch, app):
    from flask_babel import force_locale

    importing.import_units(batch, sheet_bytes([good_row("101", 装修类型="毛坯")]))
    db.session.commit()
    content = sheet_bytes([good_row("101", 装修类型="精装", 合同单价=30500, 合同总价=1530000)])
    with force_locale("en"):
        preview = importing.preview_units(batch, content)
    assert ("装修类型", "毛坯", "精装") in {(c.field, c.old, c.new) for c in preview.updated[0].changes}
    with force_locale("zh_Hans_CN"):
        result = importing.import_units(batch, content, accept_warnings=True, expected_fingerprint=preview.fingerprint())
    assert result.updated == 1
