"""What the owner (and staff) hear of domain events. Each listener runs after the commit that
announced the event, in a short transaction of its own; a rolled-back act sends nothing."""
from __future__ import annotations

from handover.cases.models import Case, CaseKind, CaseStatus
from handover.core import events
from handover.defects.models import Defect, DefectStatus
from handover.keys.models import Key
from handover.notifications import service as svc


def on_defect_status_changed(_sender, *, defect_id: str, to: str, **_payload) -> None:
    if to not in (DefectStatus.VERIFIED.value, DefectStatus.ASSIGNED.value):
        return
    with svc.in_own_transaction() as session:
        defect = session.get(Defect, defect_id)
        if defect is None or defect.unit_id is None:
            return
        status = DefectStatus(to)
        template = "defect_fixed" if status == DefectStatus.VERIFIED else "defect_update"
        for user_id in svc.unit_user_ids(session, defect.unit_id):
            svc.notify(session, user_id, template, link=f"/my/defects/{defect.id}", place=svc.unit_label(session, defect.unit_id),
                       what=defect.description[:40], status=status.label,
                       dedupe_key=f"defect:{defect.id}:{to}:{_payload.get('at')}:{user_id}"[:120])


def on_key_returned(_sender, *, key_id: int, unit_id: int, **_payload) -> None:
    with svc.in_own_transaction() as session:
        if session.get(Key, key_id) is None:
            return
        for user_id in svc.unit_user_ids(session, unit_id):
            svc.notify(session, user_id, "key_returned", link=f"/my/units/{unit_id}", essential=True,
                       place=svc.unit_label(session, unit_id), dedupe_key=f"key:{key_id}:{_payload.get('at')}:{user_id}"[:120])


def _case_values(session, case: Case) -> dict:
    return {"number": case.number, "kind": case.kind.label, "status": case.status.label,
            "place": case.place, "description": case.description[:60]}


def on_case_status_changed(_sender, *, case_id: int, by_owner: bool = False, note: str = "", **_payload) -> None:
    if by_owner:
        return
    with svc.in_own_transaction() as session:
        case = session.get(Case, case_id)
        if case is None:
            return
        for user_id in svc.owner_user_ids(session, case.owner_id):
            svc.notify(session, user_id, "case_update", link=f"/my/cases/{case.id}", essential=True,
                       note=note, **_case_values(session, case))


def on_case_replied(_sender, *, case_id: int, by_owner: bool, text: str, **_payload) -> None:
    with svc.in_own_transaction() as session:
        case = session.get(Case, case_id)
        if case is None:
            return
        if by_owner:
            recipients = [case.assignee_id] if case.assignee_id else []
            link = f"/cases/{case.id}"
        else:
            recipients = svc.owner_user_ids(session, case.owner_id)
            link = f"/my/cases/{case.id}"
        for user_id in recipients:
            svc.notify(session, user_id, "case_reply", link=link, essential=True, note=text,
                       **_case_values(session, case))


def on_case_escalated(_sender, *, case_id: int, reason: str, **_payload) -> None:
    with svc.in_own_transaction() as session:
        case = session.get(Case, case_id)
        if case is None:
            return
        for user_id in svc.staff_user_ids(session, "cases.escalations", case.batch_id):
            svc.notify(session, user_id, "case_escalated", link=f"/cases/{case.id}", essential=True, reason=reason,
                       dedupe_key=f"case:{case.id}:escalated:{user_id}", **_case_values(session, case))


def on_case_breached(_sender, *, case_id: int, breach: str, **_payload) -> None:
    with svc.in_own_transaction() as session:
        case = session.get(Case, case_id)
        if case is None:
            return
        what = "受理" if breach == "acknowledge" else "处理完毕"
        for user_id in svc.staff_user_ids(session, "cases.escalations", case.batch_id):
            svc.notify(session, user_id, "case_breached", link=f"/cases/{case.id}", essential=True, what=what,
                       dedupe_key=f"case:{case.id}:breached:{user_id}", **_case_values(session, case))


_ = (CaseKind, CaseStatus)

LISTENERS = [
    (events.defect_status_changed, on_defect_status_changed),
    (events.key_returned_to_owner, on_key_returned),
    (events.case_status_changed, on_case_status_changed),
    (events.case_replied, on_case_replied),
    (events.case_escalated, on_case_escalated),
    (events.case_breached, on_case_breached),
]


def connect() -> None:
    for signal, listener in LISTENERS:
        signal.connect(listener)
