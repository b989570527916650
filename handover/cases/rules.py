"""Pure rules of cases: the life cycle, the committed times (SLA) and what a breach is."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from handover.cases.models import CaseKind, CaseSeverity, CaseStatus
from handover.core.lifecycle import TransitionTable

S = CaseStatus
OPEN = (S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS)

ACTION_LABELS = {
    "acknowledge": _l("Acknowledge"), "start": _l("Start work"), "resolve": _l("Mark resolved"),
    "close": _l("Close"), "reopen": _l("Reopen"), "escalate": _l("Escalate"), "to_defect": _l("Turn into a defect"),
}

_moves: dict[tuple[CaseStatus, str], CaseStatus] = {
    (S.NEW, "acknowledge"): S.ACKNOWLEDGED,
    (S.NEW, "start"): S.IN_PROGRESS,
    (S.ACKNOWLEDGED, "start"): S.IN_PROGRESS,
    (S.ACKNOWLEDGED, "resolve"): S.RESOLVED,
    (S.IN_PROGRESS, "resolve"): S.RESOLVED,
    (S.RESOLVED, "close"): S.CLOSED,
    (S.RESOLVED, "reopen"): S.IN_PROGRESS,
    (S.CLOSED, "reopen"): S.IN_PROGRESS,
}
# escalating keeps the status; turning a repair request into a defect puts the work in progress
for _status in OPEN:
    _moves[(_status, "escalate")] = _status
    _moves[(_status, "to_defect")] = S.IN_PROGRESS

CASE = TransitionTable("case", _moves, labels=ACTION_LABELS, refusals={
    (S.NEW, "resolve"): _l("Acknowledge the case before you resolve it."),
    (S.NEW, "close"): _l("Only a resolved case can be closed."),
})

#: the permission each action needs (owners confirm a resolution with "close" and may reopen)
ACTION_PERMISSIONS = {
    "acknowledge": "cases.handle", "start": "cases.handle", "resolve": "cases.handle", "escalate": "cases.handle",
    "to_defect": "cases.to_defect", "close": "cases.close", "reopen": "cases.close",
}
#: what an owner may do on their own case
OWNER_ACTIONS = frozenset({"close", "reopen"})


@dataclass(frozen=True)
class Sla:
    acknowledge_hours: int
    resolve_hours: int


#: the defaults of the issue: acknowledge within 24 h; resolve a repair within 7 days, a complaint
#: within 3 days (an inquiry within 3 days); urgent cases within 4 h and 2 days. A project may
#: override any of them (CaseSla rows).
DEFAULT_SLA: dict[tuple[CaseKind, CaseSeverity], Sla] = {
    (CaseKind.REPAIR, CaseSeverity.NORMAL): Sla(24, 7 * 24),
    (CaseKind.COMPLAINT, CaseSeverity.NORMAL): Sla(24, 3 * 24),
    (CaseKind.INQUIRY, CaseSeverity.NORMAL): Sla(24, 3 * 24),
    (CaseKind.REPAIR, CaseSeverity.URGENT): Sla(4, 2 * 24),
    (CaseKind.COMPLAINT, CaseSeverity.URGENT): Sla(4, 2 * 24),
    (CaseKind.INQUIRY, CaseSeverity.URGENT): Sla(4, 24),
}

#: a case resolved this long ago without the owner's word is closed by the sweep
AUTO_CLOSE_DAYS = 7


def due_times(raised_at: datetime, sla: Sla) -> tuple[datetime, datetime]:
    """(acknowledge_by, resolve_by) of a case raised at `raised_at`."""
    return raised_at + timedelta(hours=sla.acknowledge_hours), raised_at + timedelta(hours=sla.resolve_hours)


def breach_of(status: CaseStatus, acknowledge_by: datetime, resolve_by: datetime, now: datetime) -> str:
    """Which committed time has passed unmet: "acknowledge", "resolve" or "" (none)."""
    if status in (S.RESOLVED, S.CLOSED):
        return ""
    if status == S.NEW and now > acknowledge_by:
        return "acknowledge"
    if now > resolve_by:
        return "resolve"
    return ""


def escalates_at_once(kind: CaseKind, major: bool, group: bool) -> bool:
    """A complaint marked major or a group complaint (群诉) goes to the manager at once."""
    return kind == CaseKind.COMPLAINT and (major or group)


def due_for_auto_close(status: CaseStatus, resolved_at: datetime | None, now: datetime,
                       days: int = AUTO_CLOSE_DAYS) -> bool:
    return status == S.RESOLVED and resolved_at is not None and now - resolved_at >= timedelta(days=days)


def description_problems(description: str) -> list[dict]:
    if not (description or "").strip():
        return [{"field": "description", "message": str(_l("Describe the problem, please."))}]
    return []
