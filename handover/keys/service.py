"""Key use cases: create keys, append custody events under the rules, signatures, bulk creation."""
import base64
import binascii
import io
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from handover.accounts.models import User
from handover.accounts.permissions import ensure
from handover.core import idempotency, storage
from handover.core.errors import Conflict, ValidationFailed
from handover.core.events import announce, key_event_recorded, key_returned_to_owner
from handover.core.lifecycle import act_time
from handover.core.timeutil import now_utc, to_local
from handover.extensions import db
from handover.keys import rules
from handover.keys.models import Key, KeyEvent, KeyEventType, KeyKind, KeyStatus
from handover.projects.models import Batch, Building, Unit

MAX_SIGNATURE_BYTES = 512 * 1024
#: a tablet's signing pad at full resolution is a few megapixels; more is refused undecoded
MAX_SIGNATURE_PIXELS = 12_000_000
#: stored signatures are scaled down to this long edge (ample for a printed record)
SIGNATURE_LONG_EDGE = 1600


def _new_code() -> str:
    return "K" + secrets.token_hex(5).upper()


def create_key(batch: Batch, *, kind: KeyKind, label: str, unit: Unit | None = None, copies: int = 1,
               cabinet_slot: str | None = None, code: str | None = None) -> Key:
    """Register a key (held by the general contractor until received)."""
    if copies < 1:
        raise ValidationFailed(_("A key set has at least one copy."), details=[{"field": "copies", "message": "min"}])
    if not (label or "").strip():
        raise ValidationFailed(_("The label is required."), details=[{"field": "label", "message": "required"}])
    key = Key(batch_id=batch.id, unit_id=unit.id if unit else None, kind=kind, label=label.strip(), copies=copies,
              cabinet_slot=(cabinet_slot or None), code=code or _new_code(), status=KeyStatus.WITH_CONTRACTOR,
              holder="总包单位")
    try:
        with db.session.begin_nested():
            db.session.add(key)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("Key code or cabinet slot already in use.")) from None
    return key


def create_keys_for_batch(batch: Batch, *, kind: KeyKind, sets_per_unit: int = 1, copies: int = 3) -> int:
    """Bulk creation: `sets_per_unit` keys of `kind` for every unit of the batch that has none yet."""
    existing = set(db.session.scalars(sa.select(Key.unit_id).where(Key.batch_id == batch.id, Key.kind == kind)))
    units = db.session.execute(sa.select(Unit.id, Building.name, Unit.entrance, Unit.room_no)
                               .join(Building, Unit.building_id == Building.id)
                               .where(Unit.batch_id == batch.id).order_by(Building.sort_key, Unit.room_no)).all()
    count = 0
    for unit_id, building, entrance, room_no in units:
        if unit_id in existing:
            continue
        for number in range(1, sets_per_unit + 1):
            suffix = f" #{number}" if sets_per_unit > 1 else ""
            db.session.add(Key(batch_id=batch.id, unit_id=unit_id, kind=kind, copies=copies, code=_new_code(),
                               label=f"{building}-{entrance}-{room_no} {kind.label}{suffix}",
                               status=KeyStatus.WITH_CONTRACTOR, holder="总包单位"))
            count += 1
    db.session.flush()
    return count


def decode_signature(data_url: str | None) -> bytes | None:
    """A PNG data URL from the signing pad → verified, re-encoded PNG bytes (like photos: only the
    pixels are kept, no metadata chunks), scaled down to SIGNATURE_LONG_EDGE. A picture of more
    than MAX_SIGNATURE_PIXELS is refused before it is decoded (a decompression bomb, not a
    signature). Raises ValidationFailed."""
    if not data_url:
        return None
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise ValidationFailed(_("The signature must be a PNG image."),
                               details=[{"field": "signature", "message": "not_png"}])
    try:
        content = base64.b64decode(data_url[len(prefix):], validate=True)
        if len(content) > MAX_SIGNATURE_BYTES:
            raise ValueError("too large")
        with Image.open(io.BytesIO(content)) as probe:
            if probe.format != "PNG":
                raise ValueError("not png")
            if probe.width * probe.height > MAX_SIGNATURE_PIXELS:
                raise ValidationFailed(_("The signature picture is too large."),
                                       details=[{"field": "signature", "message": "too_many_pixels"}])
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            image = image.convert("RGBA")
    except ValidationFailed:
        raise
    except (binascii.Error, ValueError, UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationFailed(_("The signature is not a valid PNG image."),
                               details=[{"field": "signature", "message": "invalid"}]) from None
    image.thumbnail((SIGNATURE_LONG_EDGE, SIGNATURE_LONG_EDGE))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class KeyEventInput:
    type: KeyEventType
    counterparty: str = ""
    note: str = ""
    result_ok: bool | None = None
    signature: str | None = None  # PNG data URL


#: Who answers "may this unit's keys go to its owner?": the handovers domain, one floor above,
#: registers its gate here when it is imported (keys cannot import it). Unset, keys refuse.
_owner_gate = None


def answer_owner_handover_with(gate) -> None:
    """Called by handovers: `gate(unit)` returns an object with `open`, `message` and `details()`."""
    global _owner_gate
    _owner_gate = gate


def _gate(key: Key, event: KeyEventType) -> None:
    """A key goes to the owner only once the handover gate says so (fees settled: DOMAIN.md "Settled")."""
    if event != KeyEventType.HANDED_TO_OWNER or key.unit_id is None:
        return
    if _owner_gate is None:
        raise Conflict(_("The handover gate is not available: no key goes to the owner."))
    closed = _owner_gate(db.session.get(Unit, key.unit_id))
    if not closed.open:
        raise Conflict(closed.message, details=closed.details())


def record_key_event(key: Key, data: KeyEventInput, *, actor: User, at: datetime | None = None,
                     idempotency_key: str | None = None) -> KeyEvent:
    """Append a custody event (that happened at `at`, default now) if the rules allow it, and
    update the key's cached state.

    Callers load the key FOR UPDATE (see queries.get_key), so two people lending the same key
    at the same moment are serialised and the second is refused: the key is already out.
    With an `idempotency_key`, a resent request (same key) returns the first event and records
    nothing more. Raises TransitionNotAllowed (409), Conflict for the fee gate, ValidationFailed
    for input. Announces `key_event_recorded`, and `key_returned_to_owner` when the owner gets a
    key back (heard after the commit).
    """
    ensure(actor, rules.EVENT_PERMISSIONS[data.type])
    event, _acted = idempotency.once(
        KeyEvent, idempotency_key, same=lambda e: (e.key_id, e.action, e.actor_id) == (key.id, data.type, actor.id),
        act=lambda: _record(key, data, actor=actor, at=act_time(at),
                            idempotency_key=idempotency.clean_key(idempotency_key)))
    return event


def _record(key: Key, data: KeyEventInput, *, actor: User, at: datetime, idempotency_key: str | None) -> KeyEvent:
    target = rules.KEY.next(key.status, data.type)
    signature = decode_signature(data.signature)
    rules.KEY.ensure(data.type, rules.KeyAct(data.type, data.counterparty, signature is not None, data.result_ok,
                                             unit_key=key.unit_id is not None))
    _gate(key, data.type)
    event = KeyEvent(key=key, action=data.type, counterparty=data.counterparty.strip(), note=data.note.strip(),
                     result_ok=data.result_ok if data.type == KeyEventType.CHECKED else None,
                     from_status=key.status, to_status=target, actor_id=actor.id, actor_name=actor.name,
                     at=at, recorded_at=now_utc(), idempotency_key=idempotency_key)
    if signature is not None:
        path = f"signatures/keys/{key.id}/{secrets.token_hex(8)}.png"
        storage.save_bytes(path, signature)
        event.signature_path = path
    db.session.add(event)
    key.holder = rules.holder_after(data.type, target, event.counterparty, key.holder)
    key.due_back_on = to_local(at).date() if target in rules.OUT and data.type == KeyEventType.LENT else (
        key.due_back_on if target in rules.OUT else None)
    key.status = target
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_("Someone else just changed this key. Reload and try again.")) from None
    announce(key_event_recorded, key_id=key.id, unit_id=key.unit_id, event_id=event.id, action=event.action.value,
             **{"from": event.from_status.value}, to=target.value, at=at, actor_id=actor.id)
    if data.type == KeyEventType.RETURNED_TO_OWNER:
        announce(key_returned_to_owner, key_id=key.id, unit_id=key.unit_id, at=at)
    return event
