"""An owner reports a leak with a photo in the portal, staff acknowledge it, the owner sees the
update (status and message) — in a real browser at tablet size (768×1024)."""
from pathlib import Path

import pytest

from tests.browser.test_defects import camera_photo
from tests.browser.test_flows import assert_no_horizontal_overflow, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/w2-shots")


def _sign_out(page):
    page.context.clear_cookies()


def test_owner_raises_a_case_with_a_photo_staff_acknowledge_owner_sees_it(world, page, tmp_path):
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    sign_in(page, world.owner.username)
    page.goto("/my/cases")
    with page.expect_navigation():
        page.click(f"a[href$='/my/units/{world.a1.id}/cases/new']")
    page.select_option("#kind", "repair")
    page.fill("#category", "漏水")
    page.fill("#description", "卫生间天花板漏水，滴到地面")
    page.set_input_files("#photos", camera_photo(tmp_path / "leak.jpg"))
    with page.expect_navigation():
        page.click("form button.btn-primary[type=submit]")
    assert "/my/cases/" in page.url
    expect(page.locator("#case-status")).to_contain_text("新建")
    expect(page.locator(".photo-grid img")).to_have_count(1)
    case_url = page.url
    _sign_out(page)

    sign_in(page, "property")
    page.goto("/cases")
    expect(page.locator("table.case-list tbody tr")).to_have_count(1)
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(SHOTS / "staff-case-list.png"), full_page=True)
    with page.expect_navigation():
        page.click("table.case-list tbody a")
    page.fill("#note", "已收到，明天上午安排维修师傅上门")
    with page.expect_navigation():
        page.click("#actions button[value=acknowledge]")
    expect(page.locator("#case-status")).to_contain_text("已受理")
    _sign_out(page)

    sign_in(page, world.owner.username)
    page.goto(case_url)
    expect(page.locator("#case-status")).to_contain_text("已受理")
    expect(page.locator(".case-history")).to_contain_text("明天上午安排维修师傅上门")
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(SHOTS / "portal-case.png"), full_page=True)
    page.goto("/inbox")
    expect(page.locator(".inbox")).to_contain_text("新进展")
