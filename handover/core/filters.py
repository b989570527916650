"""Jinja filters and globals that know no domain: local times, money, areas, the locale.

The signed-in user and masked personal data are added by `accounts.templating`.
"""
from datetime import datetime
from decimal import Decimal

from flask import Flask
from flask_babel import get_locale

from handover.core.timeutil import to_local


def local_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(value).strftime(fmt) if value else ""


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def area(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def register(app: Flask) -> None:
    app.add_template_filter(local_dt)
    app.add_template_filter(money)
    app.add_template_filter(area)

    @app.context_processor
    def _globals():
        return {"current_locale": str(get_locale())}
