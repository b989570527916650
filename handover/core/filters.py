"""Jinja filters and globals: local times, money, areas, masked personal data."""
from datetime import datetime
from decimal import Decimal

from flask import Flask, request
from flask_babel import get_locale

from handover.core.timeutil import to_local


def local_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(value).strftime(fmt) if value else ""


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def area(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def register(app: Flask) -> None:
    from handover.accounts.access import request_user
    from handover.accounts.permissions import can
    from handover.accounts.rules import id_number_for, phone_for

    app.add_template_filter(local_dt)
    app.add_template_filter(money)
    app.add_template_filter(area)

    @app.context_processor
    def _globals():
        user = request_user() if request else None
        return {
            "me": user,
            "can": (lambda permission: can(user, permission)),
            "show_phone": (lambda phone: phone_for(user, phone)),
            "show_id_number": (lambda number: id_number_for(user, number)),
            "current_locale": str(get_locale()),
        }
