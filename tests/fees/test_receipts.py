"""Receipt numbers from the project's sequence: blank takes the next, typed ones are skipped, each
project counts on its own, and cashiers recording at the same moment never share a number."""
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from handover.accounts.models import User
from handover.core.errors import ValidationFailed
from handover.extensions import db
from handover.fees import receipts, service
from handover.fees.models import Payment, PaymentKind, PaymentMethod
from handover.projects.models import Unit


def _pay(unit_id: int, finance_id: int, receipt_no: str = "") -> str:
    payment = service.record_payment(db.session.get(Unit, unit_id), kind=PaymentKind.PAYMENT, amount=Decimal("100.00"),
                                     method=PaymentMethod.CASH, receipt_no=receipt_no,
                                     actor=db.session.get(User, finance_id))
    db.session.commit()
    return payment.receipt_no


def test_format_pads_but_never_cuts():
    assert receipts.format_receipt_no("SK-", 123, 6) == "SK-000123"
    assert receipts.format_receipt_no("YJ2026", 1234567, 4) == "YJ20261234567"


def test_blank_receipts_take_the_next_number_and_typed_ones_are_skipped(world, ctx):
    finance, a = world.users["finance"], world.a.id
    assert _pay(world.a1.id, finance) == f"SK{a}-000001"
    assert _pay(world.a1.id, finance, " 纸质-0042 ") == "纸质-0042"
    assert _pay(world.a2.id, finance) == f"SK{a}-000002"
    receipts.configure_sequence(world.a.id, receipts.SequenceSettings(prefix="YJ-2026-", next_number=500, digits=4))
    db.session.commit()
    assert _pay(world.a1.id, finance, "YJ-2026-0501") == "YJ-2026-0501"   # from a paper book
    assert [_pay(world.a1.id, finance) for _n in range(2)] == ["YJ-2026-0500", "YJ-2026-0502"]
    assert _pay(world.b1.id, finance) == f"SK{world.b.id}-000001", "every project counts on its own"


def test_bad_settings_are_refused_field_by_field(world, ctx):
    with pytest.raises(ValidationFailed) as caught:
        receipts.configure_sequence(world.a.id, receipts.SequenceSettings(prefix="X" * 21, next_number=0, digits=6))
    assert {d["field"] for d in caught.value.details} == {"prefix", "next_number"}


def test_reversals_and_conversions_number_themselves_too(world, ctx):
    finance = world.users["finance"]
    _pay(world.a1.id, finance)
    original = db.session.scalar(sa.select(Payment))
    reversal = service.reverse_payment(original, receipt_no="", actor=db.session.get(User, finance))
    assert reversal.receipt_no == f"SK{world.a.id}-000002"


def test_concurrent_cashiers_never_share_a_number(world, app):
    workers = 8
    finance = world.users["finance"]
    units = [world.a1.id, world.a2.id]
    start = threading.Barrier(workers)
    taken, failures = [], []

    def record(index: int) -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                taken.append(_pay(units[index % 2], finance))
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=record, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    a = world.a.id
    assert sorted(taken) == [f"SK{a}-{n:06d}" for n in range(1, workers + 1)]
    with app.app_context():
        assert receipts.next_receipt_preview(a) == f"SK{a}-{workers + 1:06d}"


def test_the_payment_page_records_with_a_blank_receipt_and_finance_sets_the_numbering(world, browser, app):
    browser.login("finance")
    page = browser.client.get(f"/projects/{world.a.id}/receipt-numbers")
    assert page.status_code == 200 and f"SK{world.a.id}-000001" in page.get_data(as_text=True)
    saved = browser.post(f"/projects/{world.a.id}/receipt-numbers", {"prefix": "YJ-", "next_number": "88",
                                                                      "digits": "5"})
    assert saved.status_code == 302
    recorded = browser.post(f"/units/{world.a1.id}/payments", {"kind": "payment", "amount": "100.00",
                                                               "method": "transfer", "receipt_no": "", "note": ""})
    assert recorded.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Payment.receipt_no)) == "YJ-00088"
    browser.login("sales")
    assert browser.client.get(f"/projects/{world.a.id}/receipt-numbers").status_code == 403
