"""Imports at tablet size: the unchanged template writes nothing, a preview shows every change and
every warning, and only a confirmation (with the warnings accepted) writes."""
import re

import pytest
from openpyxl import Workbook

from handover.projects import unit_sheet
from tests.browser.test_flows import HEADERS, assert_no_horizontal_overflow, assert_thumb_sized, sign_in

pytestmark = pytest.mark.browser

SHOTS = "/tmp/h7-shots"


def _shot(page, output_dir, name):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    for folder in (SHOTS, str(output_dir)):
        page.screenshot(path=f"{folder}/{name}", full_page=True)


def _xlsx(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return str(path)


def _upload(page, path):
    page.set_input_files("input[type=file][name=file]", path)
    with page.expect_navigation():
        page.click("form[enctype] button.btn-primary[type=submit]")


def _unit_rows(page):
    return page.locator("table.units-table tbody tr.row-link")


def test_the_unchanged_template_writes_nothing(world, page, tmp_path, output_dir):
    from playwright.sync_api import expect

    batch_id = world.a.batch_id
    sign_in(page, "sales")
    page.goto(f"/batches/{batch_id}/import")
    with page.expect_download() as download:
        page.click("a[href$='import-template.xlsx']")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    _upload(page, str(template))
    expect(page.locator("table.problems")).to_contain_text("说明")
    expect(page.locator("form.confirm-import")).to_have_count(0)

    # a template downloaded before the examples moved: its example rows are skipped, nothing to confirm
    old = _xlsx(tmp_path / "old-template.xlsx", unit_sheet.EXAMPLE_ROWS)
    _upload(page, old)
    preview = page.locator(".import-preview")
    expect(preview).to_contain_text("2, 3")
    expect(preview.locator(".flash-warn").first).to_be_visible()
    expect(page.locator("form.confirm-import")).to_have_count(0)
    assert_no_horizontal_overflow(page)
    _shot(page, output_dir, "import-template-skipped-768x1024.png")

    page.goto(f"/batches/{batch_id}/units")
    expect(_unit_rows(page)).to_have_count(2)
    expect(page.locator("table.units-table")).not_to_contain_text("1201")


def test_a_preview_with_changes_and_warnings_then_confirm_and_undo(world, page, tmp_path, output_dir):
    from playwright.sync_api import expect

    batch_id = world.a.batch_id
    rows = [
        # 1-1-101 exists (100.00 m², 20,000/m²): new area, and prices that disagree by ¥2.08M
        ["1", "1", 1, "101", "三室两厅", "精装", f"HT-{batch_id}-1-101", 118.52, None, 30500, 1530000,
         "张伟", "13800000001", "110101199003074514"],
        # a new unit whose measured area is 35 % below the contract
        ["1", "1", 1, "103", "两室两厅", "毛坯", "HT-T-103", 118.52, 77.04, 20000, None, "赵敏", "13900000103", None],
    ]
    sign_in(page, "sales")
    page.goto(f"/batches/{batch_id}/import")
    _upload(page, _xlsx(tmp_path / "changes.xlsx", rows))

    preview = page.locator(".import-preview")
    expect(preview).to_be_visible()
    changes = preview.locator("table.changes tbody tr")
    expect(changes.filter(has_text="合同面积")).to_contain_text("100.00")
    expect(changes.filter(has_text="合同面积")).to_contain_text("118.52")
    warnings = [[cell.strip() for cell in row.locator("td").all_inner_texts()]
                for row in preview.locator("table.problems tbody tr").all()]
    assert [w[:2] for w in warnings] == [["2", "合同总价 (K)"], ["3", "实测面积 (I)"]], warnings
    assert_thumb_sized(page, ".import-preview .btn, .import-preview input[type=checkbox]")
    assert_no_horizontal_overflow(page)
    _shot(page, output_dir, "import-preview-warnings-768x1024.png")

    page.click("form.confirm-import button[type=submit]")  # the warnings are not accepted yet: nothing happens
    assert page.url.endswith(f"/batches/{batch_id}/import")
    expect(preview).to_be_visible()
    page.check("form.confirm-import input[name=accept_warnings]")
    with page.expect_navigation():
        page.click("form.confirm-import button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    undo = page.locator("form[action*='/undo'] button")
    expect(undo).to_have_count(1)
    _shot(page, output_dir, "import-done-768x1024.png")

    page.goto(f"/batches/{batch_id}/units")
    expect(_unit_rows(page)).to_have_count(3)
    page.goto(f"/batches/{batch_id}/import")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("form[action*='/undo'] button")
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto(f"/batches/{batch_id}/units")
    expect(_unit_rows(page)).to_have_count(2)
    assert re.search("赵敏", page.content()) is None
