"""Domain events: announced by services, heard only after the commit, never after a rollback,
and a failing listener never undoes or breaks the act."""
from contextlib import contextmanager
from datetime import timedelta

import pytest

from handover.accounts.models import User
from handover.core.events import defect_status_changed, pending
from handover.core.timeutil import today_local
from handover.defects import rules, service
from handover.defects.models import Defect, DefectStatus
from handover.extensions import db


@contextmanager
def listening(signal, receiver=None):
    heard = []

    def hear(sender, **payload):
        heard.append(payload)

    target = receiver or hear
    signal.connect(target)
    try:
        yield heard
    finally:
        signal.disconnect(target)


def _assign(app, world, defect_id):
    actor = db.session.get(User, world.users["engineering"])
    defect = db.session.get(Defect, defect_id)
    service.transition(defect, rules.TransitionInput("assign", contractor_id=world.contractor_id,
                                                     due_date=today_local() + timedelta(days=3)), actor=actor)
    return actor


def test_a_listener_hears_the_change_only_after_the_commit(app, world, record):
    defect_id = record()
    with app.test_request_context(), listening(defect_status_changed) as heard:
        actor_id = _assign(app, world, defect_id).id
        assert heard == []  # flushed, not committed: nobody has heard yet
        assert len(pending(db.session())) == 1
        db.session.commit()
        assert len(heard) == 1
    news = heard[0]
    assert (news["defect_id"], news["from"], news["to"], news["action"], news["actor_id"]) == \
        (defect_id, "open", "assigned", "assign", actor_id)
    assert news["at"].tzinfo is not None


def test_a_rolled_back_act_announces_nothing(app, world, record):
    defect_id = record()
    with app.test_request_context(), listening(defect_status_changed) as heard:
        _assign(app, world, defect_id)
        db.session.rollback()
        assert pending(db.session()) == []
        db.session.commit()  # a later commit of the same session does not send the dropped news
        assert heard == []
        assert db.session.get(Defect, defect_id).status == DefectStatus.OPEN


def test_a_refused_act_in_a_request_announces_nothing(app, world, record, api):
    defect_id = record()
    api.token("engineering")
    with listening(defect_status_changed) as heard:
        refused = api.post(f"/api/v1/defects/{defect_id}/transitions", json={"action": "verify"})
        assert refused.status_code == 409
        assert heard == []


def test_a_failing_listener_does_not_break_the_request(app, world, record, api, caplog):
    defect_id = record()

    def broken(sender, **payload):
        raise RuntimeError("the SMS gateway is down")

    api.token("engineering")
    due = (today_local() + timedelta(days=3)).isoformat()
    with listening(defect_status_changed, broken), listening(defect_status_changed) as heard:
        response = api.post(f"/api/v1/defects/{defect_id}/transitions",
                            json={"action": "assign", "contractor_id": world.contractor_id, "due_date": due})
    assert response.status_code == 200 and response.get_json()["status"] == "assigned"
    assert [n["to"] for n in heard] == ["assigned"]  # the other listeners still hear it
    assert "the SMS gateway is down" in caplog.text
    with app.app_context():
        assert db.session.get(Defect, defect_id).status == DefectStatus.ASSIGNED


@pytest.mark.parametrize("savepoint_fails", [True, False])
def test_a_rolled_back_savepoint_keeps_the_news_of_the_outer_transaction(app, world, record, savepoint_fails):
    defect_id = record()
    with app.test_request_context(), listening(defect_status_changed) as heard:
        _assign(app, world, defect_id)
        nested = db.session.begin_nested()
        if savepoint_fails:
            nested.rollback()
        else:
            nested.commit()
        db.session.commit()
    assert [n["to"] for n in heard] == ["assigned"]


def test_news_announced_inside_a_rolled_back_savepoint_is_dropped(app, world, record):
    first, second = record(), record()
    with app.test_request_context(), listening(defect_status_changed) as heard:
        _assign(app, world, first)
        with pytest.raises(RuntimeError):
            with db.session.begin_nested():
                _assign(app, world, second)
                raise RuntimeError("the rest of this step failed")
        assert [p["defect_id"] for _signal, p in pending(db.session())] == [first]
        with db.session.begin_nested():  # a released savepoint keeps its news
            _assign(app, world, second)
        db.session.commit()
    assert [n["defect_id"] for n in heard] == [first, second]


def test_releasing_a_savepoint_is_not_the_commit(app, world, record):
    """SQLAlchemy calls after_commit for a released savepoint too: the news waits for the real commit
    (a listener that wrote in its own transaction then waited for the write lock its own thread held)."""
    defect_id = record()
    with app.test_request_context(method="POST"), listening(defect_status_changed) as heard:
        with db.session.begin_nested():
            _assign(app, world, defect_id)
        assert heard == []
        db.session.commit()
        assert len(heard) == 1
