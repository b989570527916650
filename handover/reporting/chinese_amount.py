"""Amounts in Chinese capital numerals (大写金额), as written on receipts: 贰万肆仟元整.

The zero rules follow the People's Bank of China rules for filling in bills and settlement
vouchers (正确填写票据和结算凭证的基本规定): one 零 for any run of zeros inside the number,
壹 is always written before 拾, 整 follows an amount that ends at 元 (after 角 it may be left
out, and is), and 零 must stand between 元 and 分 when the 角 digit is zero. Conversion is exact: an amount with more than 2 decimals is
refused, never rounded.
"""
from decimal import Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("仟", "佰", "拾", "")
#: 4-digit groups from the lowest up: 1 → 万 → 亿 → 万亿 (10^12)
GROUPS = ("", "万", "亿", "万亿")
LIMIT = 10 ** (4 * len(GROUPS))


def _group(value: int) -> str:
    """0 < value < 10,000, without leading 零 (the caller decides on it)."""
    out, started, zero = [], False, False
    for digit, place in zip(f"{value:04d}", PLACES):
        if digit == "0":
            zero = zero or started
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[int(digit)] + place)
        started = True
    return "".join(out)


def _integer(value: int) -> str:
    groups = []
    while value:
        value, part = divmod(value, 10000)
        groups.append(part)
    out, gap = [], False
    for index in reversed(range(len(groups))):
        part = groups[index]
        if part == 0:
            gap = bool(out)
            continue
        if out and (gap or part < 1000):
            out.append("零")
        out.append(_group(part) + GROUPS[index])
        gap = False
    return "".join(out)


def amount_in_capitals(amount: Decimal) -> str:
    """贰万肆仟元整 for 24000.00; 负 in front of a negative amount. Raises ValueError for more
    than 2 decimals, a non-finite value, or 10^16 yuan and more."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError("a finite Decimal is required")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("more than 2 decimals")
    fen_total = int(abs(amount) * 100)
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    if yuan >= LIMIT:
        raise ValueError("amount too large")
    if fen_total == 0:
        return "零元整"
    text = _integer(yuan) + "元" if yuan else ""
    if not cents:
        text += "整"
    elif jiao:
        text += DIGITS[jiao] + "角" + (DIGITS[fen] + "分" if fen else "")
    else:
        text += ("零" if yuan else "") + DIGITS[fen] + "分"
    return ("负" if amount < 0 else "") + text
