"""Fee use cases: settings, payments, reversals, return decisions, day-end.

What a unit owes and whether it is settled is `fees.settlement` (one rule for every reader).
"""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from handover.accounts.models import User
from handover.accounts.permissions import ensure
from handover.core import idempotency
from handover.core.errors import Conflict, ValidationFailed
from handover.core.events import announce, payment_recorded
from handover.core.lifecycle import act_time
from handover.core.timeutil import local_tz, now_utc
from handover.extensions import db
from handover.fees import receipts, rules
from handover.fees.models import FeeSettings, Payment, PaymentKind, PaymentMethod, ReturnDecision, UnitReturnDecision
from handover.fees.settlement import settlement_for
from handover.projects.models import Batch, Unit

SETTING_FIELDS = ("property_fee_rate", "prepay_months", "maintenance_fund_per_m2", "maintenance_fund_rate",
                  "deed_tax_rate", "other", "settle_before_handover")


def set_fee_settings(batch: Batch, values: dict, *, unit: Unit | None = None) -> FeeSettings:
    """Create or replace the batch's fee settings, or one unit's overrides (None fields inherit)."""
    if values.get("maintenance_fund_per_m2") is not None and values.get("maintenance_fund_rate") is not None:
        raise ValidationFailed(_("Give the maintenance fund per m² or as a rate, not both."),
                               details=[{"field": "maintenance_fund_rate", "message": "either_or"}])
    first = values.get("settle_before_handover")
    if first is not None:
        unknown = sorted(set(first) - set(rules.LINE_CODES))
        if unknown or unit is not None:
            raise ValidationFailed(_("Which lines must be settled before the handover is set per batch, from the "
                                     "statement's lines."),
                                   details=[{"field": "settle_before_handover", "message": ", ".join(unknown)
                                             or "batch_only"}])
        # the area differential is always required; an empty list means the whole statement
        values = {**values, "settle_before_handover": [code for code in rules.LINE_CODES if code in first
                                                       or code == rules.AREA_DIFFERENTIAL] if first else None}
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




def record_return_decision(unit: Unit, keep: bool, *, actor: User) -> UnitReturnDecision:
    """Record whether a buyer entitled to return the unit keeps it. Only asked when entitled."""
    ensure(actor, "fees.decide_return")
    statement = settlement_for(unit)
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
        if payment.idempotency_key and idempotency.find(Payment, payment.idempotency_key) is not None:
            raise  # a resend racing the first: `once` answers with the first entry
        raise Conflict(_("Receipt number %(no)s is already used.", no=payment.receipt_no),
                       details=[{"field": "receipt_no", "message": "used"}]) from None
    return payment


def record_payment(unit: Unit, *, kind: PaymentKind, amount: Decimal, method: PaymentMethod, receipt_no: str,
                   actor: User, note: str = "", at: datetime | None = None,
                   idempotency_key: str | None = None) -> Payment:
    """Append a payment or refund and announce `payment_recorded` (after the commit). `at`: when the
    money moved (a tablet syncing later); a resend with the same `idempotency_key` returns the
    first entry and records (and announces) nothing.
    Raises ValidationFailed for a bad amount, Conflict for a used receipt. A blank receipt number
    takes the project's next one (fees.receipts)."""
    ensure(actor, "fees.record_payment")
    idempotency_key = idempotency.clean_key(idempotency_key)

    def record() -> Payment:
        _check_amount(amount)
        if unit.contract is None:
            raise ValidationFailed(_("The unit has no contract."))
        number = (receipt_no or "").strip() or receipts.take_receipt_no(unit.batch.project_id)
        entry = _insert(Payment(unit_id=unit.id, kind=kind, amount=amount, method=method, receipt_no=number.strip(),
                                note=note, operator_id=actor.id, operator_name=actor.name, at=act_time(at),
                                idempotency_key=idempotency_key))
        announce(payment_recorded, unit_id=unit.id, payment_id=entry.id, kind=kind.value, amount=str(amount),
                 at=entry.at, actor_id=actor.id)
        return entry

    payment, _recorded_now = idempotency.once(Payment, idempotency_key, act=record,
                                              same=lambda first: first.unit_id == unit.id)
    return payment


def reverse_payment(payment: Payment, *, receipt_no: str, actor: User, note: str = "") -> Payment:
    """Correct a mistaken entry by appending its reversal (the original stays as it was)."""
    ensure(actor, "fees.record_payment")
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
    ensure(actor, "fees.record_payment")
    statement = settlement_for(unit)
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
