"""Pure money rules: the area differential and the fee statement lines.

Arithmetic is exact (fractions), and every amount is rounded half away from zero to the fen
once, at the end of its line (core.money.round_money). Positive: the buyer pays; negative: the
developer refunds.
"""
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from handover.core.money import round_money

Number = Decimal | Fraction


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    basis: str
    amount: Decimal


@dataclass(frozen=True)
class AreaDifferential:
    ratio: Decimal  # (M − A) / A, to 6 decimals for display; the decision uses the exact value
    return_right: bool
    amount: Decimal
    basis: str


def money_text(value: Decimal) -> str:
    """Thousands separators and 2 decimals, as on a Chinese fee statement: 20,000.00."""
    return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else f"{value:,}"


def _pct(value: Number) -> str:
    return f"{(Decimal(value.numerator) / Decimal(value.denominator) * 100).normalize():f}%" \
        if isinstance(value, Fraction) else f"{(value * 100).normalize():f}%"


@dataclass(frozen=True)
class UnitPrice:
    """P: a stated unit price, or the exact quotient total price / contract area."""

    value: Fraction
    basis: str

    @classmethod
    def of(cls, unit_price: Decimal | None, total_price: Decimal | None, area: Decimal) -> "UnitPrice":
        if unit_price is not None:
            return cls(Fraction(unit_price), money_text(unit_price))
        return cls(Fraction(total_price) / Fraction(area), f"({money_text(total_price)} ÷ {money_text(area)})")


def area_differential(contract_area: Decimal, measured_area: Decimal, price: UnitPrice | Decimal, *,
                      threshold: Decimal = Decimal("0.03"), multiplier: Decimal = Decimal("2")) -> AreaDifferential:
    """The area differential under 商品房销售管理办法 art. 20 (threshold and multiplier per contract).

    r = (M − A) / A. |r| ≤ threshold (the threshold itself included): (M − A) × P.
    Beyond it the buyer may return the unit; if kept: M > A → the buyer pays threshold × A × P
    and nothing for the area beyond; M < A → the developer refunds threshold × A × P once and the
    area beyond the threshold `multiplier` times.
    """
    if isinstance(price, Decimal):
        price = UnitPrice.of(price, None, contract_area)
    a, m, p = Fraction(contract_area), Fraction(measured_area), price.value
    t, k = Fraction(threshold), Fraction(multiplier)
    ratio = (m - a) / a
    shown_ratio = (round_money(ratio * 10000) / 10000).quantize(Decimal("0.000001"))
    A, M, P, T = money_text(contract_area), money_text(measured_area), price.basis, _pct(threshold)
    if abs(ratio) <= t:
        return AreaDifferential(shown_ratio, False, round_money((m - a) * p), f"({M} − {A}) × {P}")
    if m > a:
        return AreaDifferential(shown_ratio, True, round_money(t * a * p), f"{T} × {A} × {P}")
    amount = -(t * a * p + k * (a - m - t * a) * p)
    return AreaDifferential(shown_ratio, True, round_money(amount),
                            f"−({T} × {A} × {P} + {multiplier.normalize():f} × ({A} − {M} − {T} × {A}) × {P})")


@dataclass(frozen=True)
class FeeTerms:
    """The fee settings that apply to one unit (batch settings with the unit's overrides)."""

    property_fee_rate: Decimal | None = None  # yuan per m² per month
    prepay_months: int = 3
    maintenance_fund_per_m2: Decimal | None = None
    maintenance_fund_rate: Decimal | None = None  # of the contract price
    deed_tax_rate: Decimal | None = None  # of the final price
    other: tuple[tuple[str, Decimal], ...] = ()


def fee_lines(terms: FeeTerms, *, measured_area: Decimal, contract_price: Fraction,
              final_price: Fraction) -> list[Line]:
    """Property fee prepayment, maintenance fund, deed tax and other charges, each with its basis."""
    lines = []
    area = money_text(measured_area)
    if terms.property_fee_rate is not None:
        lines.append(Line("property_fee", "物业服务费预收",
                          f"{money_text(terms.property_fee_rate)} × {area} × {terms.prepay_months}",
                          round_money(Fraction(terms.property_fee_rate) * Fraction(measured_area)
                                      * terms.prepay_months)))
    if terms.maintenance_fund_per_m2 is not None:
        lines.append(Line("maintenance_fund", "公共维修基金", f"{money_text(terms.maintenance_fund_per_m2)} × {area}",
                          round_money(Fraction(terms.maintenance_fund_per_m2) * Fraction(measured_area))))
    elif terms.maintenance_fund_rate is not None:
        lines.append(Line("maintenance_fund", "公共维修基金",
                          f"{_pct(terms.maintenance_fund_rate)} × {money_text(round_money(contract_price))}",
                          round_money(Fraction(terms.maintenance_fund_rate) * contract_price)))
    if terms.deed_tax_rate is not None:
        lines.append(Line("deed_tax", "契税",
                          f"{_pct(terms.deed_tax_rate)} × {money_text(round_money(final_price))}",
                          round_money(Fraction(terms.deed_tax_rate) * final_price)))
    for label, amount in terms.other:
        lines.append(Line("other", label, money_text(amount), round_money(Fraction(amount))))
    return lines


#: the codes of statement lines, in the order they are printed
LINE_CODES = ("area_differential", "property_fee", "maintenance_fund", "deed_tax", "other")
AREA_DIFFERENTIAL = "area_differential"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LineStanding:
    """One statement line and what is still owed on it after offsets and payments: positive when
    the buyer still owes, negative when the developer still owes the buyer, zero when settled."""

    line: Line
    owed: Decimal

    @property
    def settled(self) -> bool:
        return self.owed == 0


@dataclass(frozen=True)
class Standing:
    """Where a statement stands (DOMAIN.md "Settled"), before pending reasons and returns."""

    lines: tuple[LineStanding, ...]
    total: Decimal
    paid: Decimal
    refunded: Decimal
    #: how much of the refunds the developer owes (the negative area differential) is set off
    #: against the statement's other lines instead of being paid out
    offset: Decimal
    balance: Decimal

    @property
    def settled(self) -> bool:
        return self.balance == 0 and all(item.settled for item in self.lines)

    @property
    def area_differential(self) -> LineStanding | None:
        return next((item for item in self.lines if item.line.code == AREA_DIFFERENTIAL), None)


def standing(lines: list[Line], paid: Decimal, refunded: Decimal, *,
             first: frozenset[str] | set[str] = frozenset()) -> Standing:
    """What is still owed per line, under the one settlement rule.

    A refund the developer owes (a negative line: the area differential below the contract
    area) is set off against the other lines of the same statement; what the buyer paid (net of
    refunds) then covers the remaining lines: the area differential first, then the lines in
    `first` (those finance wants settled before the handover), then the rest, each in statement
    order. Whatever remains is a refund still to be paid out, owed on the negative lines. So a
    buyer who paid the net balance has settled every line; the owed amounts add up to the balance.
    """
    amounts = [line.amount for line in lines]
    total = sum(amounts, ZERO)
    balance = total - paid + refunded
    charges = sum((a for a in amounts if a > 0), ZERO)
    credits = -sum((a for a in amounts if a < 0), ZERO)
    owed = [a if a > 0 else ZERO for a in amounts]
    pool = credits + paid - refunded

    def rank(index: int) -> tuple[int, int]:
        code = lines[index].code
        return (0 if code == AREA_DIFFERENTIAL else 1 if code in first else 2, index)

    for index in sorted((i for i, a in enumerate(amounts) if a > 0), key=rank):
        take = min(max(pool, ZERO), amounts[index])
        owed[index] -= take
        pool -= take
    for index in sorted((i for i, a in enumerate(amounts) if a < 0), key=rank):
        if pool > 0:  # a refund not yet paid out, owed on the refund lines
            share = min(pool, -amounts[index])
            owed[index] = -share
            pool -= share
    if pool != 0 and lines:  # refunded more than the refunds owed: the buyer owes it back
        owed[0] -= pool
    return Standing(lines=tuple(LineStanding(line, value) for line, value in zip(lines, owed)), total=total,
                    paid=paid, refunded=refunded, offset=min(credits, charges), balance=balance)
