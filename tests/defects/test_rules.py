"""The defect life cycle table, guards, overdue and warranty rules (no database)."""
from datetime import date
from types import SimpleNamespace

import pytest

from handover.accounts.models import Role
from handover.core.errors import TransitionNotAllowed, ValidationFailed
from handover.defects import rules
from handover.defects.models import DefectStatus
from handover.inspections.models import WarrantyClass

ACTIONS = ["assign", "fix", "verify", "reject", "unfixable", "dispute"]
EXPECTED = {
    ("open", "assign"): "assigned", ("assigned", "assign"): "assigned", ("assigned", "fix"): "fixed",
    ("fixed", "verify"): "verified", ("fixed", "reject"): "assigned", ("open", "unfixable"): "unfixable",
    ("assigned", "unfixable"): "unfixable", ("fixed", "unfixable"): "unfixable", ("verified", "dispute"): "fixed",
}


@pytest.mark.parametrize("status", list(DefectStatus))
@pytest.mark.parametrize("action", ACTIONS)
def test_every_pair_of_the_table(status, action):
    expected = EXPECTED.get((status.value, action))
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            rules.DEFECT.next(status, action)
    else:
        assert rules.DEFECT.next(status, action) == DefectStatus(expected)


def test_closed_defects_allow_nothing_but_an_owner_dispute():
    assert rules.DEFECT.allowed(DefectStatus.VERIFIED) == ["dispute"]
    assert rules.DEFECT.allowed(DefectStatus.UNFIXABLE) == []


def test_buttons_depend_on_role():
    def someone(role):
        return SimpleNamespace(role=Role(role))

    assert rules.actions_for(DefectStatus.ASSIGNED, someone("contractor")) == ["fix"]
    assert rules.actions_for(DefectStatus.FIXED, someone("contractor")) == []
    assert set(rules.actions_for(DefectStatus.FIXED, someone("engineering"))) == {"verify", "reject", "unfixable"}
    assert rules.actions_for(DefectStatus.VERIFIED, someone("owner")) == ["dispute"]
    assert rules.actions_for(DefectStatus.OPEN, None) == []


def test_assign_needs_contractor_and_a_future_due_date():
    today = date(2026, 12, 1)
    with pytest.raises(ValidationFailed) as caught:
        rules.check_guards("assign", rules.TransitionInput("assign"), after_photos=0, today=today)
    assert {d["field"] for d in caught.value.details} == {"contractor_id", "due_date"}
    with pytest.raises(ValidationFailed):
        rules.check_guards("assign", rules.TransitionInput("assign", 1, date(2026, 11, 30)), after_photos=0,
                           today=today)
    rules.check_guards("assign", rules.TransitionInput("assign", 1, today), after_photos=0, today=today)


def test_fix_needs_an_after_photo():
    with pytest.raises(ValidationFailed):
        rules.check_guards("fix", rules.TransitionInput("fix"), after_photos=0, today=date(2026, 1, 1))
    rules.check_guards("fix", rules.TransitionInput("fix"), after_photos=1, today=date(2026, 1, 1))


def test_unfixable_needs_statement_and_compensation_plan():
    with pytest.raises(ValidationFailed) as caught:
        rules.check_guards("unfixable", rules.TransitionInput("unfixable", statement=" "), after_photos=0,
                           today=date(2026, 1, 1))
    assert {d["field"] for d in caught.value.details} == {"statement", "compensation_plan"}


def test_overdue_is_past_due_and_not_closed():
    today = date(2026, 12, 10)
    assert rules.is_overdue(DefectStatus.ASSIGNED, date(2026, 12, 9), today)
    assert rules.is_overdue(DefectStatus.FIXED, date(2026, 12, 9), today)
    assert not rules.is_overdue(DefectStatus.ASSIGNED, date(2026, 12, 10), today)
    assert not rules.is_overdue(DefectStatus.VERIFIED, date(2026, 12, 1), today)
    assert not rules.is_overdue(DefectStatus.OPEN, None, today)


def test_warranty_periods_run_from_the_handover_date():
    handed = date(2026, 12, 20)
    assert rules.warranty_ends_on(WarrantyClass.WATERPROOFING, handed) == date(2031, 12, 19)
    assert rules.warranty_ends_on(WarrantyClass.INSTALLATION, handed) == date(2028, 12, 19)
    assert rules.is_under_warranty(WarrantyClass.INSTALLATION, handed, date(2028, 12, 19))
    assert not rules.is_under_warranty(WarrantyClass.INSTALLATION, handed, date(2028, 12, 20))
    assert rules.is_under_warranty(WarrantyClass.WATERPROOFING, handed, date(2030, 1, 1))
    assert rules.is_under_warranty(WarrantyClass.INSTALLATION, None, date(2027, 1, 1)) is None
    assert rules.is_under_warranty(WarrantyClass.INSTALLATION, handed, date(2026, 12, 19)) is None  # not yet
