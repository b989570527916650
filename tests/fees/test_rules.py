"""The area differential and fee lines: DOMAIN.md's worked examples, boundaries, invariants."""
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handover.core.money import round_money
from handover.fees.rules import FeeTerms, Line, UnitPrice, area_differential, fee_lines, standing

A, P = D("100.00"), D("20000.00")


@pytest.mark.parametrize("measured, amount, return_right", [
    ("101.20", "24000.00", False),   # within 3 %: settle at actual
    ("103.00", "60000.00", False),   # |r| = 3 % exactly: no return right
    ("104.50", "60000.00", True),    # beyond: return right; if kept, pays up to 3 % only
    ("95.00", "-140000.00", True),   # beyond, smaller: 60,000 once + 80,000 twice-refund
])
def test_domain_worked_examples(measured, amount, return_right):
    result = area_differential(A, D(measured), P)
    assert result.amount == D(amount) and result.return_right is return_right


def test_exactly_minus_three_percent_has_no_return_right():
    result = area_differential(A, D("97.00"), P)
    assert (result.amount, result.return_right) == (D("-60000.00"), False)


def test_just_past_the_threshold_on_both_sides():
    above = area_differential(A, D("103.01"), P)
    assert above.return_right and above.amount == D("60000.00")
    below = area_differential(A, D("96.99"), P)
    # 60,000 once, and 2 × (100 − 96.99 − 3) × 20,000 = 400 twice
    assert below.return_right and below.amount == D("-60400.00")


def test_threshold_and_multiplier_come_from_the_contract():
    result = area_differential(A, D("95.00"), P, threshold=D("0.02"), multiplier=D("3"))
    # 2 % × 100 × 20,000 = 40,000 once; 3 × (100 − 95 − 2) × 20,000 = 180,000
    assert result.amount == D("-220000.00")
    assert not area_differential(A, D("104.00"), P, threshold=D("0.05")).return_right


def test_basis_shows_the_formula_with_the_numbers():
    assert area_differential(A, D("101.20"), P).basis == "(101.20 − 100.00) × 20,000.00"
    assert area_differential(A, D("104.50"), P).basis == "3% × 100.00 × 20,000.00"


def test_total_price_contracts_use_the_exact_quotient():
    # P = 1,530,037.00 / 89.37 does not terminate; rounding it first would move the fen.
    price = UnitPrice.of(None, D("1530037.00"), D("89.37"))
    result = area_differential(D("89.37"), D("90.12"), price)
    exact = (Fraction("90.12") - Fraction("89.37")) * Fraction("1530037.00") / Fraction("89.37")
    assert result.amount == round_money(exact) == D("12840.19")
    assert result.basis == "(90.12 − 89.37) × (1,530,037.00 ÷ 89.37)"


def test_total_price_beyond_threshold():
    price = UnitPrice.of(None, D("2000000.00"), D("100.00"))
    assert area_differential(A, D("95.00"), price).amount == D("-140000.00")


@pytest.mark.parametrize("value, expected", [
    (D("0.005"), D("0.01")), (D("-0.005"), D("-0.01")), (D("0.0049"), D("0.00")), (D("-0.0049"), D("0.00")),
    (Fraction(1, 200), D("0.01")), (Fraction(-1, 200), D("-0.01")), (Fraction(2, 300), D("0.01")),
    (D("12.345"), D("12.35")), (D("-12.345"), D("-12.35")),
])
def test_half_fen_rounds_away_from_zero_on_both_signs(value, expected):
    assert round_money(value) == expected


def test_half_fen_in_a_real_line():
    # (100.01 − 100.00) × 0.50 = 0.005 → 0.01; the mirror case refunds −0.01
    assert area_differential(A, D("100.01"), D("0.50")).amount == D("0.01")
    assert area_differential(A, D("99.99"), D("0.50")).amount == D("-0.01")


def test_fee_lines_with_bases():
    terms = FeeTerms(property_fee_rate=D("2.85"), prepay_months=12, maintenance_fund_per_m2=D("80.00"),
                     deed_tax_rate=D("0.015"), other=(("有线电视开户费", D("300.00")),))
    lines = fee_lines(terms, measured_area=D("101.20"), contract_price=Fraction(2000000),
                      final_price=Fraction(2024000))
    assert [(line.code, line.basis, line.amount) for line in lines] == [
        ("property_fee", "2.85 × 101.20 × 12", D("3461.04")),
        ("maintenance_fund", "80.00 × 101.20", D("8096.00")),
        ("deed_tax", "1.5% × 2,024,000.00", D("30360.00")),
        ("other", "300.00", D("300.00")),
    ]


def test_maintenance_fund_as_a_rate_of_the_price():
    lines = fee_lines(FeeTerms(maintenance_fund_rate=D("0.02")), measured_area=D("100.00"),
                      contract_price=Fraction(1530037), final_price=Fraction(1530037))
    assert lines[0].amount == D("30600.74")


def _lines(ad: str, *others: tuple[str, str]) -> list[Line]:
    return [Line("area_differential", "面积补差", "", D(ad))] + [Line(code, code, "", D(amount)) for code, amount in others]


# the demo's unit 1-1-401: area differential −31,000.00, other lines 49,010.00, net 18,010.00
NETTING = _lines("-31000.00", ("property_fee", "1010.00"), ("maintenance_fund", "8000.00"), ("deed_tax", "40000.00"))


def test_paying_the_net_settles_every_line_the_area_differential_included():
    result = standing(NETTING, paid=D("18010.00"), refunded=D(0))
    assert result.balance == 0 and result.offset == D("31000.00") and result.settled
    assert [item.owed for item in result.lines] == [0, 0, 0, 0]
    assert result.area_differential.settled


def test_an_offset_refund_leaves_the_other_lines_owed():
    result = standing(NETTING, paid=D(0), refunded=D(0))
    assert not result.settled and result.balance == D("18010.00")
    # the refund covers the lines in order; what remains is owed on the last of them
    assert [item.owed for item in result.lines] == [0, 0, 0, D("18010.00")]
    assert result.area_differential.settled  # nothing left to pay out on it: it was set off


def test_area_differential_is_paid_first_then_the_lines_finance_names():
    lines = _lines("24000.00", ("property_fee", "971.52"), ("maintenance_fund", "8096.00"), ("deed_tax", "30360.00"))
    only_ad = standing(lines, paid=D("24000.00"), refunded=D(0))
    assert only_ad.area_differential.settled and not only_ad.settled
    assert [item.owed for item in only_ad.lines] == [0, D("971.52"), D("8096.00"), D("30360.00")]
    deed_first = standing(lines, paid=D("54360.00"), refunded=D(0), first={"deed_tax"})
    assert [item.owed for item in deed_first.lines] == [0, D("971.52"), D("8096.00"), 0]
    short = standing(lines, paid=D("23999.99"), refunded=D(0))
    assert short.area_differential.owed == D("0.01")


def test_a_net_refund_is_settled_once_paid_out_or_converted():
    lines = _lines("-140000.00", ("property_fee", "960.00"))
    owed = standing(lines, paid=D(0), refunded=D(0))
    assert owed.balance == D("-139040.00") and owed.area_differential.owed == D("-139040.00")
    assert not owed.settled and not owed.area_differential.settled
    paid_out = standing(lines, paid=D("1000.00"), refunded=D("140040.00"))  # 1,000 converted, the rest paid out
    assert paid_out.settled and paid_out.area_differential.settled


def test_no_lines_nothing_paid_is_settled_and_overpayment_is_owed_back():
    assert standing([], paid=D(0), refunded=D(0)).settled
    over = standing(_lines("100.00"), paid=D("150.00"), refunded=D(0))
    assert over.balance == D("-50.00") and over.lines[0].owed == D("-50.00") and not over.settled


# --- invariants (hypothesis) -------------------------------------------------------------

areas = st.decimals(min_value=D("20.00"), max_value=D("400.00"), places=2)
prices = st.decimals(min_value=D("1000.00"), max_value=D("150000.00"), places=2)
ratios = st.decimals(min_value=D("-0.2"), max_value=D("0.2"), places=4)


def _measured(a, r):
    return (a * (1 + r)).quantize(D("0.01"))


@settings(max_examples=300, deadline=None)
@given(areas, prices, ratios)
def test_sign_follows_the_area_difference(a, p, r):
    m = _measured(a, r)
    amount = area_differential(a, m, p).amount
    if m > a:
        assert amount >= 0
    elif m < a:
        assert amount <= 0
    else:
        assert amount == 0


@settings(max_examples=300, deadline=None)
@given(areas, prices, ratios)
def test_within_threshold_is_settled_at_actual_and_beyond_follows_the_rule(a, p, r):
    m = _measured(a, r)
    result = area_differential(a, m, p)
    ratio = (m - a) / a
    if abs(ratio) <= D("0.03"):
        assert not result.return_right and result.amount == round_money((m - a) * p)
    elif m > a:
        assert result.return_right and result.amount == round_money(D("0.03") * a * p)  # capped
    else:
        once = D("0.03") * a * p
        twice = 2 * (a - m - D("0.03") * a) * p
        assert result.return_right and result.amount == round_money(-(once + twice))


@settings(max_examples=200, deadline=None)
@given(areas, prices)
def test_continuous_at_the_threshold(a, p):
    """Just past the threshold the amount changes by no more than the area step itself costs."""
    edge = (a * D("1.03")).quantize(D("0.01"), rounding="ROUND_FLOOR")
    at_edge = area_differential(a, edge, p).amount
    past = area_differential(a, edge + D("0.01"), p).amount
    assert abs(past - at_edge) <= round_money(D("0.01") * p) + D("0.01")
    low_edge = (a * D("0.97")).quantize(D("0.01"), rounding="ROUND_CEILING")
    at_low = area_differential(a, low_edge, p).amount
    past_low = area_differential(a, low_edge - D("0.01"), p).amount
    # the edge sits up to 0.01 m² inside 3 %, and the step past it is refunded twice: ≤ 0.03 m² worth
    assert abs(past_low - at_low) <= round_money(D("0.03") * p) + D("0.02")


@settings(max_examples=200, deadline=None)
@given(areas, prices, st.decimals(min_value=D("0.0301"), max_value=D("0.2"), places=4))
def test_doubling_applies_only_beyond_the_threshold(a, p, r):
    m = _measured(a, -r)
    if (a - m) / a <= D("0.03"):
        return
    refund = -area_differential(a, m, p).amount
    single = (a - m) * p
    assert refund > round_money(single) - D("0.01")  # more than settling at actual
    assert refund <= round_money(2 * (a - m) * p) + D("0.01")  # never doubles the first 3 %


def test_exact_quotient_matters_at_a_half_fen():
    # 1.89 × 2,443,617.55 / 71.22 = 64,847.475 exactly: half a fen, rounded up to .48.
    # Dividing first in 28-digit decimals gives 64,847.47499… and rounds the wrong way.
    price = UnitPrice.of(None, D("2443617.55"), D("71.22"))
    assert area_differential(D("71.22"), D("73.11"), price).amount == D("64847.48")
    assert round_money((D("73.11") - D("71.22")) * (D("2443617.55") / D("71.22"))) == D("64847.47")


money = st.decimals(min_value=D("-200000.00"), max_value=D("200000.00"), places=2)
positive = st.decimals(min_value=D("0.00"), max_value=D("300000.00"), places=2)


@settings(max_examples=300, deadline=None)
@given(money, st.lists(positive, max_size=4), positive, positive)
def test_owed_per_line_adds_up_to_the_balance(ad, others, paid, refunded):
    lines = _lines(str(ad), *[("other", str(amount)) for amount in others])
    result = standing(lines, paid=paid, refunded=refunded)
    assert sum((item.owed for item in result.lines), D(0)) == result.balance
    assert result.settled == (result.balance == 0)
    assert 0 <= result.offset <= -min(ad, D(0))
