"""The key custody table and the replay that derives holder and status (no database)."""
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from handover.core.errors import TransitionNotAllowed
from handover.keys import rules
from handover.keys.models import KeyEventType as E
from handover.keys.models import KeyStatus as S

ALLOWED = {
    (S.WITH_CONTRACTOR, E.RECEIVED), (S.IN_OFFICE, E.CHECKED), (S.IN_OFFICE, E.LENT), (S.ON_LOAN, E.RETURNED),
    (S.IN_OFFICE, E.HANDED_TO_OWNER), (S.WITH_OWNER, E.ENTRUSTED), (S.ENTRUSTED, E.CHECKED),
    (S.ENTRUSTED, E.LENT), (S.ENTRUSTED_ON_LOAN, E.RETURNED), (S.ENTRUSTED, E.RETURNED_TO_OWNER),
} | {(s, E.LOST) for s in S if s not in (S.LOST, S.RETIRED)} | {(s, E.LOCK_CHANGED) for s in S if s != S.RETIRED}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("event", list(E))
def test_every_pair_of_the_table(status, event):
    if (status, event) in ALLOWED:
        rules.KEY.next(status, event)
    else:
        with pytest.raises(TransitionNotAllowed):
            rules.KEY.next(status, event)


def test_the_named_refusals_say_why():
    with pytest.raises(TransitionNotAllowed, match="loan"):
        rules.KEY.next(S.ON_LOAN, E.LENT)
    with pytest.raises(TransitionNotAllowed, match="loan"):
        rules.KEY.next(S.ON_LOAN, E.HANDED_TO_OWNER)
    with pytest.raises(TransitionNotAllowed, match="entrustment"):
        rules.KEY.next(S.WITH_OWNER, E.RETURNED_TO_OWNER)


def test_the_guards_list_every_missing_piece():
    assert rules.KEY.check(E.LENT, rules.KeyAct(E.LENT)) == [
        {"field": "to", "message": "Say who the key goes to or comes from."}]
    problems = rules.KEY.check(E.HANDED_TO_OWNER, rules.KeyAct(E.HANDED_TO_OWNER, unit_key=False))
    assert [p["field"] for p in problems] == ["to", "signature", "type"]
    assert [p["field"] for p in rules.KEY.check(E.CHECKED, rules.KeyAct(E.CHECKED))] == ["result"]
    assert rules.KEY.check(E.ENTRUSTED, rules.KeyAct(E.ENTRUSTED, "张伟", signed=True)) == []


def _event(type_, to="", day=date(2026, 12, 18)):
    return SimpleNamespace(action=type_, counterparty=to, local_day=day,
                           at=datetime(2026, 12, 18, 2, tzinfo=timezone.utc))


def test_replay_gives_exactly_one_holder_at_each_step():
    events = [_event(E.RECEIVED, "总包 孙工"), _event(E.CHECKED), _event(E.LENT, "保洁 李阿姨"),
              _event(E.RETURNED, "保洁 李阿姨"), _event(E.HANDED_TO_OWNER, "张伟"), _event(E.ENTRUSTED, "张伟"),
              _event(E.LENT, "维修 王师傅")]
    expected = [(S.IN_OFFICE, rules.OFFICE), (S.IN_OFFICE, rules.OFFICE), (S.ON_LOAN, "保洁 李阿姨"),
                (S.IN_OFFICE, rules.OFFICE), (S.WITH_OWNER, "张伟"), (S.ENTRUSTED, f"{rules.OFFICE}（代业主保管）"),
                (S.ENTRUSTED_ON_LOAN, "维修 王师傅")]
    for n, (status, holder) in enumerate(expected, start=1):
        state = rules.replay(events[:n])
        assert (state.status, state.holder) == (status, holder)
    assert rules.replay(events).lent_on == date(2026, 12, 18)


def test_loans_are_overdue_after_the_day_they_were_lent():
    assert not rules.is_overdue(S.ON_LOAN, date(2026, 12, 18), date(2026, 12, 18))
    assert rules.is_overdue(S.ON_LOAN, date(2026, 12, 18), date(2026, 12, 19))
    assert rules.is_overdue(S.ENTRUSTED_ON_LOAN, date(2026, 12, 18), date(2026, 12, 19))
    assert not rules.is_overdue(S.IN_OFFICE, date(2026, 12, 18), date(2026, 12, 19))
