"""Fee settings, the buyer's return decision and the append-only payment ledger."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from handover.core.timeutil import now_utc
from handover.core.types import LabelledEnum, Money, Rate, ScaledDecimal, UTCDateTime, enum_column
from handover.extensions import db

if TYPE_CHECKING:
    from handover.projects.models import Unit


class FeeSettings(db.Model):
    """Fee terms of a batch (unit_id empty) or one unit's overrides (empty fields inherit)."""

    __tablename__ = "fee_settings"
    __audited__ = True
    __table_args__ = (
        sa.UniqueConstraint("batch_id", "unit_id"),
        sa.CheckConstraint("prepay_months IS NULL OR prepay_months BETWEEN 0 AND 36", name="prepay_range"),
        sa.CheckConstraint("property_fee_rate IS NULL OR property_fee_rate >= 0", name="rate_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), unique=True)
    #: yuan per m² of measured area per month
    property_fee_rate: Mapped[Decimal | None] = mapped_column(ScaledDecimal(4))
    prepay_months: Mapped[int | None]
    maintenance_fund_per_m2: Mapped[Decimal | None] = mapped_column(Money())
    #: share of the contract price, used when no per-m² amount is set
    maintenance_fund_rate: Mapped[Decimal | None] = mapped_column(Rate())
    deed_tax_rate: Mapped[Decimal | None] = mapped_column(Rate())
    #: [{"label": "有线电视开户费", "amount": "300.00"}]
    other: Mapped[list | None] = mapped_column(sa.JSON)
    #: batch only: the line codes that must be settled before keys and signing (the area
    #: differential always is); empty (NULL) means the whole statement
    settle_before_handover: Mapped[list | None] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, onupdate=now_utc)


class ReturnDecision(LabelledEnum):
    KEEP = "keep"
    RETURN = "return"

    __labels__ = {"keep": _l("Keeps the unit"), "return": _l("Returns the unit")}


class UnitReturnDecision(db.Model):
    """The buyer's decision when the area differential entitles them to return the unit."""

    __tablename__ = "unit_return_decisions"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), unique=True)
    decision: Mapped[ReturnDecision] = mapped_column(enum_column(ReturnDecision, "return_decision"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class PaymentKind(LabelledEnum):
    PAYMENT = "payment"
    REFUND = "refund"

    __labels__ = {"payment": _l("Payment"), "refund": _l("Refund")}


class PaymentMethod(LabelledEnum):
    CASH = "cash"
    CARD = "card"
    TRANSFER = "transfer"
    CONVERSION = "conversion"  # a refund turned into prepaid property fee

    __labels__ = {"cash": _l("Cash"), "card": _l("Card"), "transfer": _l("Bank transfer"),
                  "conversion": _l("Converted refund")}


class Payment(db.Model):
    """One movement of money for a unit. Append-only: a mistake is corrected by a reversal row
    (`reverses_id`), never by editing or deleting. `amount` is always positive; `kind` says
    which way it went, and a reversal undoes the entry it points to."""

    __tablename__ = "payments"
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.Index("ix_payments_unit", "unit_id"),
        sa.Index("ix_payments_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    kind: Mapped[PaymentKind] = mapped_column(enum_column(PaymentKind, "payment_kind"))
    amount: Mapped[Decimal] = mapped_column(Money())
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod, "payment_method"))
    receipt_no: Mapped[str] = mapped_column(sa.String(40), unique=True)
    #: the entry this one reverses (at most one reversal per entry)
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id"), unique=True)
    note: Mapped[str] = mapped_column(sa.String(255), default="")
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    operator_name: Mapped[str] = mapped_column(sa.String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    #: sent by a client that may resend: the same key returns the first entry, never a second one
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)

    unit: Mapped[Unit] = relationship()
    reverses: Mapped[Payment | None] = relationship(remote_side=[id])

    @property
    def effect(self) -> tuple[Decimal, Decimal]:
        """(paid, refunded) contribution of this row to the unit's balance."""
        sign = -1 if self.reverses_id else 1
        kind = self.kind
        return (sign * self.amount, Decimal(0)) if kind == PaymentKind.PAYMENT else (Decimal(0), sign * self.amount)


class ReceiptSequence(db.Model):
    """A project's receipt numbering (收据编号): the prefix and the next number, taken one at a time
    as payments are recorded (see fees.receipts). Numbers are typed only for paper receipt books."""

    __tablename__ = "receipt_sequences"
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("next_number >= 1", name="next_number_positive"),
        sa.CheckConstraint("digits BETWEEN 1 AND 12", name="digits_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(20), default="SK-")
    next_number: Mapped[int] = mapped_column(default=1)
    #: the number is zero-padded to this many digits: SK-000123
    digits: Mapped[int] = mapped_column(default=6)
