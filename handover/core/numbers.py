"""Numbers the database can hold: 64-bit signed integers, and decimals well inside them.

A number from outside (a path id, a query or body value) beyond these bounds is refused at the
edge, as 404 (an id in a path: nothing has it) or 422 (a value: with the field named), instead
of reaching the database and failing there with a 500:

- `BoundedIntConverter` replaces Flask's `int` URL converter;
- `BoundedArgumentsParser` checks every integer and decimal flask-smorest has parsed.
"""
from collections.abc import Iterator
from decimal import Decimal

from flask_babel import gettext as _
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter

INT64_MAX = 2**63 - 1
#: no amount, area, rate or count in this system comes near; scaled by 10^6 it still fits 64 bits
DECIMAL_LIMIT = Decimal(10) ** 12


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` that matches only ids a 64-bit column can hold; beyond that the route does not
    match, so the answer is the usual 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", INT64_MAX)
        super().__init__(map, *args, **kwargs)


def out_of_range(value, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, message) for every number in parsed data that the database cannot hold."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -INT64_MAX - 1 <= value <= INT64_MAX:
            yield path, _("The number is too large.")
    elif isinstance(value, Decimal):
        if value.is_finite() and abs(value) >= DECIMAL_LIMIT:
            yield path, _("The number is too large.")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from out_of_range(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from out_of_range(item, f"{path}.{index}" if path else str(index))


class BoundedArgumentsParser(FlaskParser):
    """flask-smorest's parser, plus a check that parsed numbers fit the database (422 if not)."""

    def _validate_arguments(self, data, validators) -> None:
        problems: dict[str, list[str]] = {}
        for field, message in out_of_range(data):
            problems.setdefault(field or "_schema", []).append(message)
        if problems:
            raise ValidationError(problems)
        super()._validate_arguments(data, validators)
