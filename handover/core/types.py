"""Column types that are exact and explicit on SQLite and PostgreSQL alike."""
from datetime import timezone
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator):
    """A Decimal stored as a scaled integer (e.g. fen for money).

    SQLite's NUMERIC goes through float; an integer never does, on either database.
    """

    impl = sa.BigInteger
    cache_ok = True

    def __init__(self, places: int = 2):
        super().__init__()
        self.places = places
        self._factor = Decimal(10) ** places

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"ScaledDecimal takes Decimal, not {type(value).__name__}")
        scaled = value * self._factor
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.places} decimals")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(value) / self._factor).quantize(Decimal(1).scaleb(-self.places))


def Money():  # noqa: N802 - reads like a type in model definitions
    """Yuan with 2 decimals, stored as integer fen."""
    return ScaledDecimal(2)


def Area():  # noqa: N802
    """Square metres with 2 decimals."""
    return ScaledDecimal(2)


def Rate():  # noqa: N802
    """A ratio or rate with 6 decimals (0.030000 = 3%)."""
    return ScaledDecimal(6)


class UTCDateTime(TypeDecorator):
    """Aware datetimes, stored as UTC; naive values are refused rather than guessed."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a translatable label and a badge colour.

    Subclasses define `__labels__ = {member_value: lazy_gettext(...)}` and optionally `__colors__`.
    """

    @property
    def label(self) -> str:
        return str(type(self).__labels__.get(self.value, self.value))

    @property
    def color(self) -> str:
        return getattr(type(self), "__colors__", {}).get(self.value, "grey")


def enum_column(enum_cls: type[StrEnum], name: str) -> sa.Enum:
    """A VARCHAR column holding the enum's stable lowercase value, with a CHECK constraint."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


def render_migration_item(type_, obj, autogen_context):
    """Alembic hook: write our TypeDecorators as their plain SQL types, so migrations never
    import application code (a migration must keep working after the code moves on)."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False
