"""The permission table: who may do what, by name, in one place.

Routes declare a permission (``@requires("defects.assign")``), templates ask ``can("…")`` (a Jinja
global bound to the signed-in user), and services whose rule depends on the actor call
``can(user, "…")`` or ``ensure(user, "…")``. No role set or role string lives anywhere else (a test
greps for them): a new role or a changed duty is one edit here, plus the approved grid in
tests/accounts/test_permissions.py.

Row scoping stays with each domain's queries: homeowners see their own units (`user.is_owner`),
contractors their company's defects (`user.is_contractor`); staff see the projects they are put on,
or every project with ``projects.see_all``.
"""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from handover.accounts.models import Role
from handover.core.errors import NotPermitted

R = Role
STAFF = frozenset({R.ADMIN, R.ENGINEERING, R.SALES, R.PROPERTY, R.FINANCE, R.MANAGER})
EVERYONE = frozenset(Role)
ADMIN = frozenset({R.ADMIN})
FINANCE = frozenset({R.ADMIN, R.FINANCE})
KEY_KEEPERS = frozenset({R.ADMIN, R.PROPERTY, R.MANAGER})
DEFECT_MANAGERS = frozenset({R.ADMIN, R.ENGINEERING, R.PROPERTY, R.MANAGER})

#: permission name → the roles that hold it. Filled per domain; keep it sorted by domain.
PERMISSIONS: dict[str, frozenset[Role]] = {
    # accounts
    "accounts.sign_out": EVERYONE,
    "accounts.own": EVERYONE,  # one's own sign-in, tokens and password
    # staff who phone owners or check identity documents see them in full; others see them masked
    "people.view_full_phone": frozenset({R.ADMIN, R.SALES, R.PROPERTY, R.FINANCE, R.OWNER}),
    "people.view_full_id": frozenset({R.ADMIN, R.SALES, R.FINANCE, R.OWNER}),
    # the desks that hand owners their portal activation codes
    "accounts.issue_activation_code": frozenset({R.ADMIN, R.SALES, R.PROPERTY}),
    # audit
    "audit.view": ADMIN,
    # cases: repair requests, complaints and inquiries (owners: their own units)
    "cases.view": STAFF | {R.OWNER},  # rows scoped: own projects / own units
    "cases.raise": STAFF | {R.OWNER},
    "cases.reply": STAFF | {R.OWNER},
    "cases.handle": frozenset({R.ADMIN, R.PROPERTY, R.ENGINEERING, R.SALES, R.MANAGER}),
    "cases.close": frozenset({R.ADMIN, R.PROPERTY, R.MANAGER, R.OWNER}),  # owners confirm the resolution
    "cases.to_defect": DEFECT_MANAGERS,
    "cases.escalations": frozenset({R.ADMIN, R.MANAGER}),  # escalations and breaches reach them
    "cases.follow_up": frozenset({R.PROPERTY, R.MANAGER}),  # low survey scores to call back
    "cases.configure": frozenset({R.ADMIN, R.MANAGER}),  # the project's committed times (SLA)
    # defects
    "defects.view": STAFF | {R.CONTRACTOR, R.OWNER},  # rows scoped: own projects / company / units
    "defects.view_lists": STAFF,  # batch lists and dashboards
    "defects.export": STAFF,  # the ledger (.xlsx) and the unit PDFs
    "defects.work_on": STAFF | {R.CONTRACTOR},  # the back-office defect page and its action buttons
    "defects.create": STAFF,
    "defects.add_photo": STAFF | {R.CONTRACTOR, R.OWNER},
    "defects.assign": DEFECT_MANAGERS,
    "defects.fix": frozenset({R.CONTRACTOR, R.ADMIN, R.ENGINEERING}),  # engineering: the rapid-repair team
    "defects.verify": DEFECT_MANAGERS,
    "defects.reject": DEFECT_MANAGERS,
    "defects.mark_unfixable": frozenset({R.ADMIN, R.ENGINEERING, R.MANAGER}),
    "defects.dispute": frozenset({R.OWNER}),
    "defects.confirm_fix": frozenset({R.OWNER}),
    "defects.contractor_worklist": frozenset({R.CONTRACTOR}),
    "defects.manage_plans": frozenset({R.ADMIN, R.ENGINEERING, R.MANAGER}),
    "defects.view_plans": STAFF | {R.CONTRACTOR},
    # fees
    "fees.view": STAFF,  # a unit's statement page
    "fees.view_statement": STAFF | {R.OWNER},  # statement and payments over the API (owners: their own)
    "fees.view_overview": frozenset({R.ADMIN, R.FINANCE, R.MANAGER, R.SALES}),
    "fees.configure": FINANCE,
    "fees.record_payment": FINANCE,  # payments, refunds, reversals, refund conversion, receipts
    "fees.decide_return": frozenset({R.ADMIN, R.SALES, R.FINANCE}),
    "fees.issue_notice": frozenset({R.ADMIN, R.SALES, R.PROPERTY, R.FINANCE}),  # each issues an activation code
    "fees.day_end": frozenset({R.ADMIN, R.FINANCE, R.MANAGER}),
    "fees.receipts": frozenset({R.ADMIN, R.FINANCE}),  # receipt-number sequences
    # handovers
    "handovers.view": STAFF,
    "handovers.sign": frozenset({R.ADMIN, R.PROPERTY, R.SALES, R.MANAGER}),
    "handovers.revoke": frozenset({R.ADMIN, R.MANAGER}),
    # the handover day: slots and set-up, booking (owners: their own units), desk, stations, console
    "handovers.plan_day": frozenset({R.ADMIN, R.PROPERTY, R.SALES, R.MANAGER}),
    "handovers.book": STAFF | {R.OWNER},
    "handovers.view_day": STAFF,
    "handovers.check_in": frozenset({R.ADMIN, R.PROPERTY, R.SALES, R.MANAGER}),
    "handovers.station": STAFF,
    "handovers.record": STAFF | {R.OWNER},  # the signed 收楼确认书 (owners: their own units)
    # inspections
    "inspections.view": STAFF,
    "inspections.inspect": frozenset({R.ADMIN, R.ENGINEERING, R.PROPERTY, R.SALES, R.MANAGER}),
    "inspections.edit_checklist": ADMIN,
    # jobs
    "jobs.view": STAFF,
    "jobs.restart": STAFF,
    # keys
    "keys.view": STAFF | {R.OWNER},  # a unit's keys and their documents (owners: their own)
    "keys.view_ledger": STAFF,
    "keys.manage": KEY_KEEPERS,  # create, import, tag sheets, receive from the builder, stock check
    "keys.lend": KEY_KEEPERS,  # custody events on a key: lend, return, entrust
    "keys.hand_to_owner": KEY_KEEPERS,  # the handover desk
    "keys.import": KEY_KEEPERS,
    # menu: the top bar links these desks for the roles that work them daily
    "menu.fees": frozenset({R.ADMIN, R.FINANCE, R.MANAGER}),
    "menu.keys": KEY_KEEPERS,
    # notifications: everyone's own inbox
    "notifications.inbox": EVERYONE,
    # portal
    "portal.use": frozenset({R.OWNER}),  # the homeowner's portal
    "portal.receipts": frozenset({R.OWNER}),
    # projects
    "projects.view": STAFF,
    "projects.view_units": STAFF | {R.OWNER},  # over the API; owners see their own units
    "projects.see_all": ADMIN,  # every project, not only the ones the user is put on
    "projects.create": ADMIN,
    "projects.create_batch": frozenset({R.ADMIN, R.MANAGER}),
    "projects.create_contractor": frozenset({R.ADMIN, R.ENGINEERING, R.MANAGER}),
    "projects.import": frozenset({R.ADMIN, R.SALES}),
    "projects.settings": ADMIN,  # the company details printed on documents
    # surveys
    "surveys.answer": frozenset({R.OWNER}),
    "surveys.dashboard": frozenset({R.ADMIN, R.PROPERTY, R.SALES, R.MANAGER}),
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


def ensure(user, permission: str, message: str | None = None) -> None:
    """For services whose rule depends on the actor: refuse with 403 unless `user` may."""
    if not can(user, permission):
        raise NotPermitted(message or _("You are not allowed to do this."))


def requires(permission: str) -> Callable:
    """Declare the permission a route needs (checked before the view runs, see accounts.access).
    Marks the view with the name (`_permission`) and its roles (`_access`, walked by core.access)."""
    roles = roles_for(permission)

    def mark(view: Callable) -> Callable:
        view._access = roles
        view._permission = permission
        return view

    return mark
