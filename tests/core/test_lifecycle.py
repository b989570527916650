"""The life-cycle kit: transition tables with guards, one "overdue", the time of an act (no database)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from handover.core.errors import TransitionNotAllowed, ValidationFailed
from handover.core.lifecycle import TransitionTable, act_time, is_overdue
from handover.core.timeutil import freeze
from handover.core.types import LabelledEnum


class Door(LabelledEnum):
    SHUT = "shut"
    OPEN = "open"
    LOCKED = "locked"

    __labels__ = {"shut": "Shut", "open": "Open", "locked": "Locked"}


def _needs_key(data):
    return [] if data and data.get("key") else [{"field": "key", "message": "Bring the key."}]


DOOR = TransitionTable("door", {
    (Door.SHUT, "open"): Door.OPEN,
    (Door.OPEN, "shut"): Door.SHUT,
    (Door.SHUT, "lock"): Door.LOCKED,
    (Door.LOCKED, "unlock"): Door.SHUT,
}, labels={"open": "Open the door"}, guards={"unlock": _needs_key},
    refusals={(Door.LOCKED, "open"): "The door is locked: unlock it first."})


def test_the_table_gives_the_next_status_and_what_is_possible():
    assert DOOR.next(Door.SHUT, "open") == Door.OPEN
    assert DOOR.allowed(Door.SHUT) == ["open", "lock"]
    assert DOOR.can(Door.OPEN, "shut") and not DOOR.can(Door.OPEN, "lock")
    assert DOOR.statuses() == set(Door)


def test_an_impossible_move_says_what_is_possible_as_a_list_of_details():
    with pytest.raises(TransitionNotAllowed) as caught:
        DOOR.next(Door.OPEN, "lock")
    assert "lock" in caught.value.message and "Open" in caught.value.message
    assert caught.value.details == [{"field": "action", "message": "Possible now: shut", "status": "open",
                                     "allowed": ["shut"]}]


def test_a_named_refusal_replaces_the_generic_message():
    with pytest.raises(TransitionNotAllowed, match="unlock it first"):
        DOOR.next(Door.LOCKED, "open")


def test_labels_come_from_the_table_then_from_the_value():
    assert DOOR.label("open") == "Open the door"
    assert DOOR.label("shut") == "shut"
    assert DOOR.label(Door.LOCKED) == "Locked"


def test_guards_list_the_problems_and_move_checks_the_table_first():
    assert DOOR.check("open", None) == []  # no guard
    assert DOOR.check("unlock", {}) == [{"field": "key", "message": "Bring the key."}]
    with pytest.raises(ValidationFailed) as caught:
        DOOR.move(Door.LOCKED, "unlock", {})
    assert caught.value.details == [{"field": "key", "message": "Bring the key."}]
    assert DOOR.move(Door.LOCKED, "unlock", {"key": "K1"}) == Door.SHUT
    with pytest.raises(TransitionNotAllowed):  # an impossible move is refused before its guard runs
        DOOR.move(Door.OPEN, "unlock", {})


def test_overdue_is_past_the_due_date_or_time_and_not_done():
    today = date(2026, 12, 10)
    assert is_overdue(date(2026, 12, 9), done=False, today=today)
    assert not is_overdue(date(2026, 12, 10), done=False, today=today)  # due today: not yet
    assert not is_overdue(date(2026, 12, 1), done=True, today=today)
    assert not is_overdue(None, done=False, today=today)
    now = datetime(2026, 12, 10, 8, tzinfo=timezone.utc)
    assert is_overdue(now - timedelta(minutes=1), done=False, now=now)
    assert not is_overdue(now + timedelta(minutes=1), done=False, now=now)


def test_the_time_of_an_act_is_the_clients_never_the_future_and_never_naive():
    now = datetime(2026, 12, 10, 8, tzinfo=timezone.utc)
    with freeze(now):
        assert act_time(None) == now
        earlier = now - timedelta(hours=5)
        assert act_time(earlier) == earlier  # the tablet synced five hours later
        assert act_time(now + timedelta(hours=1)) == now  # a fast tablet clock does not write the future
        with pytest.raises(ValidationFailed) as caught:
            act_time(datetime(2026, 12, 10, 8))
        assert caught.value.details[0]["field"] == "at"
