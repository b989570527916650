"""Key custody as data: which event may follow which status, and the replay that derives state."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from handover.core import lifecycle
from handover.core.lifecycle import TransitionTable
from handover.keys.models import KeyEventType as E
from handover.keys.models import KeyStatus as S

OUT = frozenset({S.ON_LOAN, S.ENTRUSTED_ON_LOAN})
GONE = frozenset({S.LOST, S.RETIRED})

KEY_TRANSITIONS: dict[tuple[S, E], S] = {
    (S.WITH_CONTRACTOR, E.RECEIVED): S.IN_OFFICE,
    (S.IN_OFFICE, E.CHECKED): S.IN_OFFICE,
    (S.IN_OFFICE, E.LENT): S.ON_LOAN,
    (S.ON_LOAN, E.RETURNED): S.IN_OFFICE,
    (S.IN_OFFICE, E.HANDED_TO_OWNER): S.WITH_OWNER,
    (S.WITH_OWNER, E.ENTRUSTED): S.ENTRUSTED,
    (S.ENTRUSTED, E.CHECKED): S.ENTRUSTED,
    (S.ENTRUSTED, E.LENT): S.ENTRUSTED_ON_LOAN,  # a repair crew borrows the owner's key
    (S.ENTRUSTED_ON_LOAN, E.RETURNED): S.ENTRUSTED,
    (S.ENTRUSTED, E.RETURNED_TO_OWNER): S.WITH_OWNER,
    **{(status, E.LOST): S.LOST for status in S if status not in GONE},
    **{(status, E.LOCK_CHANGED): S.RETIRED for status in S if status != S.RETIRED},
}

#: events the owner signs on the tablet
SIGNED_EVENTS = frozenset({E.HANDED_TO_OWNER, E.ENTRUSTED, E.RETURNED_TO_OWNER})
#: events that need to say who the other party is
COUNTERPARTY_EVENTS = frozenset({E.LENT, E.HANDED_TO_OWNER, E.ENTRUSTED, E.RETURNED_TO_OWNER, E.RECEIVED})

_REFUSALS = {
    (S.ON_LOAN, E.LENT): _l("The key is out on loan: it must be returned before it can be lent again."),
    (S.ENTRUSTED_ON_LOAN, E.LENT): _l("The key is out on loan: it must be returned before it can be lent again."),
    (S.ON_LOAN, E.HANDED_TO_OWNER): _l("The key is out on loan: it cannot be handed to the owner."),
    (S.WITH_OWNER, E.RETURNED_TO_OWNER): _l("The key can only be returned to the owner after an entrustment."),
    (S.IN_OFFICE, E.RETURNED_TO_OWNER): _l("The key can only be returned to the owner after an entrustment."),
}


@dataclass(frozen=True)
class KeyAct:
    """What the guards look at: the event asked for and what came with it."""

    type: E
    counterparty: str = ""
    signed: bool = False
    result_ok: bool | None = None
    #: the key opens a unit (public-room keys never go to owners)
    unit_key: bool = True


def _needs_counterparty(act: KeyAct) -> list[dict]:
    if act.type in COUNTERPARTY_EVENTS and not act.counterparty.strip():
        return [{"field": "to", "message": str(_l("Say who the key goes to or comes from."))}]
    return []


def _needs_signature(act: KeyAct) -> list[dict]:
    if act.type in SIGNED_EVENTS and not act.signed:
        return [{"field": "signature", "message": str(_l("The owner's signature is required."))}]
    return []


def _needs_result(act: KeyAct) -> list[dict]:
    if act.type == E.CHECKED and act.result_ok is None:
        return [{"field": "result", "message": str(_l("Say whether the key opened the lock."))}]
    return []


def _needs_unit_key(act: KeyAct) -> list[dict]:
    if act.type in OWNER_EVENTS and not act.unit_key:
        return [{"field": "type", "message": str(_l("Public room keys do not go to owners."))}]
    return []


def _all(*guards):
    return lambda act: [problem for guard in guards for problem in guard(act)]


#: events that only make sense for a unit's key
OWNER_EVENTS = frozenset({E.HANDED_TO_OWNER, E.ENTRUSTED, E.RETURNED_TO_OWNER})

#: the chain of custody: moves, plain refusals for the common mistakes, and each event's guards
KEY = TransitionTable("key", KEY_TRANSITIONS, refusals=_REFUSALS,
                      guards={event: _all(_needs_counterparty, _needs_signature, _needs_result, _needs_unit_key)
                              for event in E})


OFFICE = "物业办公室"


def holder_after(event: E, status: S, counterparty: str, previous_holder: str) -> str:
    """Who holds the key after the event: exactly one holder at any moment."""
    if status in (S.IN_OFFICE,):
        return OFFICE
    if status == S.ENTRUSTED:
        return f"{OFFICE}（代业主保管）"
    if status in OUT or status == S.WITH_OWNER:
        return counterparty or previous_holder
    if status == S.WITH_CONTRACTOR:
        return previous_holder
    return ""


@dataclass(frozen=True)
class KeyState:
    status: S
    holder: str
    lent_on: date | None


def replay(events, *, initial_holder: str = "总包单位") -> KeyState:
    """The key's state, derived from its events alone (the cache on Key must always equal this)."""
    status, holder, lent_on = S.WITH_CONTRACTOR, initial_holder, None
    for event in events:
        status = KEY.next(status, event.action)
        holder = holder_after(event.action, status, event.counterparty, holder)
        lent_on = event.local_day if status in OUT and event.action == E.LENT else (lent_on if status in OUT else None)
    return KeyState(status, holder, lent_on)


def is_overdue(status: S, due_back_on: date | None, today: date) -> bool:
    """Loans are due back the same day; one still out after that day is overdue (the kit's one
    "overdue", with "done" meaning the key is no longer out)."""
    return lifecycle.is_overdue(due_back_on, done=status not in OUT, today=today)


#: the permission each custody event needs (who holds it: accounts.permissions); the service refuses anyone else
EVENT_PERMISSIONS: dict[E, str] = {
    E.RECEIVED: "keys.manage", E.CHECKED: "keys.manage", E.LOST: "keys.manage", E.LOCK_CHANGED: "keys.manage",
    E.LENT: "keys.lend", E.RETURNED: "keys.lend",
    E.HANDED_TO_OWNER: "keys.hand_to_owner", E.ENTRUSTED: "keys.hand_to_owner", E.RETURNED_TO_OWNER: "keys.hand_to_owner",
}
