"""The rows fee documents are made of (read side): the handover notice (交付通知书), the receipt
(收款收据) and the batch fee schedule, as plain data. `documents` lays them out; all figures come
from `fees.settlement` (the one settlement rule).

Documents are Chinese legal forms, so their fixed labels are Chinese here.
"""
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from handover.accounts.rules import mask_phone
from handover.core.timeutil import now_utc
from handover.fees import queries
from handover.fees.models import Payment, PaymentKind, ReturnDecision
from handover.fees.rules import Line
from handover.fees.settlement import Settlement as Statement
from handover.fees.settlement import settlement_for
from handover.projects.models import HandoverMode, Unit
from handover.reporting.chinese_amount import amount_in_capitals

ZERO = Decimal("0.00")
#: the spreadsheet's fixed columns before the fee lines, and after them
SCHEDULE_HEAD = (("building", "楼栋", 8), ("entrance", "单元", 6), ("room_no", "房号", 8), ("owner", "业主", 16),
                 ("phone", "联系电话", 14), ("contract_no", "合同编号", 16), ("contract_area", "合同面积(m²)", 11),
                 ("measured_area", "实测面积(m²)", 11))
SCHEDULE_TAIL = (("total", "应收合计", 13), ("paid", "已收", 13), ("refunded", "已退", 13),
                 ("balance", "余额", 13), ("owed", "应补缴", 13), ("refund_due", "应退还", 13),
                 ("settled", "是否结清", 9), ("note", "备注", 30))
PAYMENT_COLUMNS = (("at", "时间", 17), ("building", "楼栋", 8), ("entrance", "单元", 6), ("room_no", "房号", 8),
                   ("owner", "业主", 16), ("kind", "类别", 10), ("method", "方式", 10), ("receipt_no", "收据号", 18),
                   ("amount", "金额（元）", 14), ("operator", "经办人", 12), ("note", "摘要", 30))
#: fee line codes in the order columns appear; "other" charges get a column per label
LINE_ORDER = ("area_differential", "property_fee", "maintenance_fund", "deed_tax")


def unit_label(unit: Unit) -> str:
    return unit.full_name


@dataclass(frozen=True)
class Company:
    """The issuing company's details from the project settings (printed on letters and receipts)."""

    name: str
    address: str = ""
    phone: str = ""
    hours: str = ""
    venue: str = ""
    booking: str = ""
    bank_name: str = ""
    bank_account_name: str = ""
    bank_account: str = ""
    property_company: str = ""
    property_requirements: str = ""
    seal_box: bool = True


def company(project) -> Company:
    return Company(project.company, project.company_address, project.company_phone, project.office_hours,
                   project.handover_venue, project.booking_instructions, project.bank_name,
                   project.bank_account_name, project.bank_account, project.property_company,
                   project.property_requirements, project.seal_box)


@dataclass(frozen=True)
class Activation:
    """The owner's portal activation, printed on the notice: the code the accounts service issued
    for it, or why there is none. The notice never issues a code itself."""

    code: str | None
    phone: str
    expires_on: date | None
    url: str
    problem: str = ""
    #: the owner already has a portal account: no code is printed, since a code resets the password
    activated: bool = False
    #: no code was issued for this print (the person printing may not issue codes): the owner gets
    #: one at the service desk
    withheld: bool = False


@dataclass(frozen=True)
class Notice:
    project: str
    developer: str
    address: str
    batch: str
    scattered: bool
    window_start: date | None
    window_end: date | None
    unit_label: str
    contract_no: str
    owner_names: str
    contract_area: Decimal
    measured_area: Decimal | None
    #: (M − A) / A in percent, 2 decimals
    ratio_percent: Decimal | None
    threshold_percent: Decimal
    return_right: bool
    decision: str
    lines: tuple[Line, ...]
    total: Decimal
    paid: Decimal
    refunded: Decimal
    balance: Decimal
    pending: tuple[str, ...]
    activation: Activation
    issued_at: datetime
    company: Company = Company("")
    number: str = ""

    @property
    def file_name(self) -> str:
        return f"交付通知书-{self.unit_label}.pdf".replace("/", "-")


def percent(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.01"))


def notice(statement: Statement, activation: Activation) -> Notice:
    """The handover notice of the statement's unit (units come from `queries.units_in_order`)."""
    unit = statement.unit
    batch, project, contract = unit.batch, unit.batch.project, unit.contract
    decision = {ReturnDecision.KEEP: "不退房", ReturnDecision.RETURN: "退房"}.get(statement.decision, "")
    return Notice(project=project.name, developer=project.developer, address=project.address, batch=batch.name,
                  scattered=batch.mode == HandoverMode.SCATTERED, window_start=batch.window_start,
                  window_end=batch.window_end, unit_label=unit_label(unit), contract_no=contract.number,
                  owner_names=queries.owner_names(unit), contract_area=statement.contract_area,
                  measured_area=statement.measured_area, ratio_percent=percent(statement.ratio),
                  threshold_percent=percent(contract.diff_threshold), return_right=statement.return_right,
                  decision=decision, lines=tuple(statement.lines), total=statement.total, paid=statement.paid,
                  refunded=statement.refunded, balance=statement.balance, pending=tuple(statement.pending),
                  activation=activation, issued_at=now_utc(), company=company(project),
                  number=f"TZ-{contract.number}")


def masked_phone(unit: Unit) -> str:
    return mask_phone(unit.contract.owner.phone) or ""


@dataclass(frozen=True)
class Receipt:
    receipt_no: str
    #: 收款收据 / 退款凭证 / 冲正凭证
    title: str
    project: str
    #: who received the money (the developer), printed beside the seal
    payee: str
    unit_label: str
    owner_names: str
    #: 收款 / 退款, with 冲正 for a reversal
    kind: str
    amount: Decimal
    amount_in_capitals: str
    method: str
    operator: str
    at: datetime
    note: str
    #: for a reversal: the receipt it cancels; for a reversed entry: the reversal's number
    reverses_receipt_no: str
    reversed_by_receipt_no: str
    contract_no: str = ""
    #: who paid (or, for a refund, who was paid): the name given at the desk, else the buyers
    payer: str = ""
    #: what was paid for: (fee line, amount allocated to it), largest outstanding lines first
    allocation: tuple[tuple[str, Decimal], ...] = ()
    company: Company = Company("")

    @property
    def signed_amount(self) -> Decimal:
        """The amount as it counts on the account: a reversal prints negative."""
        return -self.amount if self.kind.endswith("冲正") else self.amount

    @property
    def file_name(self) -> str:
        return f"收据-{self.receipt_no}.pdf".replace("/", "-")


def receipt(payment: Payment, unit: Unit) -> Receipt:
    """The printable receipt of one ledger entry, with the amount in capitals."""
    rows = {row.payment.id: row for row in queries.ledger_of(unit.id)}
    row = rows[payment.id]
    refund = payment.kind == PaymentKind.REFUND
    title = "冲正凭证" if row.original else ("退款凭证" if refund else "收款收据")
    project = unit.batch.project
    return Receipt(receipt_no=payment.receipt_no, title=title, project=project.name,
                   payee=project.company,
                   contract_no=unit.contract.number if unit.contract else "",
                   payer=getattr(payment, "payer", "") or queries.owner_names(unit),
                   allocation=allocation(row.original or payment, unit), company=company(project), unit_label=unit_label(unit),
                   owner_names=queries.owner_names(unit),
                   kind=("退款" if refund else "收款") + ("冲正" if row.original else ""), amount=payment.amount,
                   amount_in_capitals=amount_in_capitals(payment.amount), method=str(payment.method.label),
                   operator=payment.operator_name, at=payment.at, note=payment.note,
                   reverses_receipt_no=row.original.receipt_no if row.original else "",
                   reversed_by_receipt_no=row.reversed_by.receipt_no if row.reversed_by else "")


def allocation(payment: Payment, unit: Unit) -> tuple[tuple[str, Decimal], ...]:
    """What a payment paid for, line by line: the unit's fee lines in the settlement's order, each
    filled from the money received before this payment, then from this payment (a refund or a
    reversal is allocated the same way, to show which lines it concerns)."""
    statement = settlement_for(unit)
    owed = [(line.label, line.amount) for line in statement.lines if line.amount > 0]
    earlier = sum((row.payment.amount for row in queries.ledger_of(unit.id)
                   if row.payment.id < payment.id and row.payment.kind != PaymentKind.REFUND
                   and not row.original and not row.reversed_by), ZERO)
    left, lines = payment.amount, []
    for label, amount in owed:
        covered = min(amount, earlier)
        earlier -= covered
        part = min(amount - covered, left)
        if part > 0:
            lines.append((label, part))
            left -= part
    if left > 0:
        lines.append(("预收款（多缴部分）", left))
    return tuple(lines)


@dataclass(frozen=True)
class FeeSchedule:
    """One row per unit: fixed columns, a column per fee line, totals; and a totals row (without
    the units whose buyer returned them); and every payment, refund and reversal of the batch."""

    batch: str
    columns: tuple[tuple[str, str, float], ...]
    rows: tuple[dict, ...]
    totals: dict
    payments: tuple[tuple, ...] = ()

    def value_rows(self) -> list[tuple]:
        keys = [key for key, _header, _width in self.columns]
        return [tuple(row.get(key) for key in keys) for row in (*self.rows, self.totals)]


def _line_key(line: Line) -> str:
    return f"other:{line.label}" if line.code == "other" else line.code


def _line_columns(statements: list[Statement]) -> list[tuple[str, str, float]]:
    seen: dict[str, str] = {}
    for statement in statements:
        for line in statement.lines:
            seen.setdefault(_line_key(line), line.label)
    ordered = [code for code in LINE_ORDER if code in seen] + [key for key in seen if key not in LINE_ORDER]
    return [(key, seen[key], 14) for key in ordered]


def _note(statement: Statement) -> str:
    if statement.returned:
        return "买受人已退房（不计入合计）"
    return "；".join(statement.pending)


def _schedule_row(statement: Statement, phone: Callable[[str], str]) -> dict:
    unit, contract = statement.unit, statement.unit.contract
    balance = statement.balance
    row = {"building": unit.building.name, "entrance": unit.entrance, "room_no": unit.room_no,
           "owner": queries.owner_names(unit), "phone": phone(contract.owner.phone),
           "owed": max(balance, ZERO), "refund_due": max(-balance, ZERO), "contract_no": contract.number,
           "contract_area": statement.contract_area, "measured_area": statement.measured_area,
           "total": statement.total, "paid": statement.paid, "refunded": statement.refunded,
           "balance": statement.balance, "settled": "是" if statement.settled else "否", "note": _note(statement)}
    for line in statement.lines:
        key = _line_key(line)
        row[key] = row.get(key, ZERO) + line.amount
    return row


def schedule(batch_name: str, statements: list[Statement], *, phone: Callable[[str], str] = lambda p: p,
             payments: Sequence[tuple] = ()) -> FeeSchedule:
    """The batch's fee schedule from its statements (see `queries.batch_statements`). Units whose
    buyer returned them are listed but left out of the totals; what buyers still owe and what is
    to be refunded to them are totalled separately. `phone` shows an owner's phone as the reader
    may see it (finance in full, others masked)."""
    line_columns = _line_columns(statements)
    rows = tuple(_schedule_row(s, phone) for s in statements)
    counted = [row for row, s in zip(rows, statements) if not s.returned]
    returned = len(rows) - len(counted)
    money_keys = [key for key, _h, _w in line_columns] + ["total", "paid", "refunded", "balance", "owed",
                                                          "refund_due"]
    totals = {"building": "合计", "room_no": f"{len(counted)} 户",
              "owner": f"另有 {returned} 户已退房，不计入合计" if returned else "",
              **{key: sum((row.get(key, ZERO) for row in counted), ZERO) for key in money_keys},
              "settled": f"{sum(1 for s in statements if s.settled and not s.returned)} 户已结清"}
    return FeeSchedule(batch_name, (*SCHEDULE_HEAD, *line_columns, *SCHEDULE_TAIL), rows, totals, tuple(payments))


def payment_rows(batch_id: int) -> list[tuple]:
    """Every payment, refund and reversal of the batch's units, in time order, amounts as they
    count on the account (refunds and reversals of payments negative)."""
    entries = []
    for unit in queries.units_in_order(queries.batch_unit_ids(batch_id)):
        for row in queries.ledger_of(unit.id):
            entry = _entry(row)
            payment = row.payment
            entries.append((payment.at, unit.building.name, unit.entrance, unit.room_no,
                            queries.owner_names(unit), entry.kind, entry.method, entry.receipt_no, entry.amount,
                            payment.operator_name, payment.note))
    return sorted(entries, key=lambda e: (e[0], e[7]))


@dataclass(frozen=True)
class LedgerEntry:
    at: datetime
    kind: str
    method: str
    receipt_no: str
    #: as it counts on the account: payments positive, refunds and reversals of payments negative
    amount: Decimal


@dataclass(frozen=True)
class FeeStatement:
    """费用结算确认单: one unit's settled fees for the buyers to sign (all figures from `settlement`)."""

    notice: Notice
    owners: tuple[str, ...]
    entries: tuple[LedgerEntry, ...]
    settled: bool
    returned: bool

    @property
    def file_name(self) -> str:
        return f"费用结算确认单-{self.notice.unit_label}.pdf".replace("/", "-")


def _entry(row) -> LedgerEntry:
    payment = row.payment
    refund = payment.kind == PaymentKind.REFUND
    sign = -1 if refund else 1
    if row.original:
        sign = -sign
    kind = ("退款" if refund else "收款") + ("冲正" if row.original else "")
    return LedgerEntry(payment.at, kind, str(payment.method.label), payment.receipt_no, sign * payment.amount)


def fee_statement(statement: Statement) -> FeeStatement:
    """The fee statement for signature of the statement's unit (also for a returned unit: then it
    says so and shows what is to be refunded)."""
    unit = statement.unit
    contract = unit.contract
    owners = tuple(owner.name for owner in [contract.owner, *contract.co_owners])
    gathered = notice(statement, Activation(None, "", None, ""))
    entries = tuple(_entry(row) for row in queries.ledger_of(unit.id))
    return FeeStatement(gathered, owners, entries, statement.settled, statement.returned)
