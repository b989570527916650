"""Unit import: every bad cell reported with row and column, all or nothing, re-import updates."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from handover.core.errors import ValidationFailed
from handover.extensions import db
from handover.projects import importing
from handover.projects.models import Batch, Contract, Owner, Unit
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
    result = importing.import_units(batch, sheet_bytes([good_row("101"), good_row("102", 合同总价=1530000,
                                                                                  合同单价=None, 实测面积=77.12)]))
    db.session.commit()
    assert (result.created, result.updated) == (2, 0)
    unit = db.session.scalar(sa.select(Unit).where(Unit.room_no == "102"))
    assert unit.measured_area == Decimal("77.12")
    assert unit.contract.total_price == Decimal("1530000.00") and unit.contract.unit_price is None
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

    sheet = load_workbook(io.BytesIO(importing.template_workbook())).active
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert importing.import_units(batch, importing.template_workbook()).created == 2


def test_duplicates_are_found_even_among_rows_with_other_problems(batch):
    problems = _problems(batch, [good_row("101", 合同面积="abc"), good_row("101", 合同编号="HT-Z")])
    assert (3, "房号") in {(row, column) for row, column, _m in problems}
    assert (2, "合同面积") in {(row, column) for row, column, _m in problems}
