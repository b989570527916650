"""Handover use cases: signing, correcting and revoking, behind the gate (`queries.gate`).

`HandoverRecord` rows are the source of truth; `Unit.handed_over_on` (read by warranties,
defects, inspections and the portal) is a cache of the latest row, written only here.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from handover.accounts.models import User
from handover.accounts.permissions import ensure
from handover.core import idempotency
from handover.core.errors import Conflict, ValidationFailed
from handover.core.events import announce, handover_revoked, unit_handed_over
from handover.core.lifecycle import act_time
from handover.core.timeutil import now_utc
from handover.extensions import db
from handover.handovers import rules
from handover.handovers.appointments import uses_visits
from handover.handovers.day_models import HandoverSignature
from handover.handovers.models import HandoverRecord
from handover.handovers.queries import gate, history
from handover.handovers.rules import Purpose
from handover.keys.service import decode_signature
from handover.projects.models import Unit


def _state(unit: Unit) -> rules.HandoverState:
    return rules.state_after([row.action for row in history(unit.id)])


def _once(unit: Unit, action: str, idempotency_key: str | None, act) -> HandoverRecord:
    """Act once per idempotency key (`core.idempotency.once`): a resend returns the first record.
    The unit is locked first, so a resend racing the first send waits for it, then finds it."""
    _lock(unit)
    row, _acted = idempotency.once(HandoverRecord, idempotency_key, act=act,
                                   same=lambda first: first.unit_id == unit.id and first.action == action)
    return row


def _lock(unit: Unit) -> None:
    """Hold the unit's row until the commit and re-read its handover state, so of two people
    signing the same unit at once the second sees the first."""
    db.session.execute(sa.select(Unit.id).where(Unit.id == unit.id).with_for_update())
    db.session.refresh(unit, ["handed_over_on"])


def _append(unit: Unit, *, action: str, actor: User, at: datetime | None, on: date | None, items: Iterable[str],
            note: str, idempotency_key: str | None) -> HandoverRecord:
    """Append the act and update the cache."""
    row = HandoverRecord(unit_id=unit.id, action=action, handed_over_on=on, items=list(items), note=note.strip(),
                         actor_id=actor.id, actor_name=actor.name, at=act_time(at), recorded_at=now_utc(),
                         idempotency_key=idempotency_key)
    db.session.add(row)
    db.session.flush()  # a key sent twice at the same moment fails here: `once` answers with the first row
    unit.handed_over_on = on  # the cache the warranty and the other domains read
    db.session.flush()
    return row


def _check_items(items: Iterable[str]) -> list[str]:
    items = list(dict.fromkeys(items))
    unknown = [item for item in items if item not in rules.HANDED_ITEMS]
    if unknown:
        raise ValidationFailed(_("Unknown handed item: %(items)s.", items=", ".join(unknown)),
                               details=[{"field": "items", "message": ", ".join(unknown)}])
    return items


def _check_date(on: date | None) -> None:
    if on is None:
        raise ValidationFailed(_("The handover date is required."),
                               details=[{"field": "handed_over_on", "message": "required"}])


def sign_handover(unit: Unit, *, on: date, actor: User, at: datetime | None = None, items: Iterable[str] = (),
                  note: str = "", idempotency_key: str | None = None, owner_signature: str | None = None,
                  staff_signature: str | None = None) -> HandoverRecord:
    """Record that the owner signed the handover on `on` (warranty periods run from this date).

    Refused (Conflict, every unmet condition in `details`) while the gate is closed. A resend
    with the same `idempotency_key` returns the first record and signs nothing more.
    Announces `unit_handed_over` after the commit.
    """
    ensure(actor, "handovers.sign")
    idempotency_key = idempotency.clean_key(idempotency_key)

    def sign() -> HandoverRecord:
        handed = _check_items(items)
        _check_date(on)
        closed = gate(unit, Purpose.SIGN)
        if not closed.open:
            raise Conflict(closed.message, details=closed.details())
        signatures = _signatures(unit, owner_signature, staff_signature)
        rules.HANDOVER.next(_state(unit), rules.SIGN)
        row = _append(unit, action=rules.SIGN, actor=actor, at=at, on=on, items=handed, note=note,
                      idempotency_key=idempotency_key)
        if signatures is not None:
            db.session.add(HandoverSignature(record_id=row.id, owner_signature=signatures[0],
                                             staff_signature=signatures[1], recorded_at=now_utc()))
            db.session.flush()
        announce(unit_handed_over, unit_id=unit.id, at=row.at, actor_id=actor.id)
        return row

    return _once(unit, rules.SIGN, idempotency_key, sign)


def _signatures(unit: Unit, owner: str | None, staff: str | None) -> tuple[bytes, bytes] | None:
    """The drawn signatures (PNG data URLs → bytes). Required where the batch runs a handover day
    (the 收楼确认书 carries them); elsewhere optional, as before."""
    required = uses_visits(unit.batch_id)
    if not required and not owner and not staff:
        return None
    problems, found = [], {}
    for field, value in (("owner_signature", owner), ("staff_signature", staff)):
        if not value:
            problems.append({"field": field, "message": _("The signature is missing.")})
            continue
        try:
            found[field] = decode_signature(value)
        except ValidationFailed as exc:
            problems.append({"field": field, "message": exc.message})
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)
    return found["owner_signature"], found["staff_signature"]


def signatures_of(record_id: int) -> HandoverSignature | None:
    return db.session.scalar(sa.select(HandoverSignature).where(HandoverSignature.record_id == record_id))


def correct_handover(unit: Unit, *, on: date, actor: User, note: str, at: datetime | None = None,
                     idempotency_key: str | None = None) -> HandoverRecord:
    """Correct the handover date of a signed handover: a new row, the first one stays as it was."""
    ensure(actor, "handovers.revoke")  # a correction is the same managers' call as a revocation
    idempotency_key = idempotency.clean_key(idempotency_key)

    def correct() -> HandoverRecord:
        _require_note(note)
        _check_date(on)
        rules.HANDOVER.next(_state(unit), rules.CORRECT)
        items = next((row.items for row in reversed(history(unit.id)) if row.action == rules.SIGN), [])
        return _append(unit, action=rules.CORRECT, actor=actor, at=at, on=on, items=items, note=note,
                       idempotency_key=idempotency_key)

    return _once(unit, rules.CORRECT, idempotency_key, correct)


def revoke_handover(unit: Unit, *, actor: User, note: str, at: datetime | None = None,
                    idempotency_key: str | None = None) -> HandoverRecord:
    """Revoke a handover signed by mistake: a new row; the unit is no longer handed over."""
    ensure(actor, "handovers.revoke")
    idempotency_key = idempotency.clean_key(idempotency_key)

    def revoke() -> HandoverRecord:
        _require_note(note)
        rules.HANDOVER.next(_state(unit), rules.REVOKE)
        row = _append(unit, action=rules.REVOKE, actor=actor, at=at, on=None, items=(), note=note,
                      idempotency_key=idempotency_key)
        announce(handover_revoked, unit_id=unit.id, at=row.at, actor_id=actor.id)
        return row

    return _once(unit, rules.REVOKE, idempotency_key, revoke)


def _require_note(note: str) -> None:
    if not (note or "").strip():
        raise ValidationFailed(_("Say why."), details=[{"field": "note", "message": "required"}])


def handed_over_on(unit: Unit) -> date | None:
    """The date every warranty of the unit runs from (None: not handed over)."""
    return unit.handed_over_on
