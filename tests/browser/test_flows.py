"""End-to-end flows in a real browser at tablet size (768×1024, touch).

Assertions avoid UI wording (the interface is translated) and rely on data, structure and status codes.
"""
import re

import pytest
from openpyxl import Workbook

pytestmark = pytest.mark.browser

HEADERS = ["楼栋", "单元", "楼层", "房号", "户型", "装修类型", "合同编号", "合同面积", "实测面积", "合同单价", "合同总价",
           "业主姓名", "业主电话", "证件号码"]
NEW_UNITS = [  # room number, owner name, phone
    ("301", "赵敏", "13900000301"),
    ("302", "钱进", "13900000302"),
    ("303", "孙丽", "13900000303"),
    ("304", "周杰", "13900000304"),
    ("305", "吴昊", "13900000305"),
]
MIN_TAP = 44


def write_xlsx(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def unit_row(room, owner, phone, *, area=89.37, price=20000):
    return ["2", "1", int(room[0]), room, "三室两厅", "精装", f"HT-T-{room}", area, None, price, None, owner, phone, None]


def sign_in(page, username, password="password123"):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    assert_thumb_sized(page, "form button[type=submit]")
    with page.expect_navigation():
        page.click("form button.btn-primary[type=submit]")
    assert "/login" not in page.url, "sign-in failed"


def assert_thumb_sized(page, selector=".btn, button, input:not([type=hidden]), select"):
    """Every visible control matching `selector` is at least 44 px high (a thumb on a tablet)."""
    checked = 0
    for element in page.locator(selector).all():
        if not element.is_visible():
            continue
        box = element.bounding_box()
        label = element.inner_text() or element.get_attribute("name") or selector
        assert box["height"] >= MIN_TAP, f"{label!r} is {box['height']:.0f} px high on {page.url}"
        checked += 1
    assert checked, f"no visible {selector} on {page.url}"


def assert_no_horizontal_overflow(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width} px wide in a {viewport} px viewport"


def units_page_rows(page):
    return page.locator("table.units-table tbody tr.row-link")


def test_sales_imports_units_and_sees_them_in_the_list(world, page, tmp_path, output_dir):
    from playwright.sync_api import expect

    batch_id = world.a.batch_id
    xlsx = write_xlsx(tmp_path / "units.xlsx", [unit_row(*unit) for unit in NEW_UNITS])

    sign_in(page, "sales")
    page.goto(f"/batches/{batch_id}/import")
    assert_thumb_sized(page)
    page.set_input_files("input[type=file][name=file]", str(xlsx))
    with page.expect_navigation():
        page.click("form button.btn-primary[type=submit]")
    expect(page.locator(".import-preview")).to_contain_text("2-1-301")
    with page.expect_navigation():
        page.click("form.confirm-import button[type=submit]")

    success = page.locator(".flash-success")
    expect(success).to_be_visible()
    expect(success).to_contain_text("5")
    expect(page.locator(".flash-error")).to_have_count(0)
    page.goto(f"/batches/{batch_id}/units")

    rows = units_page_rows(page)
    expect(rows).to_have_count(2 + len(NEW_UNITS))  # the two units already in the batch, and the new ones
    table = page.locator("table.units-table")
    for room, owner, _phone in NEW_UNITS:
        row = rows.filter(has=page.locator("td a", has_text=re.compile(rf"^{room}$")))
        expect(row).to_have_count(1)
        expect(row).to_contain_text(owner)
    expect(table).not_to_contain_text("王芳")  # project B's owner is not in this batch

    assert_thumb_sized(page)
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(output_dir / "units-768x1024.png"), full_page=True)

    # a row opens the unit
    rows.filter(has_text="赵敏").locator("td a").click()
    page.wait_for_url(re.compile(r"/units/\d+$"))
    expect(page.locator("main")).to_contain_text("HT-T-301")
    expect(page.locator("main")).to_contain_text("赵敏")
    assert_no_horizontal_overflow(page)


def test_import_with_bad_row_lists_problems_and_imports_nothing(make_project, make_user, page, tmp_path,
                                                                output_dir):
    from playwright.sync_api import expect

    project = make_project("江南府")
    make_user("sales_jn", "sales", [project.id])
    good = unit_row("301", "赵敏", "13900000301")
    bad = unit_row("302", "钱进", "1234567")  # invalid mobile number
    bad[7] = "八十九"  # 合同面积 (column H) is not a number
    xlsx = write_xlsx(tmp_path / "bad.xlsx", [good, bad])

    sign_in(page, "sales_jn")
    page.goto(f"/batches/{project.batch_id}/import")
    page.set_input_files("input[type=file][name=file]", str(xlsx))
    with page.expect_navigation():
        page.click("form button.btn-primary[type=submit]")

    assert page.url.endswith(f"/batches/{project.batch_id}/import")
    expect(page.locator("#error-summary")).to_be_visible()  # the refusal on top of the form
    problems = page.locator("table.problems tbody tr")
    expect(problems).to_have_count(2)
    cells = [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in problems.all()]
    assert cells[0][:2] == ["3", "合同面积 (H)"], cells
    assert cells[1][:2] == ["3", "业主电话 (M)"], cells
    assert "1234567" in cells[1][2]
    assert_thumb_sized(page)
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(output_dir / "import-errors-768x1024.png"), full_page=True)

    page.goto(f"/batches/{project.batch_id}/units")
    expect(page.locator("table.units-table")).to_be_visible()
    expect(units_page_rows(page)).to_have_count(0)
    expect(page.locator("table.units-table")).not_to_contain_text("赵敏")


def test_homeowner_sees_only_their_unit(world, page, output_dir):
    from playwright.sync_api import expect

    sign_in(page, "13800000001")
    page.wait_for_url(re.compile(r"/my/$"))
    tiles = page.locator("main a.tile")
    expect(tiles).to_have_count(1)
    expect(tiles).to_have_attribute("href", f"/my/units/{world.a1.id}")
    expect(tiles).to_contain_text("101")
    expect(tiles).to_contain_text("云璟花园")
    main = page.locator("main")
    expect(main).to_contain_text("张伟")
    for other in ("李娜", "王芳", "江南府"):
        expect(main).not_to_contain_text(other)
    box = tiles.bounding_box()
    assert box["height"] >= MIN_TAP
    assert_thumb_sized(page)
    assert_no_horizontal_overflow(page)

    tiles.click()
    page.wait_for_url(re.compile(rf"/my/units/{world.a1.id}$"))
    expect(main).to_contain_text(f"HT-{world.a.batch_id}-1-101")

    for other_unit in (world.a2.id, world.b1.id):
        response = page.goto(f"/my/units/{other_unit}")
        assert response.status == 404
        expect(page.locator("main h1")).to_have_text("404")
        expect(main).not_to_contain_text("李娜")
        expect(main).not_to_contain_text("王芳")
