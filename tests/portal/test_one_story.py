"""The owner's portal tells the same story as staff pages: handed over or not, where each key is,
and the warranty of a defect with its legal basis."""
import re
from datetime import date

from handover.extensions import db
from handover.projects.models import Batch, Unit
from tests.fixtures.keys import keys  # noqa: F401 - fixture


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_a_handed_over_unit_says_so_and_keys_in_the_office_are_not_kept_until_the_handover(world, keys, browser, app):  # noqa: F811 - fixture
    key = keys.received(world.a1.id)
    with app.app_context():
        db.session.get(Batch, world.a.batch_id).window_start = date(2026, 12, 1)
        db.session.commit()
    browser.client.set_cookie("lang", "en")
    browser.login(world.owner.username)
    before = _text(browser.client.get(f"/my/units/{world.a1.id}"))
    assert "Handover window" in before and "2026-12-01" in before and "Kept for you until the handover" in before

    with app.app_context():
        db.session.get(Unit, world.a1.id).handed_over_on = date(2026, 11, 19)
        db.session.commit()
    after = _text(browser.client.get(f"/my/units/{world.a1.id}"))
    assert "Handed over on 2026-11-19" in after and "Handover window" not in after
    assert "Kept for you until the handover" not in after
    assert "please collect it at the property office" in after

    keys.event(key.id, "lost", note="业主称遗失")
    assert "Reported lost" in _text(browser.client.get(f"/my/units/{world.a1.id}"))


def test_the_defect_page_shows_the_warranty_and_its_basis(world, browser, app):
    from handover.accounts.models import User
    from handover.defects import service
    from handover.defects.models import Severity
    from handover.inspections.models import InspectionStage

    with app.test_request_context():
        unit = db.session.get(Unit, world.a1.id)
        unit.handed_over_on = date(2026, 11, 19)
        defect, _created = service.record_defect(unit, service.NewDefect(
            stage=InspectionStage.WARRANTY, room="客厅", category="墙面顶棚", sub_item="裂缝",
            description="墙面抹灰裂缝", severity=Severity.MINOR), actor=db.session.get(User, world.users["engineering"]))
        db.session.commit()
        defect_id = defect.id
    browser.client.set_cookie("lang", "en")
    browser.login(world.owner.username)
    page = _text(browser.client.get(f"/my/defects/{defect_id}"))
    assert "Under warranty until 2028-11-18" in page and "Art. 40 (4)" in page
    browser.login("engineering")
    staff = _text(browser.client.get(f"/defects/{defect_id}"))
    assert "Under warranty until 2028-11-18" in staff and "Art. 40 (4)" in staff


def test_before_the_handover_the_owner_sees_when_where_and_what_to_bring(world, browser, app):
    from handover.projects.models import HandoverMode

    with app.app_context():
        batch = db.session.get(Batch, world.a.batch_id)
        batch.window_start, batch.window_end, batch.mode = date(2026, 12, 1), date(2026, 12, 20), HandoverMode.SCATTERED
        batch.project.address = "杭州市西湖区云璟路 8 号"
        db.session.commit()
    browser.client.set_cookie("lang", "en")
    browser.login(world.owner.username)
    page = _text(browser.client.get(f"/my/units/{world.a1.id}"))
    visit = page.split('id="visit"')[1].split("</section>")[0]
    assert "by appointment" in visit and "2026-12-01" in visit and "杭州市西湖区云璟路 8 号" in visit
    assert "《商品房买卖合同》原件" in visit and "费用结算" in visit
    with app.app_context():
        db.session.get(Unit, world.a1.id).handed_over_on = date(2026, 12, 2)
        db.session.commit()
    assert 'id="visit"' not in _text(browser.client.get(f"/my/units/{world.a1.id}"))


def test_the_owner_downloads_their_own_receipts_only(world, browser, app):
    from decimal import Decimal

    from handover.accounts.models import User
    from handover.fees import service as fees
    from handover.fees.models import PaymentKind, PaymentMethod

    with app.test_request_context():
        finance = db.session.get(User, world.users["finance"])
        mine = fees.record_payment(db.session.get(Unit, world.a1.id), kind=PaymentKind.PAYMENT,
                                   amount=Decimal("500.00"), method=PaymentMethod.CASH, receipt_no="", actor=finance)
        theirs = fees.record_payment(db.session.get(Unit, world.a2.id), kind=PaymentKind.PAYMENT,
                                     amount=Decimal("500.00"), method=PaymentMethod.CASH, receipt_no="", actor=finance)
        db.session.commit()
        mine_id, theirs_id = mine.id, theirs.id
    browser.login(world.owner.username)
    page = browser.client.get(f"/my/units/{world.a1.id}").get_data(as_text=True)
    assert f"/my/payments/{mine_id}/receipt.pdf" in page
    pdf = browser.client.get(f"/my/payments/{mine_id}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert browser.client.get(f"/my/payments/{theirs_id}/receipt.pdf").status_code == 404
    browser.login("sales")
    assert browser.client.get(f"/my/payments/{mine_id}/receipt.pdf").status_code == 403
