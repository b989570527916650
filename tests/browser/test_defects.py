"""Defects end to end in a real browser at tablet size (768×1024, touch): log with a photo, assign,
fix, reject, fix again, verify; then the list, the dashboard and the homeowner's view.

Assertions rely on data attributes and statuses, not on wording (the interface is translated).
"""
import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from tests.browser.test_flows import MIN_TAP, assert_no_horizontal_overflow, sign_in

pytestmark = pytest.mark.browser

#: the controls a gloved thumb has to hit (the radio dots themselves are hidden inside big labels)
TAP_TARGETS = (".btn, button, select, textarea, .pick span, .toggle, .phrase-chip, .camera-btn, "
               "input[type=date], input[type=text], input:not([type])")


def assert_tappable(page, selector=TAP_TARGETS):
    """Every visible control is at least 44 px high, so it can be hit with gloves on."""
    checked = 0
    for element in page.locator(selector).all():
        if not element.is_visible():
            continue
        box = element.bounding_box()
        label = (element.inner_text() or element.get_attribute("name") or selector)[:40]
        assert box["height"] >= MIN_TAP, f"{label!r} is {box['height']:.0f} px high on {page.url}"
        checked += 1
    assert checked, f"no visible control on {page.url}"


def camera_photo(path, size=(2600, 1950), color=(200, 190, 170)):
    """A photo the size a tablet camera takes (the page shrinks it before upload)."""
    image = Image.new("RGB", size, color)
    image.save(path, "JPEG", quality=90)
    return str(path)


@pytest.fixture
def seeded(app):
    from handover.extensions import db
    from handover.inspections.service import seed_default_checklist

    with app.app_context():
        seed_default_checklist()
        db.session.commit()


def sign_out(page):
    with page.expect_navigation():
        page.click("form[action='/logout'] button")


def status_of(page) -> str:
    return page.locator(".defect-head [data-status]").get_attribute("data-status")


def open_action(page, action):
    page.locator(f"details[data-action={action}] > summary").click()
    return page.locator(f"details[data-action={action}] form")


def submit(form, page):
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def contractor_fixes(page, defect_url, photo, note):
    sign_in(page, "contractor")
    assert page.url.endswith("/contractor/defects")
    page.locator(f"tr.row-link a[href='{defect_url}']").click()
    page.wait_for_url(re.compile(re.escape(defect_url) + "$"))
    form = page.locator("[data-action=fix] form")  # the only action: its form straight away, one button
    assert form.is_visible()
    assert page.locator("#actions summary").count() == 0 and page.locator("#actions button[type=submit]").count() == 1
    form.locator("input[type=file]").set_input_files(photo)
    form.locator("textarea").fill(note)
    submit(form, page)
    assert page.url.endswith("/contractor/defects")  # back to the list, for the next one
    page.goto(defect_url)
    assert status_of(page) == "fixed"
    sign_out(page)


def test_defect_from_tablet_log_to_closed_with_one_rework(world, seeded, page, tmp_path, output_dir):
    from playwright.sync_api import expect

    sign_in(page, "engineering")
    page.goto(f"/units/{world.a1.id}/defects/new")
    page.locator(".pick", has_text=re.compile("^主卧$")).click()
    page.locator("[data-role=categories] .pick", has_text=re.compile("^门窗$")).click()
    items = page.locator(".item-group:not([hidden]) .pick")
    expect(items).to_have_count(5)  # only the window items once 门窗 is chosen
    items.filter(has_text="开启灵活").click()
    page.locator(".phrase-group:not([hidden]) .phrase-chip", has_text="窗扇开启不畅").click()
    expect(page.locator("textarea[name=description]")).to_have_value("窗扇开启不畅")
    page.locator(".pick.sev-major").click()
    page.set_input_files("#photos", camera_photo(tmp_path / "before.jpg"))
    expect(page.locator(".photo-previews img")).to_have_count(1)
    expect(page.locator("#log-defect button[type=submit]")).to_be_enabled()
    assert_tappable(page)
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(output_dir / "defect-log-768x1024.png"), full_page=True)
    page.screenshot(path=str(output_dir / "defect-log-768x1024-viewport.png"))
    with page.expect_navigation():
        page.click("#log-defect button[type=submit]")

    expect(page.locator("#last-recorded")).to_be_visible()
    with page.expect_navigation():
        page.locator("#last-recorded a.btn").click()
    defect_url = re.sub(r"^https?://[^/]+", "", page.url)
    assert re.fullmatch(r"/defects/[0-9a-f-]{36}", defect_url), defect_url
    assert status_of(page) == "open"
    expect(page.locator(".photo-grid[data-kind=before] img")).to_have_count(1)
    assert page.locator(".photo-grid img").evaluate("img => img.naturalWidth") > 0  # the thumbnail is served

    form = open_action(page, "assign")
    form.locator("select").select_option(str(world.contractor_id))
    from handover.core.timeutil import today_local

    form.locator("input[type=date]").fill((today_local() + timedelta(days=7)).isoformat())
    submit(form, page)
    assert status_of(page) == "assigned"
    sign_out(page)

    contractor_fixes(page, defect_url, camera_photo(tmp_path / "after1.jpg", color=(230, 230, 225)), "已调整合页")

    sign_in(page, "engineering")
    page.goto(defect_url)
    form = open_action(page, "reject")
    form.locator("textarea").fill("仍然卡顿")
    submit(form, page)
    assert status_of(page) == "assigned"
    expect(page.locator("#rework-count")).to_have_text("1")
    sign_out(page)

    sign_in(page, "contractor")
    page.goto("/contractor/defects")
    assert_tappable(page)
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(output_dir / "contractor-defects-768x1024.png"), full_page=True)
    sign_out(page)
    contractor_fixes(page, defect_url, camera_photo(tmp_path / "after2.jpg", color=(240, 240, 235)), "更换合页")

    sign_in(page, "engineering")
    page.goto(defect_url)
    expect(page.locator("[data-action]")).to_have_count(3)  # verify, reject, unfixable
    with page.expect_navigation():
        page.locator("form[data-action=verify] button").click()
    assert status_of(page) == "verified"
    expect(page.locator("#rework-count")).to_have_text("1")
    expect(page.locator(".photo-grid[data-kind=after] img")).to_have_count(2)
    expect(page.locator("#history li")).to_have_count(6)  # recorded, assigned, fixed, rejected, fixed, verified
    assert_tappable(page)
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(output_dir / "defect-detail-768x1024.png"), full_page=True)


def test_batch_list_dashboard_and_the_homeowner_view(world, seeded, app, page, output_dir):
    from playwright.sync_api import expect

    from handover.accounts.models import User
    from handover.core.timeutil import today_local
    from handover.defects import service
    from handover.defects.rules import TransitionInput as T
    from handover.extensions import db
    from handover.inspections.models import InspectionStage
    from handover.projects.models import Unit

    with app.app_context():
        engineering, contractor = (db.session.get(User, world.users[n]) for n in ("engineering", "contractor"))
        a1 = db.session.get(Unit, world.a1.id)
        a1.handed_over_on = today_local() - timedelta(days=20)
        due = today_local() + timedelta(days=5)
        rows = [("客厅", "墙面顶棚", "裂缝", "墙面裂缝"), ("主卫", "防水", "卫生间闭水试验", "闭水试验渗漏"),
                ("厨房", "给排水", "排水", "排水不畅"), ("主卧", "门窗", "玻璃", "玻璃划伤")]
        for number, (room, category, item, text) in enumerate(rows * 3):
            unit = a1 if number < 4 else db.session.get(Unit, world.a2.id)
            defect, _ = service.record_defect(unit, service.NewDefect(
                stage=InspectionStage.OPEN_DAY, room=room, category=category, sub_item=item, description=text,
                quick_fix=number % 5 == 0), actor=engineering)
            service.add_photo(defect, _jpeg(), actor=engineering)
            if number % 4 == 3:
                continue
            service.transition(defect, T("assign", contractor_id=world.contractor_id, due_date=due,
                                         note="内部：周五前"), actor=engineering)
            if number % 4 == 0:
                service.add_photo(defect, _jpeg((225, 225, 220)), actor=contractor)
                service.transition(defect, T("fix", note="已修补"), actor=contractor)
                service.transition(defect, T("verify"), actor=engineering)
        db.session.commit()

    sign_in(page, "manager")
    page.goto(f"/batches/{world.a.batch_id}/defects")
    expect(page.locator("table.defect-table tbody tr.row-link")).to_have_count(12)
    page.select_option("select[name=room]", "主卫")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    expect(page.locator("table.defect-table tbody tr.row-link")).to_have_count(3)
    page.goto(f"/batches/{world.a.batch_id}/defects")
    assert_tappable(page, ".btn, button, select")
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(output_dir / "defect-list-768x1024.png"), full_page=True)

    page.goto(f"/batches/{world.a.batch_id}/defects/dashboard")
    expect(page.locator("[data-kpi=total] strong")).to_have_text("12")
    expect(page.locator("#by-room .bar-list li")).to_have_count(4)
    assert_tappable(page, ".btn, button, select, .bar-list a, .kpi")
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(output_dir / "defect-dashboard-768x1024.png"), full_page=True)
    sign_out(page)

    sign_in(page, "13800000001")
    page.goto(f"/my/units/{world.a1.id}")
    owner_rows = page.locator("#defects a.owner-defect")
    expect(owner_rows).to_have_count(4)
    owner_rows.first.click()
    page.wait_for_url(re.compile(r"/my/defects/"))
    main = page.locator("main")
    expect(main).not_to_contain_text("内部")
    expect(main).not_to_contain_text("engineering")
    assert_tappable(page, ".btn, button, summary")
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(output_dir / "owner-defect-768x1024.png"), full_page=True)


def _jpeg(color=(190, 180, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), color).save(out, "JPEG")
    return out.getvalue()
