"""Template globals that depend on who is signed in: `me`, and personal data masked by role."""
from flask import Flask, request

from handover.accounts.access import request_user
from handover.accounts.rules import id_number_for, phone_for


def register(app: Flask) -> None:
    @app.context_processor
    def _globals():
        user = request_user() if request else None
        role = user.role if user else None
        return {
            "me": user,
            "show_phone": (lambda phone: phone_for(role, phone)),
            "show_id_number": (lambda number: id_number_for(role, number)),
        }
