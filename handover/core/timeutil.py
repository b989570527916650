"""The one source of "now", and conversions between UTC storage and local display."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TZ = "Asia/Shanghai"


def now_utc() -> datetime:
    """Aware UTC now; tests freeze time by patching this function."""
    return datetime.now(timezone.utc)


def local_tz() -> ZoneInfo:
    name = current_app.config.get("APP_TIMEZONE", DEFAULT_TZ) if has_app_context() else DEFAULT_TZ
    return ZoneInfo(name)


def to_local(value: datetime) -> datetime:
    return value.astimezone(local_tz())


def today_local() -> date:
    return to_local(now_utc()).date()
