"""Read side of the key ledger, scoped like units."""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from handover.accounts.models import User
from handover.accounts.permissions import can
from handover.core import lifecycle
from handover.core.errors import NotFound
from handover.core.scoping import NOTHING, Scope, only_if
from handover.core.timeutil import today_local
from handover.extensions import db
from handover.keys import rules
from handover.keys.models import Key, KeyEvent, KeyEventType, KeyStatus
from handover.projects.models import Building, Unit
from handover.projects.queries import in_owned_units, in_visible_batches


#: what each user may see of the key ledger: staff their projects' keys, owners their units' keys
scope_keys = Scope("keys", default=only_if(lambda user: can(user, "keys.view_ledger"), in_visible_batches(Key.batch_id)),
                   by_kind={"owner": in_owned_units(Key.unit_id), "contractor": NOTHING})


def overdue_clause(today):
    """keys.rules.is_overdue as SQL: out on loan past the day it was due back."""
    return lifecycle.overdue_clause(Key.due_back_on, done=Key.status.not_in(list(rules.OUT)), today=today)


def keys_query(user: User, *, batch_id=None, unit_id=None, status: KeyStatus | None = None,
               overdue: bool | None = None, q: str | None = None) -> sa.Select:
    stmt = (sa.select(Key).options(joinedload(Key.unit).joinedload(Unit.building))
            .order_by(Key.batch_id, Key.unit_id, Key.kind, Key.id))
    if batch_id:
        stmt = stmt.where(Key.batch_id == batch_id)
    if unit_id:
        stmt = stmt.where(Key.unit_id == unit_id)
    if status is not None:
        stmt = stmt.where(Key.status == status)
    if overdue is True:
        stmt = stmt.where(overdue_clause(today_local()))
    elif overdue is False:
        stmt = stmt.where(sa.not_(overdue_clause(today_local())))
    if q:
        stmt = stmt.where(sa.or_(Key.label.like(f"%{q}%"), Key.code == q.strip().upper()))
    return scope_keys(stmt, user)


def get_key(user: User, key_id: int, *, for_update: bool = False) -> Key:
    stmt = sa.select(Key).where(Key.id == key_id).options(selectinload(Key.events))
    if for_update:
        stmt = stmt.with_for_update(of=Key)
    key = db.session.scalar(scope_keys(stmt, user))
    if key is None:
        raise NotFound(_("Key not found."))
    return key


def key_by_code(user: User, code: str) -> Key:
    key = db.session.scalar(scope_keys(sa.select(Key).where(Key.code == (code or "").strip().upper()), user))
    if key is None:
        raise NotFound(_("No key has the code %(code)s.", code=code))
    return key


def overdue_count(user: User, batch_id: int | None = None) -> int:
    stmt = keys_query(user, batch_id=batch_id, overdue=True).with_only_columns(sa.func.count()).order_by(None)
    return db.session.scalar(stmt) or 0


def ledger_query(user: User, *, batch_id: int, building_id: int | None = None, status: KeyStatus | None = None,
                 overdue: bool | None = None, q: str | None = None) -> sa.Select:
    """The ledger page: keys_query's filters plus a building, in building, entrance, floor, room order
    (public-room keys last)."""
    stmt = (keys_query(user, batch_id=batch_id, status=status, overdue=overdue, q=q)
            .outerjoin(Unit, Key.unit_id == Unit.id).outerjoin(Building, Unit.building_id == Building.id)
            .order_by(None)
            .order_by(Building.sort_key.is_(None), Building.sort_key, Unit.entrance, Unit.floor, Unit.room_no,
                      Key.kind, Key.id))
    if building_id:
        stmt = stmt.where(Unit.building_id == building_id)
    return stmt


def keys_of_units(user: User, unit_ids: list[int]) -> dict[int, list[Key]]:
    """Each unit's keys (the desk and the pre-handover check), scoped like the ledger."""
    stmt = keys_query(user).where(Key.unit_id.in_(unit_ids))
    grouped: dict[int, list[Key]] = {unit_id: [] for unit_id in unit_ids}
    for key in db.session.scalars(stmt):
        grouped[key.unit_id].append(key)
    return grouped


def last_checks(key_ids: list[int]) -> dict[int, KeyEvent]:
    """The most recent "tried in the lock" event of each key (callers pass keys they may see)."""
    if not key_ids:
        return {}
    latest = (sa.select(sa.func.max(KeyEvent.id)).where(KeyEvent.key_id.in_(key_ids),
                                                         KeyEvent.action == KeyEventType.CHECKED)
              .group_by(KeyEvent.key_id))
    return {event.key_id: event for event in db.session.scalars(sa.select(KeyEvent).where(KeyEvent.id.in_(latest)))}


def get_event(user: User, event_id: int) -> KeyEvent:
    """A custody event of a key the user may see; anything else is NotFound."""
    event = db.session.scalar(sa.select(KeyEvent).join(Key, KeyEvent.key_id == Key.id)
                              .where(KeyEvent.id == event_id)
                              .where(Key.id.in_(scope_keys(sa.select(Key.id), user))))
    if event is None:
        raise NotFound(_("Key event not found."))
    return event


def unit_events(unit_id: int, types: list[KeyEventType] | None = None) -> list[KeyEvent]:
    """Custody events of a unit's keys in time order (callers have checked the unit is visible)."""
    stmt = (sa.select(KeyEvent).join(Key, KeyEvent.key_id == Key.id).where(Key.unit_id == unit_id)
            .options(joinedload(KeyEvent.key)).order_by(KeyEvent.at, KeyEvent.id))
    if types:
        stmt = stmt.where(KeyEvent.action.in_(types))
    return list(db.session.scalars(stmt))


def status_counts(user: User, batch_id: int) -> dict[KeyStatus, int]:
    """How many of the batch's keys are in each status (the ledger's summary line)."""
    stmt = (keys_query(user, batch_id=batch_id).with_only_columns(Key.status, sa.func.count())
            .group_by(Key.status).order_by(None))
    return {KeyStatus(status): count for status, count in db.session.execute(stmt)}


#: events of one unit by the same person this close together were signed in one sitting
SITTING = timedelta(minutes=15)


def sittings(events: Sequence[KeyEvent]) -> list[list[KeyEvent]]:
    """Events (in time order) grouped into sittings: same person, same note, minutes apart."""
    groups: list[list[KeyEvent]] = []
    for event in events:
        last = groups[-1][-1] if groups else None
        if last and last.counterparty == event.counterparty and last.note == event.note \
                and event.at - last.at <= SITTING:
            groups[-1].append(event)
        else:
            groups.append([event])
    return groups


@dataclass(frozen=True)
class Entrustment:
    """One entrustment: the keys the owner left in one sitting, their use meanwhile, their return."""

    events: list[KeyEvent]
    uses: list[KeyEvent]
    returned: KeyEvent | None

    @property
    def first(self) -> KeyEvent:
        return self.events[0]


def unit_entrustments(unit_id: int) -> list[Entrustment]:
    """The unit's entrustments, oldest first (callers have checked the unit is visible)."""
    events = unit_events(unit_id)
    found = []
    for group in sittings([e for e in events if e.action == KeyEventType.ENTRUSTED]):
        key_ids = {e.key_id for e in group}
        later = [e for e in events if e.key_id in key_ids and e.id > group[-1].id]
        returned = next((e for e in later if e.action == KeyEventType.RETURNED_TO_OWNER), None)
        uses = [e for e in later if e.action in (KeyEventType.LENT, KeyEventType.RETURNED, KeyEventType.CHECKED)
                and (returned is None or e.id < returned.id)]
        found.append(Entrustment(group, uses, returned))
    return found


def portal_view(user: User, unit: Unit) -> dict:
    """What a homeowner sees of their unit's keys: each key's state and their entrustments."""
    return {"unit_keys": list(db.session.scalars(keys_query(user, unit_id=unit.id))),
            "key_entrustments": list(reversed(unit_entrustments(unit.id)))}


def recent_borrowers(batch_id: int, limit: int = 30) -> list[str]:
    """Who borrowed the batch's keys lately, most recent first: offered as suggestions when lending."""
    stmt = (sa.select(KeyEvent.counterparty, sa.func.max(KeyEvent.id).label("last"))
            .join(Key, KeyEvent.key_id == Key.id)
            .where(Key.batch_id == batch_id, KeyEvent.action == KeyEventType.LENT, KeyEvent.counterparty != "")
            .group_by(KeyEvent.counterparty).order_by(sa.desc("last")).limit(limit))
    return [name for name, _last in db.session.execute(stmt)]


def keys_out(user: User, batch_id: int, limit: int = 50) -> list[Key]:
    """Keys out on loan right now, the longest out first (the ledger's "who has keys" list)."""
    stmt = (keys_query(user, batch_id=batch_id).where(Key.status.in_(list(rules.OUT)))
            .order_by(None).order_by(Key.due_back_on, Key.id).limit(limit))
    return list(db.session.scalars(stmt))
