"""One owner through the handover day in a real browser at tablet size (768×1024, touch): booking in
the portal → check-in at the desk by the notice's QR code → the stations → meter readings and the
walk-through signed on the pads → signing → the console and the bulletin count it.

Screenshots of the desk, a station and the console are kept in test-output/ (and /tmp/w1-shots/).
"""
from pathlib import Path

import pytest

from tests.browser.test_flows import assert_no_horizontal_overflow, assert_thumb_sized, sign_in
from tests.fees.demo_cases import demo_cases  # noqa: F401 - fixture

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/w1-shots")


def _shot(page, output_dir, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(output_dir / name), full_page=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _draw(page, pad):
    canvas = pad.locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(box["x"] + 30 + step * 18, box["y"] + box["height"] * (0.7 - 0.4 * (step % 2)), steps=2)
    page.mouse.up()
    assert pad.locator("input[type=hidden]").input_value().startswith("data:image/png;base64,")


def _logout(page):
    page.context.clear_cookies()


def _station_done(page, batch_id, step):
    page.goto(f"/batches/{batch_id}/handover-day/stations/{step}")
    with page.expect_navigation():
        page.click("[data-call-next]")
    visit = page.locator(".station-visit").first
    assert visit.get_attribute("data-status") == "called"
    with page.expect_navigation():
        visit.locator(f"form[action$='/{step}/done'] button").click()


def test_one_owner_through_the_handover_day(world, demo_cases, activate_owner, make_user, app, page, output_dir,  # noqa: F811
                                            api):
    from playwright.sync_api import expect

    from handover.extensions import db
    from handover.projects.models import Contract

    with app.app_context():
        owner_id = db.session.scalar(db.select(Contract.owner_id).where(Contract.unit_id == demo_cases.netting))
    owner = activate_owner(owner_id, world.users["admin"])
    api.token("sales")
    slot = api.post(f"/api/v1/batches/{demo_cases.batch_id}/slots",
                    json={"starts_at": "2099-06-01T09:00:00+08:00", "ends_at": "2099-06-01T10:00:00+08:00",
                          "capacity": 3}).get_json()
    unit = demo_cases.netting
    batch = demo_cases.batch_id

    # the owner books in the portal
    sign_in(page, owner.username)
    page.goto(f"/my/units/{unit}")
    with page.expect_navigation():
        page.click(f"a[href='/my/units/{unit}/appointment']")
    page.select_option("select[name=slot_id]", str(slot["id"]))
    with page.expect_navigation():
        page.click("form button.btn-primary")
    expect(page.locator("[data-appointment]")).to_have_attribute("data-appointment", str(slot["id"]))
    page.goto(f"/my/units/{unit}")
    expect(page.locator("[data-my-appointment]")).to_contain_text("2099-06-01 09:00")
    _logout(page)

    # the desk finds the owner by the notice's QR code and checks them in
    sign_in(page, "sales")
    page.goto(f"/batches/{batch}/handover-day/desk")
    page.fill("#q", f"HO-UNIT-{unit}")
    with page.expect_navigation():
        page.press("#q", "Enter")
    found = page.locator(f".desk-unit[data-unit='{unit}']")
    expect(found).to_be_visible()
    assert_thumb_sized(page, ".desk-unit .btn, .desk-unit input:not([type=hidden]), .desk-unit select")
    assert_no_horizontal_overflow(page)
    _shot(page, output_dir, "handover-day-desk-768x1024.png")
    with page.expect_navigation():
        found.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("1")

    # stations: documents, fees
    _station_done(page, batch, "documents")
    page.goto(f"/batches/{batch}/handover-day/stations/fees")
    expect(page.locator("[data-queue]")).to_have_attribute("data-queue", "1")
    assert_no_horizontal_overflow(page)
    _shot(page, output_dir, "handover-day-station-768x1024.png")
    _station_done(page, batch, "fees")

    # walk-through: readings and both signatures on the handover page, then the station
    page.goto(f"/units/{unit}/handover")
    expect(page.locator("[data-condition=walkthrough]")).to_be_visible()
    expect(page.locator("[data-condition=meter_readings]")).to_be_visible()
    readings = page.locator("[data-readings]")
    readings.locator("input[name=water]").fill("12.5")
    readings.locator("input[name=electricity]").fill("30.25")
    readings.locator("input[name=gas]").fill("7")
    with page.expect_navigation():
        readings.locator("button[type=submit]").click()
    expect(page.locator("[data-readings]")).to_have_attribute("data-readings", "done")
    walk = page.locator("[data-walkthrough]")
    for pad in walk.locator("[data-signature-pad]").all():
        _draw(page, pad)
    with page.expect_navigation():
        walk.locator("button.btn-primary").click()
    expect(page.locator("[data-walkthrough]")).to_have_attribute("data-walkthrough", "signed")
    expect(page.locator("[data-gate=ok]")).to_be_visible()
    _station_done(page, batch, "walkthrough")

    # signing with both signatures
    page.goto(f"/units/{unit}/handover")
    sign = page.locator("form[action$='/handover']")
    sign.locator("input[value=quality_guarantee]").check()
    sign.locator("input[value=user_manual]").check()
    for pad in sign.locator("[data-signature-pad]").all():
        _draw(page, pad)
    with page.expect_navigation():
        sign.locator("button.btn-primary").click()
    expect(page.locator("[data-handover=done]")).to_be_visible()
    expect(page.locator("[data-record-pdf]")).to_be_visible()
    _station_done(page, batch, "signing")

    # the console counts it
    page.goto(f"/batches/{batch}/handover-day")
    expect(page.locator("[data-figure=checked_in]")).to_have_text("1")
    expect(page.locator("[data-figure=handed_over]")).to_have_text("1")
    assert_no_horizontal_overflow(page)
    _shot(page, output_dir, "handover-day-console-768x1024.png")
    page.goto(f"/batches/{batch}/handover-day/bulletin")
    expect(page.locator("[data-figure=handed_over]")).to_have_text("1")
