"""Risk rules without a database: every pair of the life-cycle table, guards, the second person,
the 20-day transfer rule and the self-check's progress."""
from datetime import date

import pytest

from handover.core.errors import TransitionNotAllowed
from handover.risks import rules
from handover.risks.models import CheckAnswer, RiskCategory, RiskSeverity, RiskStatus

S = RiskStatus
ALLOWED = {
    (S.OPEN, "plan"): S.PLANNED, (S.PLANNED, "plan"): S.PLANNED, (S.PLANNED, "resolve"): S.RESOLVED,
    (S.OPEN, "accept"): S.ACCEPTED, (S.PLANNED, "accept"): S.ACCEPTED,
    (S.RESOLVED, "reopen"): S.OPEN, (S.ACCEPTED, "reopen"): S.OPEN,
}
ACTIONS = ("plan", "resolve", "accept", "reopen")


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", ACTIONS)
def test_every_pair_of_the_table(app, status, action):
    with app.test_request_context():
        if (status, action) in ALLOWED:
            assert rules.RISK.next(status, action) == ALLOWED[(status, action)]
            assert action in rules.RISK.allowed(status)
        else:
            with pytest.raises(TransitionNotAllowed) as refused:
                rules.RISK.next(status, action)
            assert refused.value.status == 409
            assert isinstance(refused.value.details, list) and refused.value.details[0]["field"] == "action"
            assert action not in rules.RISK.allowed(status)


def test_the_table_knows_exactly_the_four_statuses():
    assert rules.RISK.statuses() == set(S)


def _fields(problems):
    return {p["field"] for p in problems}


def test_plan_needs_plan_owner_and_a_deadline_not_in_the_past(app):
    with app.test_request_context():
        assert _fields(rules.RISK.check("plan", rules.RiskAct("plan"))) == {"plan", "plan_owner", "due_date"}
        past = rules.RiskAct("plan", plan="补做", plan_owner="工程部", due_date=date(2026, 1, 1),
                             today=date(2026, 2, 1))
        assert _fields(rules.RISK.check("plan", past)) == {"due_date"}
        ok = rules.RiskAct("plan", plan="补做", plan_owner="工程部", due_date=date(2026, 3, 1), today=date(2026, 2, 1))
        assert rules.RISK.check("plan", ok) == []


def test_accept_needs_statement_and_compensation_plan(app):
    with app.test_request_context():
        assert _fields(rules.RISK.check("accept", rules.RiskAct("accept"))) == {"statement", "compensation_plan"}
        assert _fields(rules.RISK.check("accept", rules.RiskAct("accept", statement="说辞"))) == {"compensation_plan"}
        assert rules.RISK.check("accept", rules.RiskAct("accept", statement="说辞", compensation_plan="赔偿")) == []


def test_resolve_needs_a_note_or_evidence_and_reopen_a_reason(app):
    with app.test_request_context():
        assert _fields(rules.RISK.check("resolve", rules.RiskAct("resolve"))) == {"note"}
        assert rules.RISK.check("resolve", rules.RiskAct("resolve", evidence_count=1)) == []
        assert _fields(rules.RISK.check("reopen", rules.RiskAct("reopen"))) == {"note"}


def test_the_approver_is_a_second_person(app):
    with app.test_request_context():
        assert rules.second_person_problems(5, reporter_id=5, proposer_id=None)
        assert rules.second_person_problems(5, reporter_id=3, proposer_id=5)
        assert rules.second_person_problems(5, reporter_id=3, proposer_id=4) == []
        assert rules.second_person_problems(5, reporter_id=None, proposer_id=None) == []


def test_only_undecided_unoverridden_blocking_risks_block():
    assert rules.is_blocking_open(RiskSeverity.BLOCKING, S.OPEN, False)
    assert rules.is_blocking_open(RiskSeverity.BLOCKING, S.PLANNED, False)
    assert not rules.is_blocking_open(RiskSeverity.BLOCKING, S.PLANNED, True)
    assert not rules.is_blocking_open(RiskSeverity.BLOCKING, S.RESOLVED, False)
    assert not rules.is_blocking_open(RiskSeverity.BLOCKING, S.ACCEPTED, False)
    assert not rules.is_blocking_open(RiskSeverity.HIGH, S.OPEN, False)


def test_transfer_is_due_20_days_before_the_window():
    window = date(2099, 6, 21)
    assert rules.latest_transfer_date(window) == date(2099, 6, 1)
    assert not rules.is_transfer_late(date(2099, 6, 1), window)  # 20 days exactly is in time
    assert rules.is_transfer_late(date(2099, 6, 2), window)
    assert not rules.is_transfer_late(date(2099, 6, 2), None)


def test_category_progress_counts_answers_and_risks_per_category():
    progress = rules.category_progress({"A1": CheckAnswer.OK, "A2": CheckAnswer.RISK, "A3": CheckAnswer.NOT_APPLICABLE,
                                        "A4": CheckAnswer.OK, "B1": CheckAnswer.OK})
    assert progress[RiskCategory.A] == {"answered": 4, "total": 4, "risks_found": 1, "checked": True}
    assert progress[RiskCategory.B]["checked"] is False and progress[RiskCategory.B]["answered"] == 1
    assert set(progress) == set(RiskCategory)
    assert all(rules.questions_of(c) for c in RiskCategory), "every category has questions"
