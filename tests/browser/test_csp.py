"""Under the Content-Security-Policy (no inline script) the pages still behave: rows open,
filters submit themselves, confirmations ask, and the browser reports no violation."""
import re

import pytest

from tests.browser.test_flows import sign_in

pytestmark = pytest.mark.browser


def _watch_violations(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return seen


def test_rows_filters_and_confirmations_work_without_inline_script(world, page):
    from playwright.sync_api import expect

    violations = _watch_violations(page)
    sign_in(page, "sales")
    page.goto(f"/batches/{world.a.batch_id}/units")
    rows = page.locator("table.units-table tbody tr.row-link")
    expect(rows).to_have_count(2)
    rows.first.locator("td").nth(2).click()  # a plain cell, not the link in the row
    page.wait_for_url(re.compile(r"/units/\d+$"))

    page.goto(f"/batches/{world.a.batch_id}/units")
    with page.expect_navigation():
        page.select_option("select[name=building_id]", index=1)
    assert "building_id=" in page.url and "floor=" in page.url  # submitted, with the floor cleared

    page.goto("/dashboard")
    page.goto(f"/units/{world.a1.id}")
    assert violations == [], violations


def test_a_confirmation_asks_before_submitting(world, page, app):
    violations = _watch_violations(page)
    sign_in(page, "finance")
    page.goto(f"/batches/{world.a.batch_id}/fees")
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    url = page.url
    page.click("button[data-confirm]")
    page.wait_for_timeout(300)
    assert asked and "激活码" in asked[0]
    assert page.url == url  # dismissed: nothing submitted
    assert violations == [], violations
