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


def ad_settled(ad_amount: Decimal, paid: Decimal, refunded: Decimal) -> bool:
    """Payments go to the area differential first: it is settled once its money has moved."""
    if ad_amount > 0:
        return paid >= ad_amount
    if ad_amount < 0:
        return refunded >= -ad_amount
    return True
