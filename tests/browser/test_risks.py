"""The guided self-check in a real browser at tablet size: walk categories A–H, let a "risk found"
answer open a pre-filled risk, and reach a readiness verdict (not ready, then ready)."""
from pathlib import Path

import pytest

from tests.browser.test_flows import (
    assert_no_horizontal_overflow,
    assert_thumb_sized,
    sign_in,
)

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/h8-shots")


def _answer(page, question, answer):
    with page.expect_navigation():
        page.click(f'[data-question="{question}"] button[data-answer="{answer}"]')


def test_a_guided_self_check_reaches_a_readiness_verdict(world, page):
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    batch_id = world.a.batch_id
    sign_in(page, "engineering")
    page.goto(f"/batches/{batch_id}/readiness")
    expect(page.locator("#verdict")).to_have_attribute("data-ready", "false")
    assert_thumb_sized(page, "main .btn, main button, main select")
    with page.expect_navigation():
        page.click("#start-check button[type=submit]")
    assert "/self-checks/" in page.url
    assert page.locator("section.self-check-category").count() == 8
    assert_thumb_sized(page, "main button[data-answer]")
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(SHOTS / "self-check-top.png"))

    questions = page.locator("[data-question]").evaluate_all("rows => rows.map(r => r.dataset.question)")
    for code in questions:
        if code == "C2":
            _answer(page, code, "risk")
            assert "/risks/new" in page.url
            expect(page.locator("#category")).to_have_value("C")
            assert page.locator("#title").input_value(), "the question pre-fills the title"
            page.fill("#title", "样板间承诺的品牌厨电未兑现")
            page.select_option("#severity", "high")
            with page.expect_navigation():
                page.click("form button.btn-primary[type=submit]")
            assert "/self-checks/" in page.url
        else:
            _answer(page, code, "na" if code == "D1" else "ok")
    expect(page.locator('[data-question="C2"]')).to_have_attribute("data-answer", "risk")
    expect(page.locator('section[data-checked="true"]')).to_have_count(8)
    page.screenshot(path=str(SHOTS / "self-check.png"), full_page=False)

    with page.expect_navigation():
        page.click("#to-readiness")
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-ready", "false")
    expect(verdict).to_contain_text("样板间承诺的品牌厨电未兑现")
    page.screenshot(path=str(SHOTS / "readiness-not-ready.png"), full_page=True)

    # decide the risk (a rectification plan) and transfer the building: ready
    page.goto(f"/batches/{batch_id}/risks")
    with page.expect_navigation():
        page.click("text=样板间承诺的品牌厨电未兑现")
    page.click('details[data-action="plan"] summary')
    page.fill("#plan-plan", "与厨电品牌协调补货，逐户安装")
    page.fill("#plan-due_date", "2099-01-31")
    with page.expect_navigation():
        page.click('details[data-action="plan"] button[type=submit]')
    expect(page.locator('[data-status="planned"]')).to_have_count(1)
    assert_thumb_sized(page, "main summary, main button")
    page.screenshot(path=str(SHOTS / "risk-detail.png"), full_page=True)

    sign_in(page, "property")
    page.goto(f"/batches/{batch_id}/transfers")
    section = page.locator("section.transfer").first
    section.locator("summary").click()
    section.locator("input[name=transferred_on]").fill("2026-11-01")
    section.locator("input[name=developer_signatory]").fill("工程部 陈工")
    section.locator("input[name=property_signatory]").fill("物业 周主管")
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    page.goto(f"/batches/{batch_id}/readiness")
    expect(page.locator("#verdict")).to_have_attribute("data-ready", "true")
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(SHOTS / "readiness-ready.png"), full_page=True)
