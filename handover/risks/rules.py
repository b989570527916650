"""Pure rules of the risk self-check: the life cycle as data, its guards, the self-check's
questions (seed 002, art. 4), the 20-day transfer rule (art. 8.1) and the readiness verdict.

open → planned (plan, owner, deadline) → resolved (evidence); open or planned → accepted, which
needs the agreed statement and a compensation plan and is approved by a manager who is a second
person; resolved and accepted risks may be reopened. No database, no request here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from handover.core.lifecycle import TransitionTable
from handover.risks.models import CheckAnswer, RiskCategory, RiskSeverity, RiskStatus

S = RiskStatus

ACTION_LABELS = {
    "record": _l("Recorded"), "plan": _l("Plan the rectification"), "resolve": _l("Mark resolved"),
    "accept": _l("Accept with statement"), "reopen": _l("Reopen"), "propose": _l("Propose acceptance"),
    "override": _l("Manager override"), "evidence": _l("Evidence added"),
}


@dataclass(frozen=True)
class RiskAct:
    """What a person asks of a risk: the action and the values it carries."""

    action: str
    plan: str = ""
    plan_owner: str = ""
    due_date: date | None = None
    note: str = ""
    statement: str = ""
    compensation_plan: str = ""
    evidence_count: int = 0
    today: date | None = None


def required(value: str, field: str, message) -> list[dict]:
    return [] if (value or "").strip() else [{"field": field, "message": str(message)}]


def needs_plan(act: RiskAct) -> list[dict]:
    problems = required(act.plan, "plan", _l("Describe the rectification plan."))
    problems += required(act.plan_owner, "plan_owner", _l("Name who carries out the plan."))
    if act.due_date is None:
        problems.append({"field": "due_date", "message": str(_l("Set a deadline."))})
    elif act.today is not None and act.due_date < act.today:
        problems.append({"field": "due_date", "message": str(_l("The deadline is in the past."))})
    return problems


def needs_evidence(act: RiskAct) -> list[dict]:
    if act.note.strip() or act.evidence_count:
        return []
    return [{"field": "note", "message": str(_l("Say how it was resolved, or add evidence first."))}]


def needs_statement(act: RiskAct) -> list[dict]:
    return (required(act.statement, "statement", _l("The agreed statement is required."))
            + required(act.compensation_plan, "compensation_plan", _l("The compensation plan is required.")))


def needs_reason(act: RiskAct) -> list[dict]:
    return required(act.note, "note", _l("Say why it is reopened."))


RISK = TransitionTable("risk", {
    (S.OPEN, "plan"): S.PLANNED,
    (S.PLANNED, "plan"): S.PLANNED,  # a revised plan or a new deadline
    (S.PLANNED, "resolve"): S.RESOLVED,
    (S.OPEN, "accept"): S.ACCEPTED,
    (S.PLANNED, "accept"): S.ACCEPTED,
    (S.RESOLVED, "reopen"): S.OPEN,
    (S.ACCEPTED, "reopen"): S.OPEN,
}, labels=ACTION_LABELS, guards={"plan": needs_plan, "resolve": needs_evidence, "accept": needs_statement,
                                 "reopen": needs_reason})

#: the permission each action needs (accounts.permissions); accepting is a manager's approval
ACTION_PERMISSIONS = {"plan": "risks.edit", "resolve": "risks.edit", "reopen": "risks.edit",
                      "accept": "risks.approve"}


def second_person_problems(approver_id: int, *, reporter_id: int | None, proposer_id: int | None) -> list[dict]:
    """Accepting a risk is approved by someone other than who found it and who drafted the statement."""
    if approver_id in {reporter_id, proposer_id} - {None}:
        return [{"field": "action", "message": str(_l(
            "A second person approves the acceptance: someone other than who recorded the risk "
            "or drafted its statement."))}]
    return []


def is_blocking_open(severity: RiskSeverity, status: RiskStatus, overridden: bool) -> bool:
    """A blocking risk neither resolved nor accepted, and not overridden by a manager, stops handovers."""
    return severity == RiskSeverity.BLOCKING and status not in (S.RESOLVED, S.ACCEPTED) and not overridden


def needs_decision(severity: RiskSeverity, status: RiskStatus) -> bool:
    """A high (or blocking) risk without any decision yet: neither a plan nor an acceptance."""
    return severity in (RiskSeverity.HIGH, RiskSeverity.BLOCKING) and status == S.OPEN


# --- the guided self-check (seed 002, art. 4.1, A–H) ------------------------------------------

@dataclass(frozen=True)
class Question:
    code: str
    category: RiskCategory
    text: object


C = RiskCategory
SELF_CHECK_QUESTIONS: tuple[Question, ...] = (
    Question("A1", C.A, _l("Do the sales floor plans match the plans attached to the sales contract?")),
    Question("A2", C.A, _l("Do the contract plans match the construction drawings?")),
    Question("A3", C.A, _l("Do the construction drawings match the drawings filed for the permit?")),
    Question("A4", C.A, _l("Does what was built match every drawing that binds us?")),
    Question("B1", C.B, _l("Does what was built match the deliverables in the sales contract and its annexes?")),
    Question("B2", C.B, _l("Do the fit-out and equipment installed match the standards in the contract?")),
    Question("C1", C.C, _l("Has the advertising and major sales publicity been honoured?")),
    Question("C2", C.C, _l("Has every sales promise been kept?")),
    Question("D1", C.D, _l("Fully fitted units: does the configuration of agreed functions match what was installed?")),
    Question("E1", C.E, _l("Are there no function defects, such as doors or windows that collide or pipes in the way?")),
    Question("E2", C.E, _l("Have the design changes made during construction been checked for their effect on buyers?")),
    Question("F1", C.F, _l("Does the construction progress meet the handover date?")),
    Question("F2", C.F, _l("Has completion acceptance been held and every acceptance and filing document obtained?")),
    Question("G1", C.G, _l("Are water, electricity and gas ready in time?")),
    Question("G2", C.G, _l("Are central air-conditioning or floor heating, and the lifts, ready in time?")),
    Question("G3", C.G, _l("Are the entrance lobbies, landscaping and roads ready in time?")),
    Question("H1", C.H, _l("Has the property company been involved early enough?")),
    Question("H2", C.H, _l("Does the property service plan meet what the handover needs?")),
)
QUESTIONS_BY_CODE = {q.code: q for q in SELF_CHECK_QUESTIONS}


def questions_of(category: RiskCategory) -> list[Question]:
    return [q for q in SELF_CHECK_QUESTIONS if q.category == category]


def category_progress(answers: dict[str, CheckAnswer]) -> dict[RiskCategory, dict]:
    """Per category: questions answered, their total, risks found, and whether it is fully checked."""
    progress = {}
    for category in RiskCategory:
        codes = [q.code for q in questions_of(category)]
        given = [answers[c] for c in codes if c in answers]
        progress[category] = {"answered": len(given), "total": len(codes),
                              "risks_found": sum(1 for a in given if a == CheckAnswer.RISK),
                              "checked": len(given) == len(codes)}
    return progress


# --- transfer to the property company (art. 8.1) ----------------------------------------------

#: the transfer is done at least this long before the centralized handover starts
TRANSFER_LEAD = timedelta(days=20)


def latest_transfer_date(window_start: date | None) -> date | None:
    return window_start - TRANSFER_LEAD if window_start else None


def is_transfer_late(transferred_on: date, window_start: date | None) -> bool:
    """Later than 20 days before the batch's handover window (20 days exactly is in time)."""
    deadline = latest_transfer_date(window_start)
    return deadline is not None and transferred_on > deadline


def severity_order() -> list[RiskSeverity]:
    return [RiskSeverity.BLOCKING, RiskSeverity.HIGH, RiskSeverity.MEDIUM, RiskSeverity.LOW]
