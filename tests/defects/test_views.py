"""Defect pages: logging on the tablet form, action buttons per role, conflicts, isolation, owner pages,
the batch list with bulk assignment, and the dashboard.

Pages are read in English (`lang` cookie) so assertions do not depend on the Chinese catalogue.
"""
import io
import re
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from handover.accounts.models import User
from handover.core.timeutil import freeze, today_local
from handover.defects import service
from handover.defects.models import Defect, DefectPhoto, DefectStatus, PhotoKind
from handover.defects.rules import TransitionInput as T
from handover.inspections.models import InspectionStage
from handover.extensions import db
from handover.inspections.models import ChecklistItem
from handover.inspections.service import seed_default_checklist
from handover.projects.models import Contractor, Unit
from tests.fixtures.images import NOT_AN_IMAGE, jpeg_with_gps, png


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def checklist(app):
    with app.app_context():
        seed_default_checklist()
        db.session.commit()
        item = db.session.scalar(sa.select(ChecklistItem).where(ChecklistItem.category == "门窗",
                                                               ChecklistItem.name == "开启灵活"))
        return item.id


@pytest.fixture
def act(app, world):
    """act(defect_id, action, by=..., photo=False, **fields): one life-cycle step through the service."""

    def step(defect_id, action, by="engineering", photo=False, **fields):
        with app.app_context():
            user = db.session.get(User, world.users[by] if by != "owner" else world.owner.user_id)
            defect = db.session.get(Defect, defect_id)
            if photo:
                service.add_photo(defect, png(), actor=user)
            if action == "confirm":
                service.confirm_fix(defect, actor=user)
            else:
                service.transition(defect, T(action, **fields), actor=user)
            db.session.commit()

    return step


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or \
        re.search(rf'value="([^"]*)"[^>]*name="{name}"', html)
    assert match, f"no {name} field"
    return match.group(1)


def _defects(app) -> list[Defect]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Defect)))
        for row in rows:
            _ = row.photos
        db.session.expunge_all()
        return rows


def _photo_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(DefectPhoto))


def _log_form(browser, unit_id, item_id, **overrides):
    page = browser.client.get(f"/units/{unit_id}/defects/new").get_data(as_text=True)
    data = {"csrf_token": _field(page, "csrf_token"), "id": _field(page, "id"), "inspection_id": "",
            "stage": "unit_acceptance", "room": "主卧", "category": "门窗", "checklist_item_id": str(item_id),
            "description": "窗扇开启不畅", "severity": "major", "quick_fix": "y"}
    data.update(overrides)
    return data


def _with_photos(data, *contents):
    return {**data, "photos": [(io.BytesIO(content), f"p{i}.jpg") for i, content in enumerate(contents)]}


# --- logging a defect ----------------------------------------------------------------------------

def test_log_a_defect_with_a_photo_and_a_resend_does_not_duplicate(world, browser, english, checklist, app):
    browser.login("engineering")
    page = browser.client.get(f"/units/{world.a1.id}/defects/new").get_data(as_text=True)
    assert 'capture="environment"' in page and 'accept="image/*"' in page and "multiple" in page
    assert "主卫" in page and "栏杆高度" in page and "窗扇开启不畅" in page  # rooms, checklist items, phrase chips
    data = _log_form(browser, world.a1.id, checklist)
    url = f"/units/{world.a1.id}/defects/new"

    first = browser.client.post(url, data=_with_photos(data, jpeg_with_gps()), content_type="multipart/form-data")
    assert first.status_code == 302
    [defect] = _defects(app)
    assert defect.id == data["id"] and defect.status == DefectStatus.OPEN
    assert (defect.room, defect.category, defect.sub_item) == ("主卧", "门窗", "开启灵活")
    assert defect.quick_fix and defect.severity.value == "major" and defect.checklist_item_id == checklist
    assert [p.kind for p in defect.photos] == [PhotoKind.BEFORE]
    landing = browser.client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Defect recorded." in landing and f"/defects/{defect.id}" in landing
    assert _field(landing, "id") != data["id"]  # the next defect gets a fresh id

    resent = browser.client.post(url, data=_with_photos(data, jpeg_with_gps()), content_type="multipart/form-data",
                                 follow_redirects=True)
    assert resent.status_code == 200 and "already been recorded" in resent.get_data(as_text=True)
    assert len(_defects(app)) == 1 and _photo_count(app) == 1


def test_a_bad_photo_is_refused_and_leaves_no_record_and_no_file(world, browser, english, checklist, app):
    browser.login("engineering")
    root = Path(app.config["UPLOAD_FOLDER"])
    files_before = {f for f in root.rglob("*") if f.is_file()}
    data = _log_form(browser, world.a1.id, checklist)
    response = browser.client.post(f"/units/{world.a1.id}/defects/new",
                                   data=_with_photos(data, jpeg_with_gps(), NOT_AN_IMAGE),
                                   content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Photo 2: The file is not a valid image." in html and "Nothing was saved" in html
    assert _defects(app) == [] and _photo_count(app) == 0
    held = root / "held"
    assert {f for f in root.rglob("*") if f.is_file() and held not in f.parents} == files_before
    assert _field(html, "id") == data["id"] and "窗扇开启不畅" in html  # the form keeps what was entered
    # the good photo is held for the next try (as a thumbnail on the page); the bad one is not
    assert len(re.findall(r'name="held_photos"', html)) == 1
    assert len([f for f in held.rglob("*.jpg") if not f.name.endswith("_thumb.jpg")]) == 1


def test_the_log_form_says_what_is_missing(world, browser, english, checklist, app):
    browser.login("engineering")
    data = _log_form(browser, world.a1.id, checklist, room="", description="")
    html = browser.client.post(f"/units/{world.a1.id}/defects/new", data=data).get_data(as_text=True)
    assert "Choose the room." in html and "Describe the defect." in html
    assert _defects(app) == []


def test_only_staff_log_defects_and_only_in_their_projects(world, browser):
    browser.login("sales_b")
    assert browser.client.get(f"/units/{world.a1.id}/defects/new").status_code == 404
    browser.logout()
    browser.login("contractor")
    assert browser.client.get(f"/units/{world.a1.id}/defects/new").status_code == 403


# --- the defect page: buttons per role, conflicts ---------------------------------------------------

def _actions(html: str) -> list[str]:
    return re.findall(r'data-action="(\w+)"', html)


def test_action_buttons_follow_the_status_and_the_role(world, browser, record, act, due, english):
    defect_id = record()
    page = f"/defects/{defect_id}"
    browser.login("engineering")
    assert _actions(browser.client.get(page).get_data(as_text=True)) == ["assign", "unfixable"]
    browser.logout()
    browser.login("sales")
    assert _actions(browser.client.get(page).get_data(as_text=True)) == []
    browser.logout()

    act(defect_id, "assign", contractor_id=world.contractor_id, due_date=due)
    browser.login("contractor")
    html = browser.client.get(page).get_data(as_text=True)
    assert _actions(html) == ["fix"] and 'name="photos"' in html
    browser.logout()

    act(defect_id, "fix", by="contractor", photo=True)
    browser.login("property")
    assert _actions(browser.client.get(page).get_data(as_text=True)) == ["verify", "reject"]
    browser.logout()
    browser.login("engineering")
    assert _actions(browser.client.get(page).get_data(as_text=True)) == ["verify", "reject", "unfixable"]
    browser.logout()
    browser.login("contractor")
    assert _actions(browser.client.get(page).get_data(as_text=True)) == []


def test_every_action_form_carries_the_version(world, browser, record):
    defect_id = record()
    browser.login("engineering")
    html = browser.client.get(f"/defects/{defect_id}").get_data(as_text=True)
    assert html.count('name="version"') == 2 and 'name="version" type="hidden" value="1"' in html


def test_assign_through_the_page(world, browser, record, due, app, english):
    defect_id = record()
    browser.login("engineering")
    response = browser.post(f"/defects/{defect_id}/actions/assign",
                            {"version": "1", "contractor_id": str(world.contractor_id),
                             "due_date": due.isoformat(), "note": "尽快"}, page=f"/defects/{defect_id}",
                            follow_redirects=True)
    html = response.get_data(as_text=True)
    assert 'data-status="assigned"' in html and "宏元建设" in html and "尽快" in html
    [defect] = _defects(app)
    assert defect.contractor_id == world.contractor_id and defect.due_date == due and defect.version == 2


def test_a_stale_page_shows_the_conflict_instead_of_overwriting(world, browser, record, act, due, app, english):
    defect_id = record()
    browser.login("engineering")
    stale_page = f"/defects/{defect_id}"
    assert 'value="1"' in browser.client.get(stale_page).get_data(as_text=True)
    act(defect_id, "unfixable", by="manager", statement="结构梁无法移位", compensation_plan="赠送物业费 6 个月")

    response = browser.post(f"/defects/{defect_id}/actions/assign",
                            {"version": "1", "contractor_id": str(world.contractor_id),
                             "due_date": due.isoformat()}, page=stale_page, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Someone else changed this defect" in html and "flash-error" in html
    [defect] = _defects(app)
    assert defect.status == DefectStatus.UNFIXABLE and defect.contractor_id is None


def test_a_refused_action_says_why(world, browser, record, english, app):
    defect_id = record()
    browser.login("engineering")
    html = browser.post(f"/defects/{defect_id}/actions/assign", {"version": "1"}, page=f"/defects/{defect_id}",
                        follow_redirects=True).get_data(as_text=True)
    assert "Choose a contractor." in html
    assert _defects(app)[0].status == DefectStatus.OPEN


def test_contractor_marks_fixed_with_a_photo_and_the_page_shows_it(world, browser, record, act, due, app, english):
    defect_id = record()
    act(defect_id, "assign", contractor_id=world.contractor_id, due_date=due)
    browser.login("contractor")
    page = f"/defects/{defect_id}"
    no_photo = browser.post(f"/defects/{defect_id}/actions/fix", {"version": "2", "note": "已调整合页"}, page=page)
    refused = no_photo.get_data(as_text=True)
    assert no_photo.status_code == 422 and "Add a photo of the fixed work first." in refused
    assert 'id="error-summary"' in refused and "已调整合页" in refused  # errors on top, the note kept
    assert refused.count(">Mark fixed</button>") == 1 and "<summary" not in refused  # one button, no toggle
    response = browser.post(f"/defects/{defect_id}/actions/fix",
                            {"version": "2", "note": "已调整合页", "photos": (io.BytesIO(jpeg_with_gps()), "after.jpg")},
                            page=page, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/contractor/defects")  # next one
    html = browser.client.get(page).get_data(as_text=True)
    assert 'data-status="fixed"' in html and 'data-kind="after"' in html and "已调整合页" in html
    [defect] = _defects(app)
    assert [p.kind for p in defect.photos] == [PhotoKind.AFTER]
    thumb = re.search(r'src="(/photos/\d+\?size=thumb)"', html).group(1)
    served = browser.client.get(thumb)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"


def test_warranty_standing_on_a_warranty_defect(world, browser, record, app, english):
    defect_id = record(stage="warranty")
    browser.login("engineering")
    assert 'data-covered="none"' in browser.client.get(f"/defects/{defect_id}").get_data(as_text=True)
    with app.app_context():
        db.session.get(Unit, world.a1.id).handed_over_on = today_local() - timedelta(days=30)
        db.session.commit()
    html = browser.client.get(f"/defects/{defect_id}").get_data(as_text=True)
    assert 'data-covered="true"' in html and "Under warranty until" in html
    with app.app_context():
        db.session.get(Unit, world.a1.id).handed_over_on = date(2015, 1, 1)
        db.session.commit()
    assert 'data-covered="false"' in browser.client.get(f"/defects/{defect_id}").get_data(as_text=True)


# --- isolation ----------------------------------------------------------------------------------

def test_contractors_see_only_their_company_defects(world, browser, record, act, due, app, make_user):
    with app.app_context():
        other = Contractor(name="别家公司")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    make_user("other_contractor", "contractor", [world.a.id], contractor_id=other_id)
    ours, theirs = record(description="我们的缺陷"), record(description="别家的缺陷")
    act(ours, "assign", contractor_id=world.contractor_id, due_date=due)
    act(theirs, "assign", contractor_id=other_id, due_date=due, photo=True)

    browser.login("contractor")
    listing = browser.client.get("/contractor/defects").get_data(as_text=True)
    assert "我们的缺陷" in listing and "别家的缺陷" not in listing
    assert browser.client.get(f"/defects/{theirs}").status_code == 404
    with app.app_context():
        photo_id = db.session.scalar(sa.select(DefectPhoto.id).where(DefectPhoto.defect_id == theirs))
    assert browser.client.get(f"/photos/{photo_id}?size=thumb").status_code == 404
    refused = browser.post(f"/defects/{theirs}/actions/fix", {"version": "2"}, page="/contractor/defects")
    assert refused.status_code == 404
    assert browser.client.get(f"/batches/{world.a.batch_id}/defects").status_code == 403
    assert browser.client.get("/contractor", follow_redirects=False).headers["Location"].endswith("/contractor/defects")


def test_homeowners_see_their_own_defects_without_internal_notes_or_staff_names(world, browser, record, act, due,
                                                                                app, english):
    mine = record(description="客厅窗扇开启不畅", stage=InspectionStage.OPEN_DAY)
    internal = record(description="分户验收内部记录")
    act(mine, "assign", contractor_id=world.contractor_id, due_date=due, note="内部：让宏元周五前处理")
    act(mine, "fix", by="contractor", photo=True, note="内部：更换合页")
    act(mine, "reject", note="内部：工人敷衍，二次返修")
    not_mine = record(unit_id=world.a2.id, description="李娜家的缺陷")

    browser.login(world.owner.username)
    unit_page = browser.client.get(f"/my/units/{world.a1.id}").get_data(as_text=True)
    assert "客厅窗扇开启不畅" in unit_page and "李娜家的缺陷" not in unit_page
    assert "分户验收内部记录" not in unit_page  # internal inspections stay internal
    assert browser.client.get(f"/my/defects/{internal}").status_code == 404
    assert "A repair team is working on it." in unit_page and f"Expected by {due.isoformat()}" in unit_page

    html = browser.client.get(f"/my/defects/{mine}").get_data(as_text=True)
    assert "客厅窗扇开启不畅" in html and 'data-kind="before"' not in html and 'data-kind="after"' in html
    for hidden in ("内部", "engineering", "contractor", "宏元建设"):
        assert hidden not in html, hidden
    assert browser.client.get(f"/my/defects/{not_mine}").status_code == 404
    assert browser.client.get(f"/defects/{mine}").status_code == 403  # the staff page is not theirs


def test_homeowner_disputes_a_fix_with_a_note_and_a_photo_after_handover(world, browser, record, act, due, app,
                                                                         english):
    defect_id = record(stage=InspectionStage.HANDOVER)
    act(defect_id, "assign", contractor_id=world.contractor_id, due_date=due)
    act(defect_id, "fix", by="contractor", photo=True)
    act(defect_id, "verify")
    browser.login(world.owner.username)
    page = f"/my/defects/{defect_id}"
    before_handover = browser.client.get(page).get_data(as_text=True)
    assert "after the handover" in before_handover and 'value="dispute"' not in before_handover

    with app.app_context():
        db.session.get(Unit, world.a1.id).handed_over_on = today_local()
        db.session.commit()
    html = browser.client.get(page).get_data(as_text=True)
    assert 'value="confirm"' in html and 'value="dispute"' in html
    key = _field(html, "photo_key")
    no_note = browser.post(f"{page}/reply", {"version": "4", "reply": "dispute", "note": "", "photo_key": key,
                                             "photos": [(io.BytesIO(png()), "one.png"), (io.BytesIO(png()), "two.png")]},
                           page=page, content_type="multipart/form-data")
    refused = no_note.get_data(as_text=True)  # refused: the reason on top, both photos kept
    assert no_note.status_code == 422 and 'id="error-summary"' in refused and "Say what is still wrong." in refused
    held = re.findall(r'name="held_photos" value="([0-9a-f]{32})"', refused)
    assert len(held) == 2 and _field(refused, "photo_key") == key
    response = browser.post(f"{page}/reply", {"version": "4", "reply": "dispute", "note": "窗户还是关不严",
                                              "photo_key": key, "held_photos": held,
                                              "photos": (io.BytesIO(png()), "still.png")},
                            page=page, content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "we will inspect the repair again" in html and "窗户还是关不严" in html and 'data-kind="dispute"' in html
    [defect] = _defects(app)
    assert defect.status == DefectStatus.FIXED
    assert [p.kind for p in defect.photos] == [PhotoKind.AFTER] + [PhotoKind.DISPUTE] * 3


def test_homeowner_confirms_a_closed_fix(world, browser, record, act, due, app, english):
    defect_id = record(stage=InspectionStage.WARRANTY)
    act(defect_id, "assign", contractor_id=world.contractor_id, due_date=due)
    act(defect_id, "fix", by="contractor", photo=True)
    act(defect_id, "verify")
    with app.app_context():
        db.session.get(Unit, world.a1.id).handed_over_on = today_local()
        db.session.commit()
    browser.login(world.owner.username)
    page = f"/my/defects/{defect_id}"
    html = browser.post(f"{page}/reply", {"version": "4", "reply": "confirm"}, page=page,
                        follow_redirects=True).get_data(as_text=True)
    assert "you confirmed the repair" in html and 'value="confirm"' not in html
    assert _defects(app)[0].owner_confirmed_at is not None


# --- batch list, bulk assignment, dashboard -------------------------------------------------------

def test_the_batch_list_filters_and_overdue_rows_stand_out(world, browser, record, act, app, english):
    late = record(room="厨房", category="防水", description="厨房闭水渗漏")
    on_time = record(room="厨房", category="门窗", description="厨房窗扇卡顿")
    record(room="主卧", category="门窗", description="主卧窗扇卡顿", quick_fix=True)
    soon = today_local() + timedelta(days=2)
    act(late, "assign", contractor_id=world.contractor_id, due_date=soon)
    act(on_time, "assign", contractor_id=world.contractor_id, due_date=soon + timedelta(days=30))
    url = f"/batches/{world.a.batch_id}/defects"
    later = datetime.combine(soon + timedelta(days=5), datetime.min.time(), tzinfo=timezone.utc)
    with freeze(later):
        browser.login("manager")  # a sign-in lasts a working day
        everything = browser.client.get(url).get_data(as_text=True)
        assert everything.count('class="row-link') == 3 and everything.count("row-overdue") == 1
        kitchen = browser.client.get(url + "?room=厨房").get_data(as_text=True)
        assert "厨房闭水渗漏" in kitchen and "主卧窗扇卡顿" not in kitchen
        combined = browser.client.get(url + "?room=厨房&category=门窗").get_data(as_text=True)
        assert "厨房窗扇卡顿" in combined and "厨房闭水渗漏" not in combined
        overdue = browser.client.get(url + "?overdue=1").get_data(as_text=True)
        assert "厨房闭水渗漏" in overdue and "厨房窗扇卡顿" not in overdue
        quick = browser.client.get(url + "?quick_fix=1").get_data(as_text=True)
        assert "主卧窗扇卡顿" in quick and "厨房" not in quick.split("<tbody>")[1].split("</tbody>")[0]


def test_the_batch_list_is_paginated(world, browser, record):
    for n in range(32):
        record(description=f"缺陷{n}")
    browser.login("engineering")
    first = browser.client.get(f"/batches/{world.a.batch_id}/defects").get_data(as_text=True)
    second = browser.client.get(f"/batches/{world.a.batch_id}/defects?page=2").get_data(as_text=True)
    assert first.count('class="row-link') == 30 and second.count('class="row-link') == 2


def test_bulk_assign_assigns_the_open_defects_matching_the_filters(world, browser, record, act, app, due, english):
    windows = [record(category="门窗"), record(category="门窗")]
    floor = record(category="地面")
    closed = record(category="门窗")
    act(closed, "unfixable", statement="结构所限", compensation_plan="补偿")
    browser.login("engineering")
    url = f"/batches/{world.a.batch_id}/defects?category=门窗"
    page = browser.client.get(url).get_data(as_text=True)
    assert 'data-count="2"' in page
    response = browser.post(f"/batches/{world.a.batch_id}/defects/bulk-assign?category=门窗",
                            {"contractor_id": str(world.contractor_id), "due_date": due.isoformat()},
                            page=url, follow_redirects=True)
    assert "2 defects assigned." in response.get_data(as_text=True)
    status = {d.id: d.status for d in _defects(app)}
    assert [status[i] for i in windows] == [DefectStatus.ASSIGNED] * 2
    assert status[floor] == DefectStatus.OPEN and status[closed] == DefectStatus.UNFIXABLE
    browser.logout()
    browser.login("sales")
    assert 'id="bulk-assign"' not in browser.client.get(url).get_data(as_text=True)
    assert browser.post(f"/batches/{world.a.batch_id}/defects/bulk-assign", {}, page=url).status_code == 403


def test_the_dashboard_counts_and_links_to_the_list(world, browser, record, act, due, english):
    first = record(room="厨房", category="防水", quick_fix=True)
    record(room="厨房", category="门窗")
    record(unit_id=world.a2.id, room="主卧", category="门窗")
    act(first, "assign", contractor_id=world.contractor_id, due_date=due)
    act(first, "fix", by="contractor", photo=True)
    act(first, "reject", note="仍渗水")
    browser.login("manager")
    html = browser.client.get(f"/batches/{world.a.batch_id}/defects/dashboard").get_data(as_text=True)
    kpi = dict(re.findall(r'data-kpi="(\w+)">\s*<span class="muted">[^<]*</span><strong>([^<]+)</strong>', html))
    assert kpi == {"total": "3", "overdue": "0", "rework": "100.0%", "quick_fix": "1"}
    assert "宏元建设" in html and "厨房" in html and "防水" in html
    assert f"/batches/{world.a.batch_id}/defects?room=%E5%8E%A8%E6%88%BF" in html  # a count links to its list
    kitchen = browser.client.get(f"/batches/{world.a.batch_id}/defects/dashboard?room=厨房&category=门窗")
    assert re.search(r'data-kpi="total">\s*<span class="muted">[^<]*</span><strong>1</strong>',
                     kitchen.get_data(as_text=True))
    assert browser.client.get(f"/batches/{world.b.batch_id}/defects/dashboard").status_code == 404


def test_the_nav_and_batch_tiles_link_to_the_defect_pages(world, browser):
    browser.login("manager")
    html = browser.client.get("/dashboard").get_data(as_text=True)
    assert f"/batches/{world.a.batch_id}/defects/dashboard" in html and 'href="/defects/"' in html
    index = browser.client.get("/defects/").get_data(as_text=True)
    assert f"/batches/{world.a.batch_id}/defects" in index and f"/batches/{world.b.batch_id}/defects" not in index


# --- floor plans and pins ------------------------------------------------------------------------

def test_floor_plan_per_layout_and_a_pinned_defect(world, browser, english, checklist, app):
    with app.app_context():
        db.session.get(Unit, world.a1.id).layout = "三室两厅"
        db.session.commit()
    browser.login("engineering")
    plans_page = f"/batches/{world.a.batch_id}/plans"
    assert "三室两厅" in browser.client.get(plans_page).get_data(as_text=True)
    refused = browser.post(plans_page, {"layout": "三室两厅", "file": (io.BytesIO(b"not an image"), "plan.png")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "not a valid image" in refused.get_data(as_text=True)
    browser.post(plans_page, {"layout": "三室两厅", "file": (io.BytesIO(png((400, 300))), "plan.png")},
                 content_type="multipart/form-data")
    log_page = browser.client.get(f"/units/{world.a1.id}/defects/new").get_data(as_text=True)
    image_url = re.search(r'src="(/plans/\d+)"', log_page).group(1)
    assert browser.client.get(image_url).mimetype == "image/jpeg"
    assert 'name="pin_x"' in log_page

    data = _log_form(browser, world.a1.id, checklist, pin_x="0.25", pin_y="0.7500")
    browser.client.post(f"/units/{world.a1.id}/defects/new", data=data, content_type="multipart/form-data")
    [defect] = _defects(app)
    assert (str(defect.pin_x), str(defect.pin_y)) == ("0.2500", "0.7500")
    detail = browser.client.get(f"/defects/{defect.id}").get_data(as_text=True)
    assert image_url in detail and "left: 25" in detail

    off_plan = _log_form(browser, world.a1.id, checklist, pin_x="1.5", pin_y="0.5")
    page = browser.client.post(f"/units/{world.a1.id}/defects/new", data=off_plan,
                               content_type="multipart/form-data").get_data(as_text=True)
    assert "The pin must lie on the floor plan." in page and len(_defects(app)) == 1

    browser.logout()
    browser.login("sales_b")
    assert browser.client.get(image_url).status_code == 404


def test_second_repair_badge_only_after_a_real_second_repair(world, browser, record, act, due, english):
    defect_id = record()
    act(defect_id, "assign", contractor_id=world.contractor_id, due_date=due)
    act(defect_id, "fix", by="contractor", photo=True)
    act(defect_id, "reject", note="仍然卡顿")
    browser.login("contractor")
    rejected = browser.client.get("/contractor/defects").get_data(as_text=True)
    assert "Rejected: to be repaired again" in rejected and "Second repair" not in rejected  # not redone yet
    act(defect_id, "fix", by="contractor", photo=True)
    redone = browser.client.get(f"/defects/{defect_id}").get_data(as_text=True)
    assert 'data-rework="1"' in redone and "Second repair × 1" in redone


def test_reject_with_a_photo_and_a_new_due_date_reassigns_with_that_date(world, browser, record, act, due, app,
                                                                         english):
    defect_id = record()
    act(defect_id, "assign", contractor_id=world.contractor_id, due_date=due)
    act(defect_id, "fix", by="contractor", photo=True)
    browser.login("engineering")
    page = f"/defects/{defect_id}"
    new_due = due + timedelta(days=7)
    response = browser.post(f"/defects/{defect_id}/actions/reject",
                            {"version": _field(browser.client.get(page).get_data(as_text=True), "version"),
                             "note": "仍然卡顿", "due_date": new_due.isoformat(),
                             "photos": (io.BytesIO(jpeg_with_gps()), "still.jpg")},
                            page=page, content_type="multipart/form-data")
    assert response.status_code == 302
    [defect] = _defects(app)
    assert defect.status == DefectStatus.ASSIGNED and defect.due_date == new_due and defect.rework_count == 1
    assert sorted(p.kind.value for p in defect.photos) == ["after", "before"]


def test_photos_held_after_a_failed_save_go_with_the_next_save_and_only_for_their_owner(
        world, browser, english, checklist, app, make_user):
    url = f"/units/{world.a1.id}/defects/new"
    browser.login("engineering")
    data = _log_form(browser, world.a1.id, checklist, description="")  # refused: no description
    failed = browser.client.post(url, data=_with_photos(data, jpeg_with_gps(), jpeg_with_gps()),
                                 content_type="multipart/form-data")
    html = failed.get_data(as_text=True)
    assert failed.status_code == 422 and "Describe the defect." in html and 'id="error-summary"' in html
    held = re.findall(r'name="held_photos" value="([0-9a-f]{32})"', html)
    assert len(held) == 2 and 'src="data:image/jpeg;base64,' in html
    assert 'value="主卧"' in html and _photo_count(app) == 0

    # someone else sending the same names gets none of them
    browser.logout()
    make_user("engineer_two", "engineering", project_ids=[world.a.id])
    browser.login("engineer_two")
    theirs = _log_form(browser, world.a1.id, checklist)
    assert browser.client.post(url, data={**theirs, "held_photos": held}).status_code == 302
    assert _photo_count(app) == 0 and len(_defects(app)) == 1
    browser.logout()

    # the author sends the same form again, keeping one of the two and adding a new one: both are saved
    browser.login("engineering")
    again = {**_log_form(browser, world.a1.id, checklist), "id": data["id"]}
    retry = browser.client.post(url, data={**_with_photos(again, jpeg_with_gps()), "held_photos": held[:1]},
                                content_type="multipart/form-data")
    assert retry.status_code == 302 and len(_defects(app)) == 2
    with app.app_context():
        assert len(db.session.get(Defect, data["id"]).photos) == 2
    holding = Path(app.config["UPLOAD_FOLDER"]) / "held" / str(world.users["engineering"]) / uuid.UUID(data["id"]).hex
    assert not holding.exists()  # taken along, then cleared
