"""Defect life cycle as data, and the pure checks around it.

open → assigned → fixed → verified (closed), or fixed → assigned on a failed re-inspection
(a second repair, rework + 1). Any defect not yet closed may be declared unfixable with an agreed
statement and a compensation plan. A homeowner may dispute a closed fix, which sends it back
for re-inspection.
"""
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l

from handover.accounts.permissions import can
from handover.core import lifecycle
from handover.core.lifecycle import TransitionTable
from handover.defects.models import CLOSED_STATUSES, DefectStatus
from handover.inspections.models import InspectionStage, WarrantyClass

S = DefectStatus

#: stages the owner takes part in; per-unit inspection and the property takeover are internal checks
OWNER_VISIBLE_STAGES = frozenset({InspectionStage.OPEN_DAY, InspectionStage.HANDOVER, InspectionStage.SCATTERED,
                                  InspectionStage.WARRANTY})

DEFECT_TRANSITIONS: dict[tuple[DefectStatus, str], DefectStatus] = {
    (S.OPEN, "assign"): S.ASSIGNED,
    (S.ASSIGNED, "assign"): S.ASSIGNED,  # reassign to another contractor or date
    (S.ASSIGNED, "fix"): S.FIXED,
    (S.FIXED, "verify"): S.VERIFIED,
    (S.FIXED, "reject"): S.ASSIGNED,
    (S.OPEN, "unfixable"): S.UNFIXABLE,
    (S.ASSIGNED, "unfixable"): S.UNFIXABLE,
    (S.FIXED, "unfixable"): S.UNFIXABLE,
    (S.VERIFIED, "dispute"): S.FIXED,
}

ACTION_LABELS = {
    "create": _l("Recorded"), "assign": _l("Assign"), "fix": _l("Mark fixed"), "verify": _l("Verify and close"),
    "reject": _l("Reject the fix"), "unfixable": _l("Declare unfixable"), "dispute": _l("Dispute the fix"),
    "confirm": _l("Confirm the fix"), "photo": _l("Photo added"),
}

@dataclass(frozen=True)
class TransitionInput:
    action: str
    contractor_id: int | None = None
    due_date: date | None = None
    note: str = ""
    statement: str = ""
    compensation_plan: str = ""


@dataclass(frozen=True)
class GuardInput:
    """What the guards look at: the act's input, the after photos since assignment, and today."""

    data: TransitionInput
    after_photos: int
    today: date


def _needs_contractor_and_future_date(g: GuardInput) -> list[dict]:
    problems = []
    if g.data.contractor_id is None:
        problems.append({"field": "contractor_id", "message": str(_l("Choose a contractor."))})
    if g.data.due_date is None:
        problems.append({"field": "due_date", "message": str(_l("Set a due date."))})
    elif g.data.due_date < g.today:
        problems.append({"field": "due_date", "message": str(_l("The due date is in the past."))})
    return problems


def _needs_after_photo(g: GuardInput) -> list[dict]:
    if g.after_photos == 0:
        return [{"field": "photo", "message": str(_l("Add a photo of the fixed work first."))}]
    return []


def _needs_statement_and_plan(g: GuardInput) -> list[dict]:
    problems = []
    if not g.data.statement.strip():
        problems.append({"field": "statement", "message": str(_l("The agreed statement is required."))})
    if not g.data.compensation_plan.strip():
        problems.append({"field": "compensation_plan", "message": str(_l("The compensation plan is required."))})
    return problems


def _needs_what_is_wrong(g: GuardInput) -> list[dict]:
    if not g.data.note.strip():
        return [{"field": "note", "message": str(_l("Say what is still wrong."))}]
    return []


#: the defect life cycle: moves, labels for messages, and the named preconditions of each action
DEFECT = TransitionTable("defect", DEFECT_TRANSITIONS, labels=ACTION_LABELS, guards={
    "assign": _needs_contractor_and_future_date,
    "fix": _needs_after_photo,
    "unfixable": _needs_statement_and_plan,
    "reject": _needs_what_is_wrong,
    "dispute": _needs_what_is_wrong,
})


def check_guards(action: str, data: TransitionInput, *, after_photos: int, today: date) -> None:
    """Named preconditions beyond the table. Raises ValidationFailed listing what is missing."""
    DEFECT.ensure(action, GuardInput(data, after_photos, today))


def is_overdue(status: DefectStatus, due_date: date | None, today: date) -> bool:
    """Past the due date and not closed (the kit's one "overdue")."""
    return lifecycle.is_overdue(due_date, done=status in CLOSED_STATUSES, today=today)


#: art. 40 minimums; structure lasts the design life (50 years for ordinary housing)
WARRANTY_PERIODS = {
    WarrantyClass.STRUCTURE: relativedelta(years=50),
    WarrantyClass.WATERPROOFING: relativedelta(years=5),
    WarrantyClass.HEATING_COOLING: relativedelta(years=2),  # two heating/cooling seasons
    WarrantyClass.INSTALLATION: relativedelta(years=2),
}


#: what each class covers and its period, as art. 40 of the construction quality regulations words it
WARRANTY_BASIS = {
    WarrantyClass.STRUCTURE: _l("Art. 40 (1): foundations and main structure, for the design life of the building"),
    WarrantyClass.WATERPROOFING: _l("Art. 40 (2): roof waterproofing, rooms with waterproofing requirements and "
                                    "exterior wall leak-proofing, 5 years"),
    WarrantyClass.HEATING_COOLING: _l("Art. 40 (3): heating and cooling systems, 2 heating or cooling seasons"),
    WarrantyClass.INSTALLATION: _l("Art. 40 (4): electrical wiring, water supply and drainage pipes, equipment "
                                   "installation and fit-out, 2 years"),
}


def warranty_basis(warranty_class: WarrantyClass) -> str:
    """The legal basis of a defect's warranty period, shown beside it."""
    return str(WARRANTY_BASIS[warranty_class])


def warranty_ends_on(warranty_class: WarrantyClass, handed_over_on: date) -> date:
    """Last day covered: the period runs from the handover date."""
    return handed_over_on + WARRANTY_PERIODS[warranty_class] - relativedelta(days=1)


def is_under_warranty(warranty_class: WarrantyClass, handed_over_on: date | None, on: date) -> bool | None:
    """None while the unit has not been handed over (on `on`): the warranty has not started."""
    if handed_over_on is None or on < handed_over_on:
        return None
    return on <= warranty_ends_on(warranty_class, handed_over_on)


def warranty_standing(warranty_class: WarrantyClass, handed_over_on: date | None, today: date) -> dict:
    """Covered (True/False, None before the handover), the last day covered, the class and its legal basis."""
    return {"covered": is_under_warranty(warranty_class, handed_over_on, today),
            "ends_on": warranty_ends_on(warranty_class, handed_over_on) if handed_over_on else None,
            "warranty_class": warranty_class, "basis": warranty_basis(warranty_class)}


#: the permission each action needs (who holds it: accounts.permissions); the service refuses anyone else
ACTION_PERMISSIONS: dict[str, str] = {
    "assign": "defects.assign",
    "fix": "defects.fix",
    "verify": "defects.verify",
    "reject": "defects.reject",
    "unfixable": "defects.mark_unfixable",
    "dispute": "defects.dispute",
}


def may_take(user, action: str) -> bool:
    """May `user` take `action` on defects at all (status and company aside)?"""
    permission = ACTION_PERMISSIONS.get(action)
    return permission is not None and can(user, permission)


def actions_for(current: DefectStatus, user) -> list[str]:
    """The buttons this user should see for a defect in this status."""
    return [a for a in DEFECT.allowed(current) if may_take(user, a)]
