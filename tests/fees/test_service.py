"""Fee use cases and the one settlement rule against the database (no HTTP)."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from handover.accounts.models import User
from handover.core.errors import Conflict, NotPermitted, ValidationFailed
from handover.core.events import payment_recorded
from handover.core.timeutil import now_utc
from handover.extensions import db
from handover.fees import queries, service
from handover.fees.models import Payment, PaymentKind, PaymentMethod
from handover.fees.settlement import settlement_for, settlements_for
from handover.projects.models import Batch, Unit
from tests.fees.demo_cases import DEMO_SETTINGS, pay


def _unit(unit_id):
    return db.session.get(Unit, unit_id)


def test_paying_the_net_settles_the_whole_statement_area_differential_included(ctx, demo_cases):
    s = settlement_for(_unit(demo_cases.netting))
    assert s.area_differential == D("-31000.00") and s.total - s.area_differential == D("49010.00")
    assert s.paid == D("18010.00") and s.refunded == 0 and s.balance == 0 and s.offset == D("31000.00")
    assert s.settled and s.area_differential_settled and s.cleared_for_handover
    assert s.owed_lines == [] and s.blocking_lines == [] and s.owed_before_handover == 0


def test_a_paid_area_differential_is_not_a_settled_statement(ctx, demo_cases):
    s = settlement_for(_unit(demo_cases.owing))
    assert s.balance == D("62050.12") and s.area_differential_settled and not s.settled
    assert not s.cleared_for_handover and s.owed_before_handover == D("62050.12")
    assert [(i.line.code, i.owed) for i in s.blocking_lines] == [
        ("property_fee", D("1138.75")), ("maintenance_fund", D("9489.60")), ("deed_tax", D("51421.77"))]


def test_batch_names_the_lines_required_before_the_handover(ctx, demo_cases):
    batch = db.session.get(Batch, demo_cases.batch_id)
    service.set_fee_settings(batch, {**DEMO_SETTINGS, "settle_before_handover": ["property_fee"]})
    s = settlement_for(_unit(demo_cases.owing))
    assert s.settle_first == {"area_differential", "property_fee"}
    assert [(i.line.code, i.owed) for i in s.blocking_lines] == [("property_fee", D("1138.75"))]
    pay(demo_cases.owing, "1138.75", "SK-PF-202")
    s = settlement_for(_unit(demo_cases.owing))
    assert s.cleared_for_handover and not s.settled  # keys and signing may go ahead; the rest stays owed
    assert s.balance == D("60911.37")
    service.set_fee_settings(batch, {**DEMO_SETTINGS, "settle_before_handover": ["area_differential"]})
    assert settlement_for(_unit(demo_cases.owing)).cleared_for_handover  # only the area differential, paid
    service.set_fee_settings(batch, {**DEMO_SETTINGS, "settle_before_handover": []})
    assert not settlement_for(_unit(demo_cases.owing)).cleared_for_handover  # empty: the whole statement
    with pytest.raises(ValidationFailed):
        service.set_fee_settings(batch, {"settle_before_handover": ["parking"]})
    with pytest.raises(ValidationFailed):
        service.set_fee_settings(batch, {"settle_before_handover": ["deed_tax"]}, unit=_unit(demo_cases.owing))


def test_unpaid_offset_refund_blocks_on_the_other_lines_not_the_area_differential(ctx, world, make_unit):
    unit = make_unit(world.a.batch_id, "402", area="89.37", unit_price="31000.00", measured="88.37",
                     phone="13800000402")
    service.set_fee_settings(db.session.get(Batch, world.a.batch_id), dict(DEMO_SETTINGS))
    s = settlement_for(_unit(unit.id))
    assert s.balance == D("18010.00") and s.offset == D("31000.00") and not s.settled
    assert s.area_differential_settled  # set off in full; nothing to pay out on it
    assert sum(i.owed for i in s.blocking_lines) == D("18010.00")


def test_a_net_refund_is_settled_once_paid_out(ctx, world, make_unit):
    unit = make_unit(world.a.batch_id, "403", measured="98.80", phone="13800000403")  # refund 24,000.00
    s = settlement_for(_unit(unit.id))
    assert s.balance == D("-24000.00") and not s.settled and s.refund_before_handover == D("24000.00")
    pay(unit.id, "24000.00", "TK-403", kind=PaymentKind.REFUND)
    assert settlement_for(_unit(unit.id)).settled


def test_pending_and_returned_statements_are_never_settled(ctx, world, make_unit):
    entitled = make_unit(world.a.batch_id, "404", measured="104.50", phone="13800000404")
    unmeasured = settlement_for(_unit(world.a1.id))
    assert unmeasured.pending and not unmeasured.settled and not unmeasured.area_differential_settled
    assert settlement_for(_unit(entitled.id)).pending  # the buyer may return it: decision first
    service.record_return_decision(_unit(entitled.id), False, actor=_finance())
    returned = settlement_for(_unit(entitled.id))
    assert returned.returned and not returned.settled and not returned.cleared_for_handover


def _finance():
    from handover.accounts.models import User

    return db.session.scalar(sa.select(User).where(User.username == "finance"))


def test_settlement_needs_a_contract(ctx, world):
    unit = _unit(world.a1.id)
    db.session.delete(unit.contract)
    db.session.flush()
    db.session.expire(unit)
    with pytest.raises(ValidationFailed):
        settlement_for(unit)


def test_payment_resent_with_its_idempotency_key_is_recorded_once(ctx, demo_cases):
    heard = []

    def listener(sender, **payload):
        heard.append(payload)

    payment_recorded.connect(listener)
    try:
        first = pay(demo_cases.owing, "100.00", "SK-IDEM-1", idempotency_key="tablet-7-0001")
        db.session.commit()
        again = pay(demo_cases.owing, "100.00", "SK-IDEM-1", idempotency_key="tablet-7-0001")
        db.session.commit()
    finally:
        payment_recorded.disconnect(listener)
    assert again.id == first.id
    assert [(h["payment_id"], h["kind"], h["amount"]) for h in heard] == [(first.id, "payment", "100.00")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)
                             .where(Payment.receipt_no == "SK-IDEM-1")) == 1
    with pytest.raises(Conflict):
        pay(demo_cases.netting, "100.00", "SK-IDEM-2", idempotency_key="tablet-7-0001")


def test_a_payment_resent_at_the_same_moment_is_recorded_once(app, demo_cases):
    """Three resends race (a tablet retrying on a weak signal): one entry, every resend gets it."""
    import threading

    results, errors, barrier = [], [], threading.Barrier(3, timeout=10)

    def send():
        try:
            with app.app_context():
                db.session.commit()  # hold no transaction (nor SQLite's write lock) at the barrier
                barrier.wait(10)
                row = pay(demo_cases.owing, "100.00", "SK-RACE-1", idempotency_key="tablet-9-0001")
                db.session.commit()
                results.append(row.id)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with app.app_context():
        [entry_id] = db.session.scalars(sa.select(Payment.id).where(Payment.receipt_no == "SK-RACE-1")).all()
    assert results == [entry_id] * 3


def test_payment_keeps_when_the_money_moved_but_never_a_future_time(ctx, demo_cases):
    earlier = datetime(2026, 11, 30, 2, 15, tzinfo=UTC)
    assert pay(demo_cases.owing, "1.00", "SK-AT-1", at=earlier).at == earlier
    future = pay(demo_cases.owing, "1.00", "SK-AT-2", at=now_utc() + timedelta(days=3))
    assert future.at <= now_utc()


def test_used_receipt_number_is_a_conflict_on_the_field(ctx, demo_cases):
    with pytest.raises(Conflict) as refused:
        pay(demo_cases.owing, "1.00", "SK-2026-0202")
    assert refused.value.details == [{"field": "receipt_no", "message": "used"}]


def test_conversion_moves_money_inside_the_account(ctx, world, make_unit):
    unit = make_unit(world.a.batch_id, "405", measured="98.80", phone="13800000405")
    refund, payment = service.convert_refund_to_property_fee(_unit(unit.id), D("1000.00"), receipt_no="ZH-405",
                                                             actor=_finance())
    assert (refund.kind, payment.kind) == (PaymentKind.REFUND, PaymentKind.PAYMENT)
    assert settlement_for(_unit(unit.id)).balance == D("-24000.00")
    with pytest.raises(ValidationFailed):
        service.convert_refund_to_property_fee(_unit(unit.id), D("30000.00"), receipt_no="ZH-405b", actor=_finance())


# --- a batch of settlements in a fixed number of queries ------------------------------------------

def _count_queries(run) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def _add_units(batch_id: int, count: int, start: int) -> None:
    from handover.projects.models import Building, Contract, Owner

    building = db.session.scalar(sa.select(Building).where(Building.batch_id == batch_id)) or Building(
        batch_id=batch_id, name="9", sort_key="000009")
    units = []
    for number in range(start, start + count):
        unit = Unit(batch_id=batch_id, building=building, entrance="1", floor=number // 10, room_no=f"{number}",
                    measured_area=D("101.20"))
        owner = Owner(name="业主", phone=f"139{number:08d}")
        db.session.add_all([unit, Contract(unit=unit, number=f"HT-Q-{number}", owner=owner, area=D("100.00"),
                                           unit_price=D("20000.00"))])
        units.append(unit)
    db.session.flush()
    for index, unit in enumerate(units):
        if index % 3 == 0:  # every third one pays its whole balance
            pay(unit.id, str(settlement_for(unit).balance), f"Q-{unit.id}")
    db.session.commit()


def test_batch_settlements_take_the_same_number_of_queries_for_any_batch_size(ctx, world):
    batch_id = world.a.batch_id
    service.set_fee_settings(db.session.get(Batch, batch_id), dict(DEMO_SETTINGS))
    _add_units(batch_id, 5, 1000)
    db.session.expire_all()
    small = _count_queries(lambda: queries.batch_statements(batch_id))
    small_result = queries.batch_statements(batch_id)
    _add_units(batch_id, 60, 2000)
    db.session.expire_all()
    large = _count_queries(lambda: queries.batch_statements(batch_id))
    large_result = queries.batch_statements(batch_id)
    assert len(large_result) == len(small_result) + 60
    assert large == small <= 8, (small, large)
    assert sum(s.settled for s in large_result) == sum(s.settled for s in small_result) + 20 > 20


def test_settlements_for_no_units_asks_nothing(ctx):
    assert _count_queries(lambda: settlements_for([])) == 0


def test_the_service_asks_the_permission_table_who_records_money(ctx, demo_cases):
    """Sales may not record a payment or reverse one, whatever page or client calls the service."""
    sales = db.session.scalar(sa.select(User).where(User.username == "sales"))
    unit = _unit(demo_cases.owing)
    with pytest.raises(NotPermitted):
        service.record_payment(unit, kind=PaymentKind.PAYMENT, amount=D("1.00"), method=PaymentMethod.TRANSFER,
                               receipt_no="SK-NOT-1", actor=sales)
    entry = db.session.scalar(sa.select(Payment).where(Payment.unit_id == unit.id))
    with pytest.raises(NotPermitted):
        service.reverse_payment(entry, receipt_no="SK-NOT-2", actor=sales)
    assert settlement_for(unit).balance == D("62050.12")
