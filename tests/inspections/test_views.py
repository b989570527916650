"""Inspection pages: the checklist editor, a unit's rounds and defects, a round's results with limits."""
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from handover.extensions import db
from handover.inspections.models import ChecklistItem, Inspection, InspectionResult, InspectionStage
from handover.inspections.rules import DEFAULT_CHECKLIST
from handover.inspections.service import seed_default_checklist


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def seeded(app):
    with app.app_context():
        seed_default_checklist()
        db.session.commit()
        return {(i.category, i.name): i.id for i in db.session.scalars(sa.select(ChecklistItem))}


RAILING = ("栏杆护窗", "栏杆高度（临空高度 24 m 以下）")


def _item(app, item_id) -> ChecklistItem:
    with app.app_context():
        item = db.session.get(ChecklistItem, item_id)
        db.session.expunge(item)
        return item


# --- the checklist (administrators) ---------------------------------------------------------------

def test_admin_loads_the_default_checklist_once(world, browser, app, english):
    browser.login("admin")
    assert "The checklist is empty" in browser.client.get("/checklist/").get_data(as_text=True)
    html = browser.post("/checklist/default", page="/checklist/", follow_redirects=True).get_data(as_text=True)
    assert f"{len(DEFAULT_CHECKLIST)} items of the default checklist added." in html
    assert "≥ 1.05 m" in html and "栏杆高度不足" in html
    again = browser.post("/checklist/default", page="/checklist/", follow_redirects=True).get_data(as_text=True)
    assert "already there" in again
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChecklistItem)) == len(DEFAULT_CHECKLIST)


def test_admin_edits_an_item(world, browser, seeded, app, english):
    item_id = seeded[RAILING]
    browser.login("admin")
    url = f"/checklist/{item_id}/edit"
    form = browser.client.get(url).get_data(as_text=True)
    assert 'value="1.05"' in form and "栏杆高度不足" in form
    response = browser.post(url, {"category": "栏杆护窗", "name": "栏杆高度（低层）", "limit_min": "1.1",
                                  "limit_max": "", "limit_unit": "m", "phrases": "栏杆高度不足\n\n栏杆松动 ",
                                  "fitout_type": "decorated", "warranty_class": "installation"},
                            follow_redirects=True)
    assert "Checklist item saved." in response.get_data(as_text=True)
    item = _item(app, item_id)
    assert (item.name, item.limit_min, item.phrases) == ("栏杆高度（低层）", Decimal("1.100"), ["栏杆高度不足", "栏杆松动"])
    assert item.fitout_type.value == "decorated" and item.active is False  # the unticked box takes it out of use


def test_checklist_edits_are_checked(world, browser, seeded, app, english):
    browser.login("admin")
    url = f"/checklist/{seeded[RAILING]}/edit"
    base = {"category": "栏杆护窗", "limit_unit": "m", "warranty_class": "installation", "fitout_type": "",
            "active": "y"}
    duplicate = browser.post(url, {**base, "name": "竖杆间距"}).get_data(as_text=True)
    assert "already has an item of that name" in duplicate
    crossed = browser.post(url, {**base, "name": "x", "limit_min": "2", "limit_max": "1"}).get_data(as_text=True)
    assert "The maximum is below the minimum." in crossed
    too_fine = browser.post(url, {**base, "name": "x", "limit_min": "1.0505"}).get_data(as_text=True)
    assert "at most 3 decimals" in too_fine
    assert _item(app, seeded[RAILING]).name == RAILING[1]


def test_admin_adds_an_item(world, browser, app, english):
    browser.login("admin")
    response = browser.post("/checklist/new", {"category": "门窗", "name": "纱窗", "phrases": "纱窗破损",
                                               "warranty_class": "installation", "fitout_type": "", "active": "y"},
                            follow_redirects=True)
    assert "Checklist item added." in response.get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(sa.select(ChecklistItem).where(ChecklistItem.name == "纱窗"))
        assert item.active and item.phrases == ["纱窗破损"] and item.limit_min is None


def test_only_admins_edit_the_checklist(world, browser, seeded):
    browser.login("engineering")
    assert browser.client.get("/checklist/").status_code == 403
    assert browser.client.get(f"/checklist/{seeded[RAILING]}/edit").status_code == 403


# --- rounds ----------------------------------------------------------------------------------

def _start_round(browser, unit_id, stage="unit_acceptance", inspected_on="2026-11-02", inspectors="陈工、物业 周主管"):
    url = f"/units/{unit_id}/inspections"
    return browser.post(url, {"stage": stage, "inspected_on": inspected_on, "inspectors": inspectors}, page=url)


def test_a_round_with_a_failing_measured_value(world, browser, seeded, app, english):
    browser.login("engineering")
    started = _start_round(browser, world.a1.id)
    assert started.status_code == 302
    round_url = started.headers["Location"]
    page = browser.client.get(round_url).get_data(as_text=True)
    railing, spacing = seeded[RAILING], seeded[("栏杆护窗", "竖杆间距")]
    hollow = seeded[("地面", "空鼓")]
    assert "≥ 1.05 m" in page and "≤ 0.11 m" in page and f'name="value-{railing}"' in page
    assert f'name="value-{hollow}"' not in page  # pass/fail only: no limit, no number to enter

    saved = browser.post(round_url, {f"passed-{railing}": "pass", f"value-{railing}": "1.00",
                                     f"passed-{spacing}": "pass", f"value-{spacing}": "0.10",
                                     f"passed-{hollow}": "fail"}, page=round_url, follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert "3 results saved; 2 items fail." in html
    assert re.search(rf'id="item-{railing}"[^>]*data-result="fail"', html)  # ticked "pass", but 1.00 < 1.05
    assert re.search(rf'id="item-{spacing}"[^>]*data-result="pass"', html)
    assert "measured 1 m" in html
    with app.app_context():
        results = {r.item_id: (r.passed, r.measured_value) for r in db.session.scalars(sa.select(InspectionResult))}
    assert results == {railing: (False, Decimal("1.000")), spacing: (True, Decimal("0.100")), hollow: (False, None)}

    unit_page = browser.client.get(f"/units/{world.a1.id}/inspections").get_data(as_text=True)
    assert "3 items checked, 2 fail" in unit_page and "栏杆高度（临空高度 24 m 以下） (1 m)" in unit_page
    assert f"inspection_id={round_url.rsplit('/', 1)[1]}&amp;item={railing}" in html  # log a defect for it


def test_an_unreadable_value_saves_nothing(world, browser, seeded, app, english):
    browser.login("engineering")
    round_url = _start_round(browser, world.a1.id).headers["Location"]
    railing, hollow = seeded[RAILING], seeded[("地面", "空鼓")]
    response = browser.post(round_url, {f"passed-{hollow}": "fail", f"value-{railing}": "一米"}, page=round_url)
    assert response.status_code == 422 and "at most 3 decimals" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(InspectionResult)) == 0


def _record(app, world, **fields):
    from handover.accounts.models import User
    from handover.defects import service
    from handover.projects.models import Unit

    values = dict(stage=InspectionStage.UNIT_ACCEPTANCE, room="客厅", category="门窗", description="")
    with app.app_context():
        service.record_defect(db.session.get(Unit, world.a1.id), service.NewDefect(**{**values, **fields}),
                              actor=db.session.get(User, world.users["engineering"]))
        db.session.commit()


def test_the_unit_page_shows_every_round_and_every_defect(world, browser, seeded, app, english):
    _record(app, world, description="客厅窗扇开启不畅")
    _record(app, world, stage=InspectionStage.OPEN_DAY, room="主卫", category="防水", description="闭水试验渗漏")
    browser.login("engineering")
    _start_round(browser, world.a1.id)
    _start_round(browser, world.a1.id, stage="open_day", inspected_on="2026-11-20")
    html = browser.client.get(f"/units/{world.a1.id}/inspections").get_data(as_text=True)
    assert html.count('data-round="') == 2 and "Owner open day" in html and "Per-unit inspection" in html
    assert "客厅窗扇开启不畅" in html and "闭水试验渗漏" in html
    assert f"/units/{world.a1.id}/defects/new" in html
    unit_detail = browser.client.get(f"/units/{world.a1.id}").get_data(as_text=True)
    assert f"/units/{world.a1.id}/inspections" in unit_detail


def test_rounds_are_scoped_and_only_inspectors_record(world, browser, seeded, app):
    browser.login("engineering")
    round_url = _start_round(browser, world.a1.id).headers["Location"]
    browser.logout()
    browser.login("sales_b")
    assert browser.client.get(round_url).status_code == 404
    assert browser.client.get(f"/units/{world.a1.id}/inspections").status_code == 404
    browser.logout()
    browser.login("finance")
    assert browser.client.get(round_url).status_code == 200
    assert browser.post(round_url, {}, page=round_url).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 1
