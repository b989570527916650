"""Decimal helpers: parsing user input and the single rounding rule for money."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

FEN = Decimal("0.01")


def round_money(value: Decimal | Fraction) -> Decimal:
    """Round to the fen, half away from zero (ROUND_HALF_UP in `decimal` does exactly that).

    A Fraction (an exact quotient such as total price / area) is rounded exactly, with integers.
    """
    if isinstance(value, Fraction):
        fen = abs(value) * 100
        whole = (fen.numerator * 2 + fen.denominator) // (fen.denominator * 2)  # half away from zero
        return (Decimal(whole if value >= 0 else -whole) / 100).quantize(FEN)
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def parse_decimal(value: object, *, places: int = 2) -> Decimal:
    """Parse a number given as text or number into a Decimal with at most `places` decimals.

    Raises ValueError with a short English reason; callers translate it for the user.
    Floats are turned into their shortest repr first, so 89.37 read from Excel stays 89.37.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError("not a number")
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not number.is_finite():
        raise ValueError("not a number")
    if number != number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):
        raise ValueError(f"more than {places} decimals")
    return number.quantize(Decimal(1).scaleb(-places))
