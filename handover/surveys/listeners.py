"""Invitations come from domain events, never by hand: the handover, a warranty repair verified,
a case closed (at once). Each runs after the announcing commit, in a transaction of its own."""
from __future__ import annotations

from handover.cases.models import Case
from handover.core import events
from handover.defects.models import Defect, DefectStatus
from handover.inspections.models import InspectionStage
from handover.notifications import service as notifications
from handover.surveys import service
from handover.surveys.models import Touchpoint


def on_unit_handed_over(_sender, *, unit_id: int, **_payload) -> None:
    with notifications.in_own_transaction() as session:
        for owner_id in notifications.unit_owner_ids(session, unit_id):
            service.invite(session, owner_id=owner_id, unit_id=unit_id, touchpoint=Touchpoint.HANDOVER,
                           subject=f"unit:{unit_id}")


def on_defect_status_changed(_sender, *, defect_id: str, to: str, **_payload) -> None:
    if to != DefectStatus.VERIFIED.value:
        return
    with notifications.in_own_transaction() as session:
        defect = session.get(Defect, defect_id)
        if defect is None or defect.unit_id is None or defect.stage != InspectionStage.WARRANTY:
            return
        for owner_id in notifications.unit_owner_ids(session, defect.unit_id):
            service.invite(session, owner_id=owner_id, unit_id=defect.unit_id, touchpoint=Touchpoint.AFTER_REPAIR,
                           subject=f"defect:{defect.id}")


def on_case_status_changed(_sender, *, case_id: int, to_status: str, **_payload) -> None:
    if to_status != "closed":
        return
    with notifications.in_own_transaction() as session:
        case = session.get(Case, case_id)
        if case is None or case.owner_id is None:
            return
        service.invite(session, owner_id=case.owner_id, unit_id=case.unit_id, touchpoint=Touchpoint.AFTER_CASE,
                       subject=f"case:{case.id}")


LISTENERS = [
    (events.unit_handed_over, on_unit_handed_over),
    (events.defect_status_changed, on_defect_status_changed),
    (events.case_status_changed, on_case_status_changed),
]


def connect() -> None:
    for signal, listener in LISTENERS:
        signal.connect(listener)
