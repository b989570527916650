"""Switching the language keeps what was typed (issue: the switch threw it away)."""
import pytest

from tests.browser.test_flows import sign_in

pytestmark = pytest.mark.browser


def test_switching_the_language_keeps_what_was_typed(page, world):
    sign_in(page, "finance")
    page.goto(f"/batches/{world.a.batch_id}/fees/settings")
    page.fill("input[name=property_fee_rate]", "3.55")
    page.fill("input[name=prepay_months]", "6")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang").startswith("en")
    assert page.input_value("input[name=property_fee_rate]") == "3.55"
    assert page.input_value("input[name=prepay_months]") == "6"
    # and only once: a plain reload shows the saved values again, not the kept ones
    page.reload()
    assert page.input_value("input[name=property_fee_rate]") != "3.55"
