"""Key custody in a real browser at tablet size (768×1024, touch): open a key by typing its code, lend
it and take it back, see it in the office on the ledger; hand keys to an owner who signs on the pad.

Assertions rely on data attributes and status values, not on the (translated) wording.
"""
import re

import pytest

from tests.browser.test_flows import assert_no_horizontal_overflow, assert_thumb_sized, sign_in
from tests.fixtures.keys import keys, settled_unit  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_property_opens_a_key_by_its_code_lends_it_and_takes_it_back(world, keys, page, output_dir):  # noqa: F811
    from playwright.sync_api import expect

    key = keys.received(world.a1.id)
    other = keys.received(world.a2.id)
    sign_in(page, "property")

    page.goto("/keys/find")
    assert_thumb_sized(page)
    page.fill("input[name=code]", key.code.lower())  # typed as it comes, the page finds it anyway
    with page.expect_navigation():
        page.press("input[name=code]", "Enter")
    assert page.url.endswith(f"/keys/{key.id}")
    status = page.locator("[data-status]")
    expect(status).to_have_attribute("data-status", "in_office")

    page.click('a[href="#do-lent"]')
    panel = page.locator("#do-lent")
    expect(panel).to_be_visible()
    expect(page.locator("#do-returned")).to_have_count(0)
    panel.locator("input[name=to]").fill("保洁 李阿姨")
    panel.locator("textarea[name=note]").fill("开荒保洁")
    assert_thumb_sized(page, "#do-lent button, #do-lent input:not([type=hidden]), .key-actions .btn")
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(status).to_have_attribute("data-status", "on_loan")
    expect(page.locator(".custody")).to_contain_text("保洁 李阿姨")
    expect(page.locator('a[href="#do-lent"]')).to_have_count(0)  # a key on loan cannot be lent again

    page.click('a[href="#do-returned"]')
    with page.expect_navigation():
        page.locator("#do-returned button[type=submit]").click()
    expect(status).to_have_attribute("data-status", "in_office")

    page.goto(f"/keys?batch_id={world.a.batch_id}")
    row = page.locator(f'tr[data-code="{key.code}"]')
    expect(row).to_have_attribute("data-status", "in_office")
    expect(row).not_to_have_class(re.compile("row-overdue"))
    expect(page.locator(f'tr[data-code="{other.code}"]')).to_have_attribute("data-status", "in_office")
    expect(page.locator(".keys-out")).to_have_count(0)  # nothing is out on loan
    assert_thumb_sized(page)
    assert_no_horizontal_overflow(page)
    page.screenshot(path=str(output_dir / "keys-768x1024.png"), full_page=True)


def test_owner_signs_on_the_pad_at_the_desk(world, keys, settled_unit, page, output_dir):  # noqa: F811
    from playwright.sync_api import expect

    door = keys.received(settled_unit.id)
    mailbox = keys.received(settled_unit.id, label="1-1-601 邮箱", copies=2)
    sign_in(page, "property")
    page.goto(f"/keys/desk?batch_id={world.a.batch_id}")
    page.fill("input[name=q]", "601")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert page.url.endswith(f"/keys/desk/{settled_unit.id}")
    expect(page.locator("[data-gate]")).to_have_attribute("data-gate", "ok")

    form = page.locator("#hand-over form")
    expect(form.locator("input[name=key_ids]:checked")).to_have_count(2)
    form.locator("button[type=submit]").click()  # not signed yet: the page says so and stays
    expect(form.locator(".signature-missing")).to_be_visible()
    assert page.url.endswith(f"/keys/desk/{settled_unit.id}")

    canvas = form.locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(box["x"] + 40 + step * 20, box["y"] + box["height"] * (0.7 - 0.4 * (step % 2)), steps=3)
    page.mouse.up()
    signature = form.locator("input[name=signature]")
    assert signature.input_value().startswith("data:image/png;base64,")
    expect(form.locator(".signature-missing")).to_be_hidden()
    assert_thumb_sized(page, "#hand-over button, #hand-over input[type=text], #hand-over input:not([type])")
    assert_no_horizontal_overflow(page)
    form.screenshot(path=str(output_dir / "keys-signature-768x1024.png"))

    form.locator("[data-clear]").click()
    assert signature.input_value() == ""
    page.mouse.move(box["x"] + 60, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + 300, box["y"] + 160, steps=10)
    page.mouse.up()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert keys.state(door.id).status == keys.state(mailbox.id).status == "with_owner"
    record = page.request.get(f"/units/{settled_unit.id}/keys/handover-record.pdf")
    assert record.ok and record.body().startswith(b"%PDF")
