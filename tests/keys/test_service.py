"""Key use cases against the database (no HTTP): the custody rules, race-free lending, the time
of an act, idempotent resends and the news they announce."""
import threading
import uuid
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from handover.accounts.models import User
from handover.core.errors import Conflict, DomainError, NotPermitted, TransitionNotAllowed, ValidationFailed
from handover.core.events import key_event_recorded, key_returned_to_owner
from handover.core.timeutil import freeze, local_tz, now_utc, to_local, today_local
from handover.extensions import db
from handover.keys import queries, rules, service
from handover.keys.models import Key, KeyEvent, KeyEventType, KeyKind, KeyStatus
from handover.projects.models import Batch
from tests.core.test_events import listening
from tests.fixtures.keys import signature_png

E = KeyEventType


def _user(name="property") -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def _act(key_id, type_, *, actor="property", at=None, idempotency_key=None, **values):
    key = db.session.get(Key, key_id)
    return service.record_key_event(key, service.KeyEventInput(type=E(type_), **values), actor=_user(actor), at=at,
                                    idempotency_key=idempotency_key)


def _events(key_id) -> list[KeyEvent]:
    return list(db.session.scalars(sa.select(KeyEvent).where(KeyEvent.key_id == key_id).order_by(KeyEvent.id)))


def test_a_key_goes_from_the_contractor_to_the_owner_and_back_with_one_holder_at_every_step(ctx, keys,
                                                                                             settled_unit):
    key = keys.create(settled_unit.id)
    steps = [("received", {"counterparty": "总包 孙工"}), ("checked", {"result_ok": True}),
             ("lent", {"counterparty": "保洁 李阿姨"}), ("returned", {"counterparty": "保洁 李阿姨"}),
             ("handed_to_owner", {"counterparty": "赵敏", "signature": signature_png(1)}),
             ("entrusted", {"counterparty": "赵敏", "signature": signature_png(2)}),
             ("lent", {"counterparty": "维修 王师傅"}), ("returned", {"counterparty": "维修 王师傅"}),
             ("returned_to_owner", {"counterparty": "赵敏", "signature": signature_png(3)})]
    for type_, values in steps:
        _act(key.id, type_, **values)
        row = db.session.get(Key, key.id)
        state = rules.replay(row.events)
        assert (row.status, row.holder) == (state.status, state.holder)  # the cache is the replay
    db.session.commit()
    history = [(e.action, e.from_status, e.to_status) for e in _events(key.id)]
    assert history[0] == (E.RECEIVED, KeyStatus.WITH_CONTRACTOR, KeyStatus.IN_OFFICE)
    assert history[-1] == (E.RETURNED_TO_OWNER, KeyStatus.ENTRUSTED, KeyStatus.WITH_OWNER)
    assert all(before.to_status == after.from_status for before, after in zip(_events(key.id), _events(key.id)[1:]))
    assert db.session.get(Key, key.id).holder == "赵敏"
    assert all(e.signature_path for e in _events(key.id) if e.action in rules.SIGNED_EVENTS)


def test_a_refused_event_writes_nothing(ctx, keys, settled_unit):
    key = keys.received(settled_unit.id)
    _act(key.id, "lent", counterparty="保洁 李阿姨")
    db.session.commit()
    with force_locale("en"), pytest.raises(TransitionNotAllowed, match="returned before it can be lent again"):
        _act(key.id, "lent", counterparty="维修 王师傅")
    with force_locale("en"), pytest.raises(TransitionNotAllowed, match="cannot be handed to the owner"):
        _act(key.id, "handed_to_owner", counterparty="赵敏", signature=signature_png())
    db.session.rollback()
    row = db.session.get(Key, key.id)
    assert (row.status, row.holder, len(row.events)) == (KeyStatus.ON_LOAN, "保洁 李阿姨", 2)


def test_missing_pieces_are_listed_together(ctx, keys, settled_unit):
    key = keys.received(settled_unit.id)
    with pytest.raises(ValidationFailed) as caught:
        _act(key.id, "handed_to_owner")
    assert [d["field"] for d in caught.value.details] == ["to", "signature"]
    with pytest.raises(ValidationFailed) as caught:
        _act(key.id, "checked")
    assert [d["field"] for d in caught.value.details] == ["result"]
    db.session.rollback()
    assert len(_events(key.id)) == 1


def test_public_room_keys_never_go_to_owners(ctx, keys, world):
    batch = db.session.get(Batch, world.a.batch_id)
    key = service.create_key(batch, kind=KeyKind.PLANT_ROOM, label="3 号楼 水泵房")
    _act(key.id, "received", counterparty="总包")
    with pytest.raises(ValidationFailed) as caught:
        _act(key.id, "handed_to_owner", counterparty="赵敏", signature=signature_png())
    assert [d["field"] for d in caught.value.details] == ["type"]


def test_a_unit_that_may_not_be_handed_over_keeps_its_keys(ctx, keys, world):
    key = keys.received(world.a1.id)  # 张伟's unit: nothing measured, nothing paid
    with pytest.raises(DomainError):
        _act(key.id, "handed_to_owner", counterparty="张伟", signature=signature_png())
    db.session.rollback()
    assert db.session.get(Key, key.id).status == KeyStatus.IN_OFFICE


def test_two_people_lending_the_same_key_at_once_exactly_one_wins(app, keys, settled_unit):
    key = keys.received(settled_unit.id)
    barrier, outcomes = threading.Barrier(2, timeout=10), []

    def lend(who):
        with app.test_request_context(method="POST"):
            try:
                actor = _user()
                db.session.commit()  # hold no transaction (nor SQLite's write lock) at the barrier
                barrier.wait()
                found = queries.get_key(actor, key.id, for_update=True)
                service.record_key_event(found, service.KeyEventInput(E.LENT, counterparty=who), actor=actor)
                db.session.commit()
                outcomes.append("lent")
            except (TransitionNotAllowed, Conflict) as refused:
                db.session.rollback()
                outcomes.append(type(refused).__name__)

    threads = [threading.Thread(target=lend, args=(who,)) for who in ("保洁 李阿姨", "维修 王师傅")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert min(outcomes) in ("Conflict", "TransitionNotAllowed") and outcomes.count("lent") == 1
    with app.app_context():
        assert [e.action for e in _events(key.id)] == [E.RECEIVED, E.LENT]


def test_a_loan_recorded_later_counts_from_when_it_happened(ctx, keys, settled_unit):
    key = keys.received(settled_unit.id)
    yesterday_noon = datetime.combine(today_local() - timedelta(days=1), time(12), tzinfo=local_tz())
    event = _act(key.id, "lent", counterparty="装修队", at=yesterday_noon)
    db.session.commit()
    assert event.at == yesterday_noon and event.recorded_at > event.at
    row = db.session.get(Key, key.id)
    assert row.due_back_on == today_local() - timedelta(days=1)
    assert rules.is_overdue(row.status, row.due_back_on, today_local())  # it should have been back last night
    assert queries.overdue_count(_user(), row.batch_id) == 1


def test_a_time_in_the_future_is_taken_as_now(ctx, keys, settled_unit):
    key = keys.received(settled_unit.id)
    now = now_utc()
    with freeze(now):
        event = _act(key.id, "checked", result_ok=True, at=now + timedelta(hours=2))
    assert event.at == now


def test_a_resent_event_returns_the_first_and_records_nothing_more(ctx, keys, settled_unit):
    key = keys.received(settled_unit.id)
    request_key = str(uuid.uuid4())
    first = _act(key.id, "lent", counterparty="保洁 李阿姨", idempotency_key=request_key)
    db.session.commit()
    again = _act(key.id, "lent", counterparty="保洁 李阿姨", idempotency_key=request_key)
    assert again.id == first.id
    _act(key.id, "returned", counterparty="保洁 李阿姨")
    db.session.commit()
    late = _act(key.id, "lent", counterparty="保洁 李阿姨", idempotency_key=request_key)  # after the return
    assert late.id == first.id and db.session.get(Key, key.id).status == KeyStatus.IN_OFFICE
    assert [e.action for e in _events(key.id)] == [E.RECEIVED, E.LENT, E.RETURNED]


def test_an_idempotency_key_belongs_to_one_act(ctx, keys, settled_unit, make_unit, world):
    one, other = keys.received(settled_unit.id), keys.received(world.a2.id)
    request_key = str(uuid.uuid4())
    _act(one.id, "lent", counterparty="保洁", idempotency_key=request_key)
    db.session.commit()
    with pytest.raises(Conflict):
        _act(other.id, "lent", counterparty="保洁", idempotency_key=request_key)
    with pytest.raises(ValidationFailed):
        _act(other.id, "lent", counterparty="保洁", idempotency_key="x" * 81)


def test_concurrent_resends_record_one_event(app, keys, settled_unit):
    key = keys.received(settled_unit.id)
    request_key, barrier, results = str(uuid.uuid4()), threading.Barrier(3, timeout=10), []

    def send():
        with app.test_request_context(method="POST"):
            actor = _user()
            db.session.commit()
            barrier.wait()
            found = queries.get_key(actor, key.id, for_update=True)
            event = service.record_key_event(found, service.KeyEventInput(E.LENT, counterparty="保洁"), actor=actor,
                                             idempotency_key=request_key)
            db.session.commit()
            results.append(event.id)

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 3 and len(set(results)) == 1
    with app.app_context():
        assert [e.action for e in _events(key.id)] == [E.RECEIVED, E.LENT]


def test_events_are_announced_after_the_commit_and_a_replay_announces_nothing(ctx, keys, settled_unit):
    key = keys.create(settled_unit.id)
    with listening(key_event_recorded) as recorded, listening(key_returned_to_owner) as returned:
        _act(key.id, "received", counterparty="总包")
        _act(key.id, "handed_to_owner", counterparty="赵敏", signature=signature_png(1))
        _act(key.id, "entrusted", counterparty="赵敏", signature=signature_png(2))
        assert recorded == []
        db.session.commit()
        assert [(n["action"], n["from"], n["to"]) for n in recorded] == [
            ("received", "with_contractor", "in_office"), ("handed_to_owner", "in_office", "with_owner"),
            ("entrusted", "with_owner", "entrusted")]
        assert returned == []
        back = _act(key.id, "returned_to_owner", counterparty="赵敏", signature=signature_png(3),
                    idempotency_key="return-1")
        db.session.commit()
        _act(key.id, "returned_to_owner", counterparty="赵敏", signature=signature_png(3), idempotency_key="return-1")
        db.session.commit()
    assert returned == [{"key_id": key.id, "unit_id": settled_unit.id, "at": back.at}]
    assert len(recorded) == 4 and recorded[-1]["event_id"] == back.id
    assert to_local(back.at).date() == today_local()


def test_another_persons_idempotency_key_is_not_their_answer(ctx, keys, settled_unit, make_user, world):
    make_user("property_2", "property", [world.a.id])
    key = keys.received(settled_unit.id)
    _act(key.id, "lent", counterparty="保洁", idempotency_key="shared-key")
    db.session.commit()
    with pytest.raises(Conflict):
        _act(key.id, "lent", counterparty="保洁", idempotency_key="shared-key", actor="property_2")


def test_the_service_asks_the_permission_table_for_each_event(ctx, keys, settled_unit):
    """Finance keeps no keys: the service refuses them whatever page or client calls it."""
    key = keys.create(settled_unit.id)
    with pytest.raises(NotPermitted):
        _act(key.id, "received", actor="finance", counterparty="总包 孙工")
    db.session.rollback()
    assert _events(key.id) == [] and db.session.get(Key, key.id).status == KeyStatus.WITH_CONTRACTOR
