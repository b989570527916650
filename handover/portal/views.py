"""Homeowner pages. Every lookup goes through the same scoped queries as staff pages."""
from flask import Blueprint, render_template

from handover.accounts.access import request_user
from handover.accounts.models import Role
from handover.core.access import allow
from handover.projects import queries

bp = Blueprint("portal", __name__, url_prefix="/my")


@bp.get("/")
@allow(Role.OWNER)
def home():
    """The owner's units."""
    user = request_user()
    return render_template("portal/home.html", units=queries.units_of_owner(user.owner_id), owner=user.owner)


@bp.get("/units/<int:unit_id>")
@allow(Role.OWNER)
def unit(unit_id: int):
    """One of the owner's units; another owner's unit is 404."""
    return render_template("portal/unit.html", unit=queries.get_unit(request_user(), unit_id))
