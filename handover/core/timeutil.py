"""The one source of "now", and conversions between UTC storage and local display."""
from contextlib import contextmanager
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TZ = "Asia/Shanghai"


_frozen: datetime | None = None


def now_utc() -> datetime:
    """Aware UTC now; `freeze` pins it for tests of deadlines and expiry."""
    return _frozen or datetime.now(timezone.utc)


@contextmanager
def freeze(at: datetime):
    """Make now_utc() return `at` (aware) inside the block."""
    global _frozen
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous


def local_tz() -> ZoneInfo:
    name = current_app.config.get("APP_TIMEZONE", DEFAULT_TZ) if has_app_context() else DEFAULT_TZ
    return ZoneInfo(name)


def to_local(value: datetime) -> datetime:
    return value.astimezone(local_tz())


def today_local() -> date:
    return to_local(now_utc()).date()
