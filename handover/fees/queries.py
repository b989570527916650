"""Read-side selects for fee pages, documents and the portal: ledgers and batch statements.

Every statement comes from `fees.settlement`, so the pages, the documents, the gate and the API
show the same numbers; nothing here computes a fee or decides "settled".
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from handover.accounts.models import User
from handover.core.errors import NotFound
from handover.extensions import db
from handover.fees.models import FeeSettings, Payment
from handover.fees.settlement import Settlement, settlement_for, settlements_for
from handover.projects.models import Batch, Building, Contract, Unit
from handover.projects.queries import scope_units

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LedgerRow:
    """One ledger entry with what the page needs to know about its reversal."""

    payment: Payment
    #: the entry this one reverses, when it is a reversal
    original: Payment | None
    #: the entry that reversed this one, if any
    reversed_by: Payment | None

    @property
    def can_reverse(self) -> bool:
        return self.original is None and self.payment.reverses_id is None and self.reversed_by is None


def ledger_of(unit_id: int) -> list[LedgerRow]:
    """The unit's payments, refunds and reversals, oldest first."""
    rows = list(db.session.scalars(sa.select(Payment).where(Payment.unit_id == unit_id).order_by(Payment.id)))
    by_id = {row.id: row for row in rows}
    reversal_of = {row.reverses_id: row for row in rows if row.reverses_id}
    return [LedgerRow(row, by_id.get(row.reverses_id), reversal_of.get(row.id)) for row in rows]


def percent_text(ratio: Decimal) -> str:
    """0.03 → "3", 0.012 → "1.2": a ratio as a percentage for display, exactly."""
    return f"{(ratio * 100).normalize():f}"


def statement_view(unit: Unit) -> dict:
    """What the statement partials show: the statement, the ratio and threshold as
    percentages, and the ledger. Raises ValidationFailed for a unit without a contract."""
    statement = settlement_for(unit)
    ratio = None if statement.ratio is None else (statement.ratio * 100).quantize(Decimal("0.01"))
    return {"st": statement, "ratio_percent": ratio, "threshold_percent": percent_text(unit.contract.diff_threshold),
            "ledger": ledger_of(unit.id)}


def get_payment(user: User, payment_id: int) -> Payment:
    """A ledger entry of a unit the user may see; otherwise NotFound, like a missing one."""
    payment = db.session.get(Payment, payment_id)
    visible = payment is not None and db.session.scalar(
        scope_units(sa.select(Unit.id).where(Unit.id == payment.unit_id), user))
    if not visible:
        raise NotFound(_("Payment not found."))
    return payment


def batch_settings(batch_id: int) -> FeeSettings | None:
    """The batch's own fee settings row (not a unit's overrides)."""
    return db.session.scalar(sa.select(FeeSettings).where(FeeSettings.batch_id == batch_id,
                                                          FeeSettings.unit_id.is_(None)))


def batch_unit_ids(batch_id: int) -> list[int]:
    """The batch's units that have a contract, in building, entrance, floor, room order."""
    return list(db.session.scalars(
        sa.select(Unit.id).join(Building, Unit.building_id == Building.id).join(Contract, Contract.unit_id == Unit.id)
        .where(Unit.batch_id == batch_id)
        .order_by(Building.sort_key, Unit.entrance, Unit.floor, Unit.room_no, Unit.id)))


def batch_units_without_contract(batch_id: int) -> list[Unit]:
    """The batch's units no buyer is recorded for (no notice can be made for them), in order."""
    return list(db.session.scalars(
        sa.select(Unit).join(Building, Unit.building_id == Building.id).outerjoin(Contract, Contract.unit_id == Unit.id)
        .where(Unit.batch_id == batch_id, Contract.id.is_(None)).options(joinedload(Unit.building))
        .order_by(Building.sort_key, Unit.entrance, Unit.floor, Unit.room_no, Unit.id)))


def units_in_order(unit_ids: list[int]) -> list[Unit]:
    """Units with what documents print (building, batch, project, owners), in the order given."""
    units = {unit.id: unit for unit in db.session.scalars(
        sa.select(Unit).where(Unit.id.in_(unit_ids))
        .options(joinedload(Unit.building), joinedload(Unit.batch).joinedload(Batch.project),
                 joinedload(Unit.contract).joinedload(Contract.owner),
                 # joined, not selectin: a selectin load splits every 500 units into one more query
                 joinedload(Unit.contract).joinedload(Contract.co_owners))).unique()}
    return [units[uid] for uid in unit_ids if uid in units]


def batch_statements(batch_id: int) -> list[Settlement]:
    """The settlement of every unit with a contract in the batch, in display order, in a fixed
    number of queries however large the batch."""
    return settlements_for(units_in_order(batch_unit_ids(batch_id)))


@dataclass(frozen=True)
class BatchFeeSummary:
    units: int
    settled: int
    total: Decimal
    paid: Decimal
    refunded: Decimal
    #: what buyers still owe, and what the developer still owes buyers (both positive)
    owed: Decimal
    to_refund: Decimal


def summarise(statements: list[Settlement]) -> BatchFeeSummary:
    balances = [s.balance for s in statements]
    return BatchFeeSummary(
        units=len(statements), settled=sum(1 for s in statements if s.settled),
        total=sum((s.total for s in statements), ZERO), paid=sum((s.paid for s in statements), ZERO),
        refunded=sum((s.refunded for s in statements), ZERO),
        owed=sum((b for b in balances if b > 0), ZERO), to_refund=-sum((b for b in balances if b < 0), ZERO))


def owner_names(unit: Unit) -> str:
    """The buyer and co-owners, as printed on documents: 张伟、李娜."""
    contract = unit.contract
    return "" if contract is None else "、".join(o.name for o in [contract.owner, *contract.co_owners])
