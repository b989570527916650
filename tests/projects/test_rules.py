"""Pure checks an import warns about: prices that contradict each other, areas too far apart."""
from decimal import Decimal as D

import pytest

from handover.projects import rules


@pytest.mark.parametrize("area, unit_price, total, expected", [
    (D("118.52"), D("30500"), D("1530000"), D("2084860.00")),   # the case: ¥2.08M apart
    (D("100.00"), D("20000"), D("1999998.99"), D("1.01")),       # just over a yuan
    (D("100.00"), D("20000"), D("2000001.00"), None),            # exactly a yuan: rounding, fine
    (D("100.00"), D("20000"), D("1999999.50"), None),
    (D("100.00"), D("20000"), None, None),                       # one price only: nothing to compare
    (D("100.00"), None, D("1530000"), None),
])
def test_price_disagreement(area, unit_price, total, expected):
    assert rules.price_disagreement(area, unit_price, total) == expected


@pytest.mark.parametrize("contract, measured, threshold, flagged", [
    (D("118.52"), D("77.04"), D("0.03"), True),     # 35 % below
    (D("100.00"), D("106.01"), D("0.03"), True),    # just over 6 %
    (D("100.00"), D("106.00"), D("0.03"), False),   # exactly twice the threshold is allowed
    (D("100.00"), D("94.00"), D("0.03"), False),
    (D("100.00"), D("93.99"), D("0.03"), True),
    (D("100.00"), D("109.00"), D("0.05"), False),   # the contract's own threshold counts
    (D("100.00"), None, D("0.03"), False),          # not measured yet
])
def test_area_gap(contract, measured, threshold, flagged):
    assert (rules.area_gap(contract, measured, threshold) is not None) is flagged


def test_area_gap_is_the_signed_ratio():
    assert rules.area_gap(D("100.00"), D("65.00"), D("0.03")) == D("-0.35")


@pytest.mark.parametrize("handed, start, end, today, phase", [
    (None, None, None, "2026-11-20", "unscheduled"),
    (None, "2026-12-01", "2026-12-10", "2026-11-20", "upcoming"),
    (None, "2026-12-01", "2026-12-10", "2026-12-10", "in_window"),
    (None, "2026-12-01", None, "2027-01-10", "in_window"),
    (None, "2026-12-01", "2026-12-10", "2026-12-11", "window_passed"),
    ("2026-11-19", "2026-12-01", "2026-12-10", "2026-11-20", "handed_over"),  # the signed date wins
])
def test_handover_phase(handed, start, end, today, phase):
    from datetime import date

    def day(value):
        return date.fromisoformat(value) if value else None

    assert rules.handover_phase(day(handed), day(start), day(end), day(today)) == phase
