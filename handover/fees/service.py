"""Fee use cases: settings, the unit statement, payments, reversals, return decisions, the gate."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from handover.accounts.models import User
from handover.core.errors import Conflict, ValidationFailed
from handover.core.timeutil import local_tz, now_utc
from handover.extensions import db
from handover.fees import receipts, rules
from handover.fees.models import (FeeSettings, Payment, PaymentKind, PaymentMethod, ReturnDecision,
                                  UnitReturnDecision)
from handover.projects.models import Batch, Unit

SETTING_FIELDS = ("property_fee_rate", "prepay_months", "maintenance_fund_per_m2", "maintenance_fund_rate",
                  "deed_tax_rate", "other")


def set_fee_settings(batch: Batch, values: dict, *, unit: Unit | None = None) -> FeeSettings:
    """Create or replace the batch's fee settings, or one unit's overrides (None fields inherit)."""
    if values.get("maintenance_fund_per_m2") is not None and values.get("maintenance_fund_rate") is not None:
        raise ValidationFailed(_("Give the maintenance fund per m² or as a rate, not both."),
                               details=[{"field": "maintenance_fund_rate", "message": "either_or"}])
    same_scope = FeeSettings.unit_id == unit.id if unit else FeeSettings.unit_id.is_(None)
    row = db.session.scalar(sa.select(FeeSettings).where(FeeSettings.batch_id == batch.id, same_scope))
    if row is None:
        row = FeeSettings(batch_id=batch.id, unit_id=unit.id if unit else None)
        db.session.add(row)
    for name in SETTING_FIELDS:
        value = values.get(name)
        if name == "other" and value is not None:
            value = [{"label": item["label"], "amount": str(item["amount"])} for item in value]
        setattr(row, name, value)
    if unit is None and row.prepay_months is None:
        row.prepay_months = 3
    db.session.flush()
    return row


def terms_for(unit: Unit) -> rules.FeeTerms:
    rows = {r.unit_id: r for r in db.session.scalars(
        sa.select(FeeSettings).where(FeeSettings.batch_id == unit.batch_id,
                                     sa.or_(FeeSettings.unit_id.is_(None), FeeSettings.unit_id == unit.id)))}
    batch_row, unit_row = rows.get(None), rows.get(unit.id)

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


@dataclass
class Statement:
    unit: Unit
    contract_area: Decimal
    measured_area: Decimal | None
    unit_price: Decimal | None
    unit_price_basis: str
    ratio: Decimal | None
    return_right: bool
    decision: ReturnDecision | None
    lines: list[rules.Line] = field(default_factory=list)
    paid: Decimal = Decimal("0.00")
    refunded: Decimal = Decimal("0.00")
    #: why the statement cannot be final yet (no measured area, return decision pending)
    pending: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def balance(self) -> Decimal:
        """What the buyer still owes (negative: what the developer still owes the buyer)."""
        return self.total - self.paid + self.refunded

    @property
    def area_differential(self) -> Decimal | None:
        return next((line.amount for line in self.lines if line.code == "area_differential"), None)

    @property
    def returned(self) -> bool:
        return self.decision == ReturnDecision.RETURN

    @property
    def area_differential_settled(self) -> bool:
        if self.pending or self.returned:
            return False
        return rules.ad_settled(self.area_differential or Decimal(0), self.paid, self.refunded)

    @property
    def settled(self) -> bool:
        return not self.pending and not self.returned and self.balance == 0


def payment_totals(unit_id: int) -> tuple[Decimal, Decimal]:
    """(paid, refunded) after reversals."""
    paid = refunded = Decimal("0.00")
    for row in db.session.scalars(sa.select(Payment).where(Payment.unit_id == unit_id)):
        p, r = row.effect
        paid, refunded = paid + p, refunded + r
    return paid, refunded


def statement_for(unit: Unit) -> Statement:
    """The unit's fee statement, computed from the contract, the measured area and the settings."""
    contract = unit.contract
    if contract is None:
        raise ValidationFailed(_("The unit has no contract, so it has no statement."))
    price = rules.UnitPrice.of(contract.unit_price, contract.total_price, contract.area)
    decision_row = db.session.scalar(sa.select(UnitReturnDecision).where(UnitReturnDecision.unit_id == unit.id))
    paid, refunded = payment_totals(unit.id)
    statement = Statement(unit=unit, contract_area=contract.area, measured_area=unit.measured_area,
                          unit_price=contract.unit_price, unit_price_basis=price.basis, ratio=None,
                          return_right=False, decision=decision_row.decision if decision_row else None,
                          paid=paid, refunded=refunded)
    if unit.measured_area is None:
        statement.pending.append(_("The measured area is not recorded yet."))
        return statement
    ad = rules.area_differential(contract.area, unit.measured_area, price, threshold=contract.diff_threshold,
                                 multiplier=contract.refund_multiplier)
    statement.ratio, statement.return_right = ad.ratio, ad.return_right
    if ad.return_right and statement.decision is None:
        statement.pending.append(_("The buyer may return the unit: record their decision first."))
    statement.lines.append(rules.Line("area_differential", "面积补差", ad.basis, ad.amount))
    contract_price = Fraction(contract.area) * price.value
    statement.lines.extend(rules.fee_lines(terms_for(unit), measured_area=unit.measured_area,
                                           contract_price=contract_price,
                                           final_price=contract_price + Fraction(ad.amount)))
    return statement


def record_return_decision(unit: Unit, keep: bool, *, actor: User) -> UnitReturnDecision:
    """Record whether a buyer entitled to return the unit keeps it. Only asked when entitled."""
    statement = statement_for(unit)
    if not statement.return_right:
        raise Conflict(_("The area difference is within the threshold: the buyer has no right to return."))
    if statement.decision is not None:
        raise Conflict(_("The decision is already recorded."))
    row = UnitReturnDecision(unit_id=unit.id, decision=ReturnDecision.KEEP if keep else ReturnDecision.RETURN,
                             recorded_by_id=actor.id, recorded_at=now_utc())
    db.session.add(row)
    db.session.flush()
    return row


def _check_amount(amount: Decimal) -> None:
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(_("The amount must be positive with at most 2 decimals."),
                               details=[{"field": "amount", "message": "invalid"}])


def _insert(payment: Payment) -> Payment:
    try:
        with db.session.begin_nested():
            db.session.add(payment)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("Receipt number %(no)s is already used.", no=payment.receipt_no),
                       details={"field": "receipt_no"}) from None
    return payment


def record_payment(unit: Unit, *, kind: PaymentKind, amount: Decimal, method: PaymentMethod, receipt_no: str,
                   actor: User, note: str = "") -> Payment:
    """Append a payment or refund. Raises ValidationFailed for a bad amount, Conflict for a used receipt.
    A blank receipt number takes the project's next one (fees.receipts)."""
    _check_amount(amount)
    if unit.contract is None:
        raise ValidationFailed(_("The unit has no contract."))
    receipt_no = (receipt_no or "").strip() or receipts.take_receipt_no(unit.batch.project_id)
    return _insert(Payment(unit_id=unit.id, kind=kind, amount=amount, method=method, receipt_no=receipt_no.strip(),
                           note=note, operator_id=actor.id, operator_name=actor.name, at=now_utc()))


def reverse_payment(payment: Payment, *, receipt_no: str, actor: User, note: str = "") -> Payment:
    """Correct a mistaken entry by appending its reversal (the original stays as it was)."""
    if payment.reverses_id is not None:
        raise Conflict(_("A reversal cannot itself be reversed; record a new entry instead."))
    if db.session.scalar(sa.select(Payment.id).where(Payment.reverses_id == payment.id)):
        raise Conflict(_("This entry is already reversed."))
    receipt_no = (receipt_no or "").strip() or receipts.take_receipt_no(payment.unit.batch.project_id)
    return _insert(Payment(unit_id=payment.unit_id, kind=payment.kind, amount=payment.amount,
                           method=payment.method, receipt_no=receipt_no.strip(), reverses_id=payment.id,
                           note=note or _("Reversal of %(no)s", no=payment.receipt_no), operator_id=actor.id,
                           operator_name=actor.name, at=now_utc()))


def convert_refund_to_property_fee(unit: Unit, amount: Decimal, *, receipt_no: str, actor: User) -> tuple[Payment,
                                                                                                          Payment]:
    """At the buyer's request, turn a refund they are owed into prepaid property fee:
    one refund and one payment of the same amount (receipts `<no>-R` and `<no>-P`)."""
    statement = statement_for(unit)
    if amount > -statement.balance:
        raise ValidationFailed(_("Only money the developer still owes the buyer can be converted."),
                               details=[{"field": "amount", "message": "more_than_owed"}])
    receipt_no = (receipt_no or "").strip() or receipts.take_receipt_no(unit.batch.project_id)
    refund = record_payment(unit, kind=PaymentKind.REFUND, amount=amount, method=PaymentMethod.CONVERSION,
                            receipt_no=f"{receipt_no}-R", actor=actor, note=_("Converted to prepaid property fee"))
    payment = record_payment(unit, kind=PaymentKind.PAYMENT, amount=amount, method=PaymentMethod.CONVERSION,
                             receipt_no=f"{receipt_no}-P", actor=actor, note=_("Prepaid property fee from refund"))
    return refund, payment


def day_end_totals(day: date, *, batch_ids: list[int] | None = None) -> list[dict]:
    """Finance's day-end: net money in and out per method and operator on a local calendar day."""
    start = datetime.combine(day, time.min, tzinfo=local_tz())
    stmt = sa.select(Payment).where(Payment.at >= start, Payment.at < start + timedelta(days=1))
    if batch_ids is not None:
        stmt = stmt.join(Unit, Payment.unit_id == Unit.id).where(Unit.batch_id.in_(batch_ids))
    totals: dict[tuple, dict] = {}
    for row in db.session.scalars(stmt):
        paid, refunded = row.effect
        entry = totals.setdefault((row.method, row.operator_name),
                                  {"method": row.method, "operator": row.operator_name, "received": Decimal("0.00"),
                                   "refunded": Decimal("0.00"), "count": 0})
        entry["received"] += paid
        entry["refunded"] += refunded
        entry["count"] += 1
    return sorted(totals.values(), key=lambda e: (e["method"].value, e["operator"]))


def handover_gate(unit: Unit) -> str | None:
    """Why keys may not go to the owner and the handover may not be signed yet, or None.

    The area differential must be settled first (DOMAIN.md "Fee statement").
    """
    if unit.contract is None:
        return _("The unit has no contract.")
    statement = statement_for(unit)
    if statement.returned:
        return _("The buyer returned the unit: it leaves the handover.")
    if statement.pending:
        return statement.pending[0]
    if not statement.area_differential_settled:
        return _("The area differential is not settled yet.")
    return None
