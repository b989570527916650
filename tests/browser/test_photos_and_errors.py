"""Photos that add up and errors you can see, in a real browser at tablet size (768×1024, touch).

Two photos taken one after the other are both saved; a failed save shows its errors at the top,
keeps every input and the chosen photos, and the next save takes them along. The contractor page
has one "mark fixed" button and goes back to the list; the reject form takes a photo and a new
due date. Screenshots go to /tmp/h6-shots/ (and test-output/) for a human look.
"""
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.browser.test_defects import assert_tappable, camera_photo, seeded, sign_out, status_of  # noqa: F401 - seeded is a fixture
from tests.browser.test_flows import assert_no_horizontal_overflow, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/h6-shots")


def shot(page, name, output_dir):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(output_dir / f"{name}.png"), full_page=True)


def defect_photos(app, kind=None) -> list:
    import sqlalchemy as sa

    from handover.defects.models import DefectPhoto
    from handover.extensions import db

    with app.app_context():
        stmt = sa.select(DefectPhoto.kind).order_by(DefectPhoto.id)
        return [k.value for k in db.session.scalars(stmt) if kind is None or k.value == kind]


def take_photo(page, selector, path):
    """One tap on the camera button, one photo: the browser hands the input just that one file."""
    page.set_input_files(selector, path)


def choose_room_and_describe(page):
    page.locator(".pick", has_text=re.compile("^主卧$")).click()
    page.locator("textarea[name=description]").fill("墙面空鼓，敲击有空响")


def test_two_photos_taken_one_after_the_other_are_both_saved(world, seeded, app, page, tmp_path,  # noqa: F811
                                                               output_dir):
    from playwright.sync_api import expect

    sign_in(page, "engineering")
    page.goto(f"/units/{world.a1.id}/defects/new")
    choose_room_and_describe(page)
    page.locator("[data-role=categories] .pick", has_text=re.compile("^墙面顶棚$")).click()
    thumbs = page.locator("[data-previews-for=photos] .photo-thumb")
    count = page.locator("[data-photo-count-for=photos]")

    take_photo(page, "#photos", camera_photo(tmp_path / "one.jpg", color=(200, 60, 60)))
    expect(thumbs).to_have_count(1)
    take_photo(page, "#photos", camera_photo(tmp_path / "two.jpg", color=(60, 200, 60)))
    expect(thumbs).to_have_count(2)  # the second photo joined the first instead of replacing it
    take_photo(page, "#photos", camera_photo(tmp_path / "three.jpg", color=(60, 60, 200)))
    expect(thumbs).to_have_count(3)
    expect(count).to_have_text("已选照片：3 张")
    thumbs.nth(2).locator("[data-remove-photo]").click()  # a wrong shot goes with one tap
    expect(thumbs).to_have_count(2)
    expect(count).to_have_text("已选照片：2 张")
    assert page.evaluate("document.getElementById('photos').files.length") == 2
    expect(page.locator("#log-defect button[type=submit]")).to_be_enabled()
    assert_tappable(page, ".photo-remove, .camera-btn, .pick span, #log-defect button[type=submit]")
    assert_no_horizontal_overflow(page)
    shot(page, "defect-log-two-photos-768x1024", output_dir)

    with page.expect_navigation():
        page.click("#log-defect button[type=submit]")
    expect(page.locator("#last-recorded")).to_contain_text("2 张照片")
    assert defect_photos(app) == ["before", "before"]


def test_a_failed_save_keeps_input_and_photos_and_shows_errors_on_top(world, seeded, app, page, tmp_path,  # noqa: F811
                                                                      output_dir):
    from playwright.sync_api import expect

    sign_in(page, "engineering")
    page.goto(f"/units/{world.a1.id}/defects/new")
    choose_room_and_describe(page)  # no category: the server refuses
    page.locator(".pick.sev-major").click()
    take_photo(page, "#photos", camera_photo(tmp_path / "one.jpg", color=(200, 60, 60)))
    take_photo(page, "#photos", camera_photo(tmp_path / "two.jpg", color=(60, 200, 60)))
    expect(page.locator("[data-previews-for=photos] .photo-thumb")).to_have_count(2)
    with page.expect_navigation():
        page.click("#log-defect button[type=submit]")

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("请选择类别")
    box = summary.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"], "the error summary is not in view"  # scrolled to it
    assert page.evaluate("document.activeElement.id") == "error-summary"
    # every input is kept, and both photos are held on the server and shown again
    expect(page.locator("textarea[name=description]")).to_have_value("墙面空鼓，敲击有空响")
    expect(page.locator("input[name=room][value=主卧]")).to_be_checked()
    expect(page.locator("input[name=severity][value=major]")).to_be_checked()
    held = page.locator("[data-previews-for=photos] .photo-thumb[data-held]")
    expect(held).to_have_count(2)
    expect(page.locator("[data-photo-count-for=photos]")).to_have_text("已选照片：2 张")
    assert held.first.locator("img").evaluate("img => img.naturalWidth") > 0
    assert defect_photos(app) == []
    assert_tappable(page, ".photo-remove, .camera-btn, .error-summary a")
    shot(page, "defect-log-failed-save-768x1024", output_dir)
    page.screenshot(path=str(SHOTS / "defect-log-failed-save-viewport-768x1024.png"))

    summary.locator("a").first.click()  # the link goes to the missing field
    page.locator("[data-role=categories] .pick", has_text=re.compile("^墙面顶棚$")).click()
    take_photo(page, "#photos", camera_photo(tmp_path / "three.jpg", color=(60, 60, 200)))  # one more
    expect(page.locator("[data-previews-for=photos] .photo-thumb")).to_have_count(3)
    with page.expect_navigation():
        page.click("#log-defect button[type=submit]")
    expect(page.locator("#last-recorded")).to_contain_text("3 张照片")
    assert defect_photos(app) == ["before"] * 3


def test_contractor_page_has_one_button_and_the_reject_form_takes_a_photo_and_a_due_date(
        world, seeded, app, page, tmp_path, output_dir):  # noqa: F811
    from playwright.sync_api import expect

    from handover.accounts.models import User
    from handover.core.timeutil import today_local
    from handover.defects import service
    from handover.defects.rules import TransitionInput as T
    from handover.extensions import db
    from handover.inspections.models import InspectionStage
    from handover.projects.models import Unit

    with app.app_context():
        engineering = db.session.get(User, world.users["engineering"])
        defect, _ = service.record_defect(db.session.get(Unit, world.a1.id), service.NewDefect(
            stage=InspectionStage.OPEN_DAY, room="厨房", category="给排水", description="水槽下水管渗水"),
            actor=engineering)
        service.transition(defect, T("assign", contractor_id=world.contractor_id,
                                     due_date=today_local() + timedelta(days=3)), actor=engineering)
        db.session.commit()
        url = f"/defects/{defect.id}"

    sign_in(page, "contractor")
    page.goto(url)
    actions = page.locator("#actions")
    expect(actions.locator("button[type=submit]")).to_have_count(1)
    expect(actions.locator("button[type=submit]")).to_have_text("标记已整改")
    expect(actions.locator("summary")).to_have_count(0)
    page.locator("#fix-note").fill("已更换密封圈")
    with page.expect_navigation():  # no photo: refused, the note kept, the errors on top
        actions.locator("button[type=submit]").click()
    expect(page.locator("#error-summary")).to_contain_text("请先上传整改完成后的照片")
    expect(page.locator("#fix-note")).to_have_value("已更换密封圈")
    take_photo(page, "#fix-photos", camera_photo(tmp_path / "after1.jpg", color=(230, 230, 225)))
    take_photo(page, "#fix-photos", camera_photo(tmp_path / "after2.jpg", color=(220, 225, 230)))
    expect(page.locator("[data-previews-for=fix-photos] .photo-thumb")).to_have_count(2)
    assert_tappable(page, "#actions button, #actions .camera-btn, .photo-remove")
    assert_no_horizontal_overflow(page)
    shot(page, "contractor-defect-768x1024", output_dir)
    with page.expect_navigation():
        actions.locator("button[type=submit]").click()
    assert page.url.endswith("/contractor/defects")  # back to the list
    expect(page.locator(".flash-success")).to_be_visible()
    shot(page, "contractor-list-768x1024", output_dir)
    assert defect_photos(app, "after") == ["after", "after"]
    sign_out(page)

    sign_in(page, "engineering")
    page.goto(url)
    page.locator("details[data-action=reject] > summary").click()
    form = page.locator("details[data-action=reject] form")
    form.locator("textarea").fill("仍有渗水")
    take_photo(page, "#reject-photos", camera_photo(tmp_path / "still.jpg", color=(90, 90, 90)))
    expect(form.locator(".photo-thumb")).to_have_count(1)
    new_due = today_local() + timedelta(days=5)
    form.locator("#reject-due").fill(new_due.isoformat())
    shot(page, "engineer-reject-768x1024", output_dir)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert status_of(page) == "assigned"
    expect(page.locator(".defect-head .facts")).to_contain_text(new_due.isoformat())
    assert len(defect_photos(app)) == 3
