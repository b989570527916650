"""Settlement in one place: per unit, the statement lines, paid, refunded, offset, balance, what
is still owed per line, and whether the statement and the area differential are settled
(DOMAIN.md "Settled").

Every page, document, gate and API reads `settlement_for` / `settlements_for`; nothing else
decides "settled". `settlements_for` gathers a whole page (or batch) of units in a fixed number of
queries, whatever their number: the units come with their contracts loaded (see
`queries.units_in_order`), then one query each for fee settings, return decisions and payments.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from handover.core.errors import ValidationFailed
from handover.extensions import db
from handover.fees import rules
from handover.fees.models import FeeSettings, Payment, PaymentKind, ReturnDecision, UnitReturnDecision
from handover.projects.models import Unit

ZERO = Decimal("0.00")
#: fee line names for screens; documents print the Chinese labels the rules give
LINE_NAMES = {"area_differential": _l("Area differential"), "property_fee": _l("Property fee prepayment"),
              "maintenance_fund": _l("Public maintenance fund"), "deed_tax": _l("Deed tax")}


def line_name(line: rules.Line) -> str:
    """A line's name on screen: its translated name, or the label finance gave another charge."""
    return str(LINE_NAMES.get(line.code, line.label))


@dataclass
class Settlement:
    """A unit's fee statement and where it stands. Amounts: positive when the buyer pays."""

    unit: Unit
    contract_area: Decimal
    measured_area: Decimal | None
    unit_price: Decimal | None
    unit_price_basis: str
    ratio: Decimal | None
    return_right: bool
    decision: ReturnDecision | None
    lines: list[rules.Line] = field(default_factory=list)
    paid: Decimal = ZERO
    refunded: Decimal = ZERO
    #: why the statement cannot be final yet (no measured area, return decision pending)
    pending: list[str] = field(default_factory=list)
    #: the line codes the batch wants settled before keys and signing; None: the whole statement
    settle_first: frozenset[str] | None = None

    # --- the figures --------------------------------------------------------------------------
    @cached_property
    def standing(self) -> rules.Standing:
        return rules.standing(self.lines, self.paid, self.refunded, first=self.settle_first or frozenset())

    @property
    def line_standings(self) -> tuple[rules.LineStanding, ...]:
        return self.standing.lines

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def balance(self) -> Decimal:
        """What the buyer still owes (negative: what the developer still owes the buyer)."""
        return self.total - self.paid + self.refunded

    @property
    def offset(self) -> Decimal:
        """The refund on the area differential set off against the other lines."""
        return self.standing.offset

    @property
    def area_differential(self) -> Decimal | None:
        return next((line.amount for line in self.lines if line.code == rules.AREA_DIFFERENTIAL), None)

    @property
    def returned(self) -> bool:
        return self.decision == ReturnDecision.RETURN

    @property
    def final(self) -> bool:
        """The statement can be settled at all: it is not pending and the unit was not returned."""
        return not self.pending and not self.returned

    # --- settled ------------------------------------------------------------------------------
    @property
    def settled(self) -> bool:
        """Every line settled: the net balance paid (or the net refund paid out or converted)."""
        return self.final and self.standing.settled

    @property
    def area_differential_settled(self) -> bool:
        """The area differential line owes nothing: paid, refunded, or set off against the others."""
        if not self.final:
            return False
        ad = self.standing.area_differential
        return ad is None or ad.settled

    @property
    def owed_lines(self) -> list[rules.LineStanding]:
        """Every line with money still owed on it (either way)."""
        return [item for item in self.line_standings if not item.settled]

    # --- before keys and signing --------------------------------------------------------------
    def _required(self, item: rules.LineStanding) -> bool:
        return (self.settle_first is None or item.line.code == rules.AREA_DIFFERENTIAL
                or item.line.code in self.settle_first)

    @property
    def blocking_lines(self) -> list[rules.LineStanding]:
        """The lines that must still be settled before keys and signing, with what is owed on each."""
        return [item for item in self.owed_lines if self._required(item)]

    @property
    def cleared_for_handover(self) -> bool:
        """Settled enough for keys and signing: the whole statement by default, else the lines the
        batch names, the area differential always."""
        return self.final and not self.blocking_lines

    @property
    def owed_before_handover(self) -> Decimal:
        """What the buyer must still pay before keys and signing (0 when only refunds remain)."""
        return sum((item.owed for item in self.blocking_lines if item.owed > 0), ZERO)

    @property
    def refund_before_handover(self) -> Decimal:
        """What the developer must still pay out (or convert) before keys and signing."""
        return -sum((item.owed for item in self.blocking_lines if item.owed < 0), ZERO)


# --- gathering ---------------------------------------------------------------------------------

def _terms(batch_row: FeeSettings | None, unit_row: FeeSettings | None) -> rules.FeeTerms:
    def pick(name):
        for row in (unit_row, batch_row):
            if row is not None and getattr(row, name) is not None:
                return getattr(row, name)
        return None

    other = pick("other") or []
    return rules.FeeTerms(property_fee_rate=pick("property_fee_rate"), prepay_months=pick("prepay_months") or 3,
                          maintenance_fund_per_m2=pick("maintenance_fund_per_m2"),
                          maintenance_fund_rate=pick("maintenance_fund_rate"), deed_tax_rate=pick("deed_tax_rate"),
                          other=tuple((item["label"], Decimal(item["amount"])) for item in other))


def _settings(units: Sequence[Unit]) -> tuple[dict[int, FeeSettings], dict[int, FeeSettings]]:
    """(batch id → batch settings, unit id → unit overrides), in one query."""
    batch_ids = {unit.batch_id for unit in units}
    unit_ids = [unit.id for unit in units]
    rows = db.session.scalars(sa.select(FeeSettings).where(
        FeeSettings.batch_id.in_(batch_ids), sa.or_(FeeSettings.unit_id.is_(None), FeeSettings.unit_id.in_(unit_ids))))
    per_batch, per_unit = {}, {}
    for row in rows:
        if row.unit_id is None:
            per_batch[row.batch_id] = row
        else:
            per_unit[row.unit_id] = row
    return per_batch, per_unit


def _decisions(unit_ids: list[int]) -> dict[int, ReturnDecision]:
    return dict(db.session.execute(sa.select(UnitReturnDecision.unit_id, UnitReturnDecision.decision)
                                   .where(UnitReturnDecision.unit_id.in_(unit_ids))).all())


def _money_moved(unit_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """unit id → (paid, refunded) after reversals, summed exactly in Python (no float in SQL)."""
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    rows = db.session.execute(sa.select(Payment.unit_id, Payment.kind, Payment.amount, Payment.reverses_id)
                              .where(Payment.unit_id.in_(unit_ids)))
    for unit_id, kind, amount, reverses_id in rows:
        signed = -amount if reverses_id else amount
        totals[unit_id][0 if kind == PaymentKind.PAYMENT else 1] += signed
    return {unit_id: (paid, refunded) for unit_id, (paid, refunded) in totals.items()}


def _settle_first(batch_row: FeeSettings | None) -> frozenset[str] | None:
    codes = batch_row.settle_before_handover if batch_row is not None else None
    return frozenset(codes) if codes else None


def _build(unit: Unit, *, batch_row, unit_row, decision, moved) -> Settlement:
    contract = unit.contract
    price = rules.UnitPrice.of(contract.unit_price, contract.total_price, contract.area)
    paid, refunded = moved
    result = Settlement(unit=unit, contract_area=contract.area, measured_area=unit.measured_area,
                        unit_price=contract.unit_price, unit_price_basis=price.basis, ratio=None,
                        return_right=False, decision=decision, paid=paid, refunded=refunded,
                        settle_first=_settle_first(batch_row))
    if unit.measured_area is None:
        result.pending.append(_("The measured area is not recorded yet."))
        return result
    ad = rules.area_differential(contract.area, unit.measured_area, price, threshold=contract.diff_threshold,
                                 multiplier=contract.refund_multiplier)
    result.ratio, result.return_right = ad.ratio, ad.return_right
    if ad.return_right and decision is None:
        result.pending.append(_("The buyer may return the unit: record their decision first."))
    result.lines.append(rules.Line(rules.AREA_DIFFERENTIAL, "面积补差", ad.basis, ad.amount))
    contract_price = Fraction(contract.area) * price.value
    result.lines.extend(rules.fee_lines(_terms(batch_row, unit_row), measured_area=unit.measured_area,
                                        contract_price=contract_price,
                                        final_price=contract_price + Fraction(ad.amount)))
    return result


def settlements_for(units: Iterable[Unit]) -> list[Settlement]:
    """The settlement of every unit given (each must have a contract), in the order given.

    Three queries in all, however many units: load the units with their contracts first.
    """
    units = list(units)
    if not units:
        return []
    unit_ids = [unit.id for unit in units]
    per_batch, per_unit = _settings(units)
    decisions = _decisions(unit_ids)
    moved = _money_moved(unit_ids)
    return [_build(unit, batch_row=per_batch.get(unit.batch_id), unit_row=per_unit.get(unit.id),
                   decision=decisions.get(unit.id), moved=moved.get(unit.id, (ZERO, ZERO))) for unit in units]


def settlement_for(unit: Unit) -> Settlement:
    """One unit's settlement. Raises ValidationFailed for a unit without a contract."""
    if unit.contract is None:
        raise ValidationFailed(_("The unit has no contract, so it has no statement."))
    return settlements_for([unit])[0]


def terms_for(unit: Unit) -> rules.FeeTerms:
    """The fee terms that apply to one unit (batch settings with the unit's overrides)."""
    per_batch, per_unit = _settings([unit])
    return _terms(per_batch.get(unit.batch_id), per_unit.get(unit.id))
