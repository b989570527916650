"""Gathering the defect ledger: the list's filters and scope, one plain row per defect."""
from datetime import timedelta

from handover.accounts.models import User
from handover.core.timeutil import today_local
from handover.defects.models import DefectStatus
from handover.defects.queries import DefectFilters
from handover.extensions import db
from handover.defects import document_rows, exports
from tests.reporting.conftest import INJECTION


def _gather(app, world, username="engineering", **filters):
    with app.test_request_context(base_url="https://handover.example.cn/"):
        user = db.session.get(User, world.users[username])
        ledger = document_rows.gather_ledger(user, DefectFilters(batch_id=world.a.batch_id, **filters),
                                              photo_url=exports.photo_url_builder())
        return list(ledger.dicts()), list(ledger.rows()), ledger.definition


def test_one_row_per_defect_of_the_batch_in_room_order(app, defect_world):
    rows, _tuples, _definition = _gather(app, defect_world.world)
    assert [(r["room_no"], r["description"]) for r in rows] == [
        ("101", "客厅墙面空鼓约0.5平方米，需要铲除重做"), ("101", "卫生间闭水试验时楼板渗漏"), ("101", INJECTION),
        ("102", "入户门锁芯卡滞")]
    first = rows[0]
    assert first["short_id"] == defect_world.overdue[:8].upper()
    assert (first["building"], first["entrance"], first["room"], first["category"], first["sub_item"]) == \
        ("1", "1", "客厅", "墙面", "空鼓")
    assert first["contractor"] == "宏元建设"
    assert first["due_date"] == today_local() - timedelta(days=3)
    assert first["overdue"] and not rows[1]["overdue"]
    assert first["created_at"].utcoffset() == timedelta(hours=8)  # local (Asia/Shanghai) time
    assert rows[3]["rework_count"] == 1 and rows[0]["rework_count"] == 0


def test_photo_links_are_absolute_urls_of_the_photo_page(app, defect_world):
    rows, _tuples, _definition = _gather(app, defect_world.world)
    links = rows[0]["photos"].split("\n")
    assert len(links) == 1 and links[0].startswith("https://handover.example.cn/photos/")
    assert len(rows[3]["photos"].split("\n")) == 2  # two "after" photos of the reworked fix
    assert rows[1]["photos"] == ""


def test_filters_are_the_lists_filters(app, defect_world):
    world = defect_world.world
    overdue, _t, _d = _gather(app, world, overdue=True)
    assert [r["short_id"] for r in overdue] == [defect_world.overdue[:8].upper()]
    closed, _t, _d = _gather(app, world, status=DefectStatus.VERIFIED)
    assert [r["description"] for r in closed] == ["入户门锁芯卡滞"]
    by_contractor, _t, _d = _gather(app, world, contractor_id=world.contractor_id)
    assert len(by_contractor) == 3
    in_kitchen, _t, _d = _gather(app, world, room="厨房")
    assert [r["description"] for r in in_kitchen] == [INJECTION]


def test_scope_another_projects_user_sees_nothing(app, defect_world):
    rows, _t, _d = _gather(app, defect_world.world, username="sales_b")
    assert rows == []


def test_rows_follow_the_report_definition(app, defect_world):
    _rows, tuples, definition = _gather(app, defect_world.world)
    assert definition.keys[0] == "short_id" and definition.columns[0].header == "编号"
    assert len(tuples[0]) == len(definition.columns)
    assert tuples[0][definition.keys.index("description")] == "客厅墙面空鼓约0.5平方米，需要铲除重做"


def test_count_matches_the_rows(app, defect_world):
    world = defect_world.world
    with app.test_request_context():
        user = db.session.get(User, world.users["engineering"])
        assert document_rows.count_rows(user, DefectFilters(batch_id=world.a.batch_id)) == 4
        assert document_rows.count_rows(user, DefectFilters(batch_id=world.a.batch_id, overdue=False)) == 3


def test_filters_survive_a_round_trip_through_job_params():
    filters = DefectFilters(batch_id=3, status=DefectStatus.FIXED, overdue=True, contractor_id=7)
    params = document_rows.filters_to_params(filters)
    assert params == {"batch_id": 3, "status": "fixed", "overdue": True, "contractor_id": 7}
    assert document_rows.filters_from_params(params) == filters
