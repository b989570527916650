"""The permission table: who may do what, by name, in one place.

Routes declare a permission (``@requires("defects.assign")``), templates ask ``can("…")``, and
services that depend on the actor call ``ensure(user, "…")``. No role set or role string lives
anywhere else: a new role or a changed duty is one edit here.
"""
from __future__ import annotations

from collections.abc import Callable

from handover.accounts.models import Role
from handover.core.errors import NotPermitted

R = Role
STAFF = frozenset({R.ADMIN, R.ENGINEERING, R.SALES, R.PROPERTY, R.FINANCE, R.MANAGER})
EVERYONE = frozenset(Role)

#: permission name → the roles that hold it. Filled per domain; keep it sorted by domain.
PERMISSIONS: dict[str, frozenset[Role]] = {
    # handovers
    "handovers.view": STAFF,
    "handovers.sign": frozenset({R.ADMIN, R.PROPERTY, R.SALES}),
    # risks: the self-check, promises, public areas, the transfer to the property company
    "risks.view": STAFF,
    "risks.edit": frozenset({R.ADMIN, R.ENGINEERING, R.SALES, R.PROPERTY, R.MANAGER}),
    "risks.approve": frozenset({R.ADMIN, R.MANAGER}),
    "risks.transfer": frozenset({R.ADMIN, R.ENGINEERING, R.PROPERTY, R.MANAGER}),
    "risks.areas": frozenset({R.ADMIN, R.ENGINEERING, R.PROPERTY, R.MANAGER}),
    "risks.area_defects": STAFF,
}


def roles_for(permission: str) -> frozenset[Role]:
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}: add it to accounts.permissions") from None


def can(user, permission: str) -> bool:
    """May `user` (None when signed out) do `permission`?"""
    return user is not None and getattr(user, "role", None) in roles_for(permission)


def ensure(user, permission: str) -> None:
    """For services whose rule depends on the actor: refuse with 403 unless `user` may."""
    if not can(user, permission):
        raise NotPermitted(permission)


def requires(permission: str) -> Callable:
    """Declare the permission a route needs (checked before the view runs, see accounts.access)."""
    roles = roles_for(permission)

    def mark(view: Callable) -> Callable:
        view._access = roles
        view._permission = permission
        return view

    return mark
