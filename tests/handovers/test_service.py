"""The handover gate and signing against the database (no HTTP)."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from handover.accounts.models import User
from handover.core.errors import Conflict, NotPermitted, TransitionNotAllowed, ValidationFailed
from handover.core.events import unit_handed_over
from handover.core.timeutil import now_utc
from handover.extensions import db
from handover.fees import service as fees
from handover.handovers import queries, service
from handover.handovers.models import HandoverRecord
from handover.handovers.rules import Condition, Purpose
from handover.projects.models import Unit

ON = date(2026, 12, 1)


def _unit(unit_id):
    return db.session.get(Unit, unit_id)


def _user(name):
    return db.session.scalar(sa.select(User).where(User.username == name))


def test_gate_is_open_once_the_net_is_paid(ctx, demo_cases):
    gate = queries.gate(_unit(demo_cases.netting))
    assert gate.open and gate.conditions == () and gate.message is None


def test_gate_names_the_amount_and_every_line_still_owed(ctx, demo_cases):
    gate = queries.gate(_unit(demo_cases.owing))
    assert not gate.open
    [condition] = gate.conditions
    assert condition.code == "fees_unsettled" and condition.amount == D("62050.12")
    assert [(line.code, line.owed) for line in condition.lines] == [
        ("property_fee", D("1138.75")), ("maintenance_fund", D("9489.60")), ("deed_tax", D("51421.77"))]
    assert "62,050.12" in condition.message and "51,421.77" in condition.message
    [detail] = gate.details()
    assert (detail["field"], detail["code"], detail["amount"], detail["message"]) == (
        "gate", "fees_unsettled", "62050.12", condition.message)
    assert [(line["code"], line["owed"]) for line in detail["lines"]] == [
        ("property_fee", "1138.75"), ("maintenance_fund", "9489.60"), ("deed_tax", "51421.77")]
    assert all(line["label"] for line in detail["lines"])


def test_signing_is_refused_with_every_reason_while_the_gate_is_closed(ctx, demo_cases):
    with pytest.raises(Conflict) as refused:
        service.sign_handover(_unit(demo_cases.owing), on=ON, actor=_user("sales"))
    assert [d["code"] for d in refused.value.details] == ["fees_unsettled"]
    assert refused.value.details[0]["amount"] == "62050.12"
    db.session.rollback()
    assert _unit(demo_cases.owing).handed_over_on is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoverRecord)) == 0


def test_signing_records_who_when_what_and_announces_after_commit(ctx, demo_cases):
    heard = []

    def listener(sender, **payload):
        heard.append(payload)

    unit_handed_over.connect(listener)
    try:
        signed_at = datetime(2026, 12, 1, 3, 30, tzinfo=UTC)
        row = service.sign_handover(_unit(demo_cases.netting), on=ON, actor=_user("sales"), at=signed_at,
                                    items=["keys", "quality_guarantee"], note="业主本人签字")
        assert heard == []  # nothing before the commit
        db.session.commit()
    finally:
        unit_handed_over.disconnect(listener)
    sales = _user("sales")
    assert heard == [{"unit_id": demo_cases.netting, "at": signed_at, "actor_id": sales.id}]
    assert (row.action, row.handed_over_on, row.items, row.note) == ("sign", ON, ["keys", "quality_guarantee"],
                                                                     "业主本人签字")
    assert (row.actor_id, row.actor_name, row.at) == (sales.id, "sales", signed_at)
    unit = _unit(demo_cases.netting)
    assert unit.handed_over_on == ON and service.handed_over_on(unit) == ON
    view = queries.handover_view(unit)
    assert view.record.id == row.id and view.state.value == "handed_over"


def test_a_rolled_back_signing_announces_nothing(ctx, demo_cases):
    heard = []

    def listener(sender, **payload):
        heard.append(payload)

    unit_handed_over.connect(listener)
    try:
        service.sign_handover(_unit(demo_cases.netting), on=ON, actor=_user("sales"))
        db.session.rollback()
        db.session.commit()
    finally:
        unit_handed_over.disconnect(listener)
    assert heard == [] and _unit(demo_cases.netting).handed_over_on is None


def test_signing_twice_is_refused_and_a_resend_signs_once(ctx, demo_cases):
    first = service.sign_handover(_unit(demo_cases.netting), on=ON, actor=_user("sales"), idempotency_key="pad-1")
    db.session.commit()
    again = service.sign_handover(_unit(demo_cases.netting), on=date(2026, 12, 2), actor=_user("sales"),
                                  idempotency_key="pad-1")
    assert again.id == first.id and _unit(demo_cases.netting).handed_over_on == ON
    with pytest.raises(Conflict) as refused:
        service.sign_handover(_unit(demo_cases.netting), on=ON, actor=_user("sales"))
    assert [d["code"] for d in refused.value.details] == ["handed_over"]
    db.session.rollback()
    with pytest.raises(Conflict):  # the same key for another unit is a client bug, not a resend
        service.sign_handover(_unit(demo_cases.owing), on=ON, actor=_user("sales"), idempotency_key="pad-1")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoverRecord)) == 1


def test_a_future_act_time_is_clamped_to_now(ctx, demo_cases):
    row = service.sign_handover(_unit(demo_cases.netting), on=ON, actor=_user("sales"),
                                at=now_utc() + timedelta(days=2))
    assert row.at <= now_utc()


def test_returned_pending_and_contractless_units_each_say_why(ctx, world, make_unit):
    entitled = make_unit(world.a.batch_id, "301", measured="104.50", phone="13800000301")
    fees.record_return_decision(_unit(entitled.id), False, actor=_user("sales"))
    assert [c.code for c in queries.gate(_unit(entitled.id)).conditions] == ["returned"]
    assert [c.code for c in queries.gate(_unit(world.a1.id)).conditions] == ["statement_pending"]
    bare = Unit(batch_id=world.a.batch_id, building_id=_unit(world.a1.id).building_id, entrance="1", floor=9,
                room_no="909")
    db.session.add(bare)
    db.session.flush()
    assert [c.code for c in queries.gate(bare).conditions] == ["no_contract"]


def test_every_unmet_condition_is_listed_and_keys_ignore_the_signing(ctx, demo_cases):
    unit = _unit(demo_cases.owing)
    unit.handed_over_on = ON  # as if signed before the statement changed (an old import)
    assert [c.code for c in queries.gate(unit).conditions] == ["handed_over", "fees_unsettled"]
    assert [c.code for c in queries.gate(unit, Purpose.KEYS).conditions] == ["fees_unsettled"]
    assert "62,050.12" in queries.key_refusal(unit)
    assert queries.key_refusal(_unit(demo_cases.netting)) is None


def test_a_new_condition_registers_once_and_every_gate_shows_it(ctx, demo_cases):
    @queries.gate_check(Purpose.SIGN)
    def walk_through(unit):
        return [Condition("walk_through", "The walk-through is not done.")]

    try:
        unit = _unit(demo_cases.netting)
        assert [c.code for c in queries.gate(unit).conditions] == ["walk_through"]
        assert queries.gate(unit, Purpose.KEYS).open
        with pytest.raises(Conflict):
            service.sign_handover(unit, on=ON, actor=_user("sales"))
    finally:
        queries.remove_gate_check(walk_through)
    assert queries.gate(_unit(demo_cases.netting)).open
    db.session.rollback()


def test_correction_and_revocation_append_and_never_rewrite(ctx, demo_cases):
    unit = _unit(demo_cases.netting)
    signed = service.sign_handover(unit, on=ON, actor=_user("sales"), items=["keys"])
    with pytest.raises(ValidationFailed):
        service.correct_handover(unit, on=date(2026, 11, 30), actor=_user("manager"), note=" ")
    corrected = service.correct_handover(unit, on=date(2026, 11, 30), actor=_user("manager"), note="录错日期")
    assert unit.handed_over_on == date(2026, 11, 30) and corrected.items == ["keys"]
    revoked = service.revoke_handover(unit, actor=_user("manager"), note="签错房号")
    db.session.commit()
    assert unit.handed_over_on is None
    history = queries.history(unit.id)
    assert [(r.action, r.handed_over_on) for r in history] == [
        ("sign", ON), ("correct", date(2026, 11, 30)), ("revoke", None)]
    assert history[0].id == signed.id and history[0].handed_over_on == ON and revoked.note == "签错房号"
    assert queries.handover_view(unit).record is None
    with pytest.raises(TransitionNotAllowed):
        service.revoke_handover(unit, actor=_user("manager"), note="again")
    db.session.rollback()
    again = service.sign_handover(_unit(demo_cases.netting), on=date(2026, 12, 3), actor=_user("sales"))
    assert again.action == "sign" and _unit(demo_cases.netting).handed_over_on == date(2026, 12, 3)


def test_unknown_items_and_a_missing_date_are_refused(ctx, demo_cases):
    with pytest.raises(ValidationFailed) as bad:
        service.sign_handover(_unit(demo_cases.netting), on=ON, actor=_user("sales"), items=["parking_card"])
    assert bad.value.details[0]["field"] == "items"
    with pytest.raises(ValidationFailed):
        service.sign_handover(_unit(demo_cases.netting), on=None, actor=_user("sales"))


@pytest.mark.parametrize("same_key", [True, False], ids=["resends", "two_signers"])
def test_signing_at_the_same_moment_signs_once(app, demo_cases, same_key):
    import threading

    results, errors, barrier = [], [], threading.Barrier(3, timeout=10)

    def sign(number):
        try:
            with app.app_context():
                actor = _user("sales")
                db.session.commit()  # hold no transaction (nor SQLite's write lock) at the barrier
                barrier.wait(10)
                try:
                    row = service.sign_handover(_unit(demo_cases.netting), on=ON, actor=actor,
                                                idempotency_key="pad-9" if same_key else f"pad-{number}")
                    db.session.commit()
                    results.append(row.id)
                except Conflict:
                    db.session.rollback()
                    results.append("refused")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=sign, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with app.app_context():
        [record_id] = db.session.scalars(sa.select(HandoverRecord.id)).all()
    assert results.count(record_id) == (3 if same_key else 1)
    assert results.count("refused") == (0 if same_key else 2)


def test_the_service_asks_the_permission_table_who_signs_and_who_revokes(ctx, demo_cases):
    """Finance may not sign; sales sign but may not correct or revoke (the managers' call)."""
    with pytest.raises(NotPermitted):
        service.sign_handover(_unit(demo_cases.netting), on=ON, actor=_user("finance"))
    service.sign_handover(_unit(demo_cases.netting), on=ON, actor=_user("sales"))
    with pytest.raises(NotPermitted):
        service.correct_handover(_unit(demo_cases.netting), on=date(2026, 11, 30), actor=_user("sales"), note="录错")
    with pytest.raises(NotPermitted):
        service.revoke_handover(_unit(demo_cases.netting), actor=_user("sales"), note="签错")
    assert [row.action for row in queries.history(demo_cases.netting)] == ["sign"]
