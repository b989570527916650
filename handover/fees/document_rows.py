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
    return f"{unit.building.name}号楼{unit.entrance}单元{unit.room_no}室"


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
                  activation=activation, issued_at=now_utc())


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
                   payee=project.developer or project.name, unit_label=unit_label(unit),
                   owner_names=queries.owner_names(unit),
                   kind=("退款" if refund else "收款") + ("冲正" if row.original else ""), amount=payment.amount,
                   amount_in_capitals=amount_in_capitals(payment.amount), method=str(payment.method.label),
                   operator=payment.operator_name, at=payment.at, note=payment.note,
                   reverses_receipt_no=row.original.receipt_no if row.original else "",
                   reversed_by_receipt_no=row.reversed_by.receipt_no if row.reversed_by else "")


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
