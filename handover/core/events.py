"""Domain events: services announce what happened; listeners hear it only after the commit.

A service calls ``announce(unit_handed_over, unit_id=..., at=...)`` inside its transaction. The
news is held on the database session and sent (blinker signals, Flask's own signal library) once
that transaction commits; a rollback drops it, so no listener ever hears of something that did not
happen. Listeners live on higher floors (notifications, surveys) and connect with
``signal.connect(func)``; nothing below knows who listens.
"""
from __future__ import annotations

import logging
from typing import Any

from blinker import Namespace, Signal
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

domain = Namespace()

# The events every floor may announce. A new one is declared here, once.
unit_handed_over = domain.signal("unit_handed_over")
handover_revoked = domain.signal("handover_revoked")
defect_status_changed = domain.signal("defect_status_changed")
#: a new defect was recorded (payload: defect_id, batch_id)
defect_recorded = domain.signal("defect_recorded")
key_event_recorded = domain.signal("key_event_recorded")
key_returned_to_owner = domain.signal("key_returned_to_owner")
payment_recorded = domain.signal("payment_recorded")
risk_status_changed = domain.signal("risk_status_changed")
building_transferred = domain.signal("building_transferred")
# the owner's voice (cases, surveys)
case_raised = domain.signal("case_raised")
case_status_changed = domain.signal("case_status_changed")
case_replied = domain.signal("case_replied")
case_escalated = domain.signal("case_escalated")
case_breached = domain.signal("case_breached")
survey_answered = domain.signal("survey_answered")
appointment_changed = domain.signal("appointment_changed")
visit_step_recorded = domain.signal("visit_step_recorded")

_PENDING = "handover_pending_events"


def announce(signal: Signal, session: Session | None = None, **payload: Any) -> None:
    """Queue `signal` with `payload` (plain values: ids, strings, dates) until the commit."""
    if session is None:
        from handover.extensions import db

        session = db.session()
    # remember the savepoint it was announced in: rolling that savepoint back drops the news
    session.info.setdefault(_PENDING, []).append((signal, payload, session.get_nested_transaction()))


def pending(session: Session) -> list[tuple[Signal, dict]]:
    """What is waiting to be sent (tests use this to check a rolled-back act announced nothing)."""
    return [(signal, payload) for signal, payload, _savepoint in session.info.get(_PENDING, [])]


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released (SQLAlchemy calls after_commit for it too): the real commit is to come
    queued = session.info.pop(_PENDING, [])
    for signal, payload, _savepoint in queued:
        for receiver in signal.receivers_for(None):
            try:
                receiver(None, **payload)
            except Exception:  # a listener's failure never undoes the committed act
                log.exception("listener %r of %s failed", receiver, signal.name)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
        return
    # a savepoint rolled back: drop only what was announced inside it (or inside savepoints within it)
    kept = [item for item in session.info.get(_PENDING, []) if not _within(item[2], previous_transaction)]
    session.info[_PENDING] = kept


def _within(savepoint, rolled_back) -> bool:
    while savepoint is not None:
        if savepoint is rolled_back:
            return True
        savepoint = savepoint.parent
    return False
