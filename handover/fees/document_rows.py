"""The rows fee documents are made of (read side): the handover notice (交付通知书), the receipt
(收款收据) and the batch fee schedule, as plain data. `documents` lays them out; all figures come
from `fees.settlement` (the one settlement rule).

Documents are Chinese legal forms, so their fixed labels are Chinese here.
"""
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
                 ("contract_no", "合同编号", 16), ("contract_area", "合同面积(m²)", 11),
                 ("measured_area", "实测面积(m²)", 11))
SCHEDULE_TAIL = (("total", "应收合计", 13), ("paid", "已收", 13), ("refunded", "已退", 13),
                 ("balance", "余额", 13), ("settled", "是否结清", 9), ("note", "备注", 30))
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
    """One row per unit: fixed columns, a column per fee line, totals; and a totals row."""

    batch: str
    columns: tuple[tuple[str, str, float], ...]
    rows: tuple[dict, ...]
    totals: dict

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
        return "买受人已退房"
    return "；".join(statement.pending)


def _schedule_row(statement: Statement) -> dict:
    unit, contract = statement.unit, statement.unit.contract
    row = {"building": unit.building.name, "entrance": unit.entrance, "room_no": unit.room_no,
           "owner": queries.owner_names(unit), "contract_no": contract.number,
           "contract_area": statement.contract_area, "measured_area": statement.measured_area,
           "total": statement.total, "paid": statement.paid, "refunded": statement.refunded,
           "balance": statement.balance, "settled": "是" if statement.settled else "否", "note": _note(statement)}
    for line in statement.lines:
        key = _line_key(line)
        row[key] = row.get(key, ZERO) + line.amount
    return row


def schedule(batch_name: str, statements: list[Statement]) -> FeeSchedule:
    """The batch's fee schedule from its statements (see `queries.batch_statements`)."""
    line_columns = _line_columns(statements)
    rows = tuple(_schedule_row(s) for s in statements)
    money_keys = [key for key, _h, _w in line_columns] + ["total", "paid", "refunded", "balance"]
    totals = {"building": "合计", "room_no": f"{len(rows)} 户",
              **{key: sum((row.get(key, ZERO) for row in rows), ZERO) for key in money_keys},
              "settled": f"{sum(1 for s in statements if s.settled)} 户已结清"}
    return FeeSchedule(batch_name, (*SCHEDULE_HEAD, *line_columns, *SCHEDULE_TAIL), rows, totals)


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
