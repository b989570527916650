"""The offline field client in a real browser at tablet size (768×1024, touch): take a building
offline, lose the signal, log three defects with photos and a checklist result, reload with no
network (the service worker serves the page, IndexedDB keeps the records, marked pending), get
the signal back and see every record on the server exactly once with its original time; a
resend never duplicates; a record that conflicts is shown with its reason, not lost.

Service workers need a secure context: http://127.0.0.1 counts as one.
"""
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from tests.browser.test_flows import MIN_TAP, sign_in
from tests.fixtures.keys import keys  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/w6-shots")


@pytest.fixture
def seeded(app):
    from handover.extensions import db
    from handover.inspections.service import seed_default_checklist

    with app.app_context():
        seed_default_checklist()
        db.session.commit()


def camera_photo(path, size=(2600, 1950)):
    Image.new("RGB", size, (200, 190, 170)).save(path, "JPEG", quality=90)
    return str(path)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def wait_until(page, expression, timeout=15.0):
    """Poll a JS expression until it is truthy (wait_for_function evaluates strings, which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(200)


def wait_badge(page, count, timeout=20.0):
    wait_until(page, f"document.getElementById('pending-badge').textContent === '{count}'", timeout)


def badge(page) -> str:
    return page.locator("#pending-badge").inner_text()


def open_field_and_take_offline(page, username, batch_id):
    sign_in(page, username)
    page.goto("/field/")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.select_option("#batch-select", str(batch_id))
    page.click("#take-offline")
    page.wait_for_selector("#unit-list .field-unit")
    assert "KB" in page.inner_text("#package-info")  # the size of the offline copy is shown
    # the page is kept for offline use and the service worker controls it
    wait_until(page, "caches.match('/field/').then(r => !!r)")
    wait_until(page, "!!navigator.serviceWorker.controller")


def defects_on_server(app, description):
    from handover.defects.models import Defect
    from handover.extensions import db

    with app.app_context():
        rows = list(db.session.scalars(sa.select(Defect).where(Defect.description == description)))
        return [(d.id, len(d.photos), d.created_at) for d in rows]


def test_three_defects_logged_offline_survive_a_reload_and_sync_once_with_their_time(page, app, world, seeded,
                                                                                      tmp_path):
    from handover.core.timeutil import now_utc

    context = page.context
    open_field_and_take_offline(page, "engineering", world.a.batch_id)
    shot(page, "1-home-online")

    context.set_offline(True)
    page.click("#unit-list .field-unit >> nth=0")
    descriptions = ["离线记录：卧室墙面空鼓", "离线记录：厨房地漏反坡", "离线记录：阳台栏杆松动"]
    for number, description in enumerate(descriptions, start=1):
        page.click(f"#room-choices .chip >> nth={number}")
        page.fill("#defect-description", description)
        page.set_input_files("#photo-input", camera_photo(tmp_path / f"photo{number}.jpg"))
        page.wait_for_selector("#photo-thumbs img")
        if number == 1:
            shot(page, "2-defect-form-offline")
        page.click("#save-defect")
        wait_until(page, f"document.querySelectorAll('#unit-defects [data-status=pending]').length === {number}")
    page.click(".field-tab[data-tab=checklist]")
    page.click("#checklist li >> nth=0 >> [data-result=pass]")
    wait_badge(page, 7)  # three defects, their three photos, one checklist result
    logged_by = now_utc()
    for control in page.locator(".field-pane:not([hidden]) .btn, .field-tab").all():
        if control.is_visible():
            assert control.bounding_box()["height"] >= MIN_TAP

    page.reload()  # no network: the service worker answers from its copy, IndexedDB keeps the records
    page.wait_for_selector("#outbox [data-status=pending]")
    assert badge(page) == "7"
    assert page.locator("#outbox [data-status=pending]").count() == 7
    assert page.locator("#net-state[data-state=offline]").count() == 1
    shot(page, "3-reloaded-offline-pending")
    assert all(defects_on_server(app, d) == [] for d in descriptions)

    page.wait_for_timeout(1500)  # the signal comes back a little later: times must stay the tablet's
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_badge(page, 0, timeout=40.0)
    shot(page, "4-synced")
    rows = {d: defects_on_server(app, d) for d in descriptions}
    for description, found in rows.items():
        assert len(found) == 1 and found[0][1] == 1, description  # once, with its photo
        created_at = found[0][2]
        created_at = created_at if created_at.tzinfo else created_at.replace(tzinfo=logged_by.tzinfo)
        assert created_at <= logged_by, "the defect keeps the time it was logged, not the time it synced"
    from handover.extensions import db
    from handover.inspections.models import InspectionResult

    with app.app_context():
        results = list(db.session.scalars(sa.select(InspectionResult)))
        assert len(results) == 1 and results[0].passed is True and results[0].at is not None

    # a resend (the answers were lost on the way): every record goes again, nothing is duplicated
    page.evaluate("""() => new Dexie('handover-field').open().then(db =>
        db.table('outbox').toCollection().modify({status: 'pending'}))""")
    page.click("#sync-now")
    wait_badge(page, 0, timeout=40.0)
    assert {d: defects_on_server(app, d) for d in descriptions} == rows
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(InspectionResult)) == 1


def test_a_key_check_that_conflicts_is_shown_with_its_reason_and_kept_until_discarded(page, app, world, seeded,
                                                                                     keys):  # noqa: F811
    key = keys.received(world.a1.id)
    open_field_and_take_offline(page, "property", world.a.batch_id)
    page.context.set_offline(True)
    page.click("#unit-list .field-unit >> nth=0")
    page.click(".field-tab[data-tab=keys]")
    page.click("#key-list [data-key-result=ok]")
    wait_badge(page, 1)
    keys.event(key.id, "lent", counterparty="装修 王师傅")  # meanwhile, at the office

    page.context.set_offline(False)
    page.click("#back-home")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    failed = page.wait_for_selector("#outbox [data-status=failed]")
    assert failed.query_selector(".field-error").inner_text().strip()  # the reason is shown
    assert badge(page) == "1"  # still counted: nothing silently dropped
    shot(page, "5-conflict")
    assert keys.state(key.id).events == 2  # received + lent: the check did not go through

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#outbox [data-status=failed] .btn-danger")
    wait_badge(page, 0)
