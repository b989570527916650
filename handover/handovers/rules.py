"""Pure rules of the handover: its life cycle, what may be handed, and what a gate condition is."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from handover.core.lifecycle import TransitionTable


class HandoverState(StrEnum):
    NOT_HANDED_OVER = "not_handed_over"
    HANDED_OVER = "handed_over"

    @property
    def label(self) -> str:
        return str({"not_handed_over": _l("Not handed over"), "handed_over": _l("Handed over")}[self.value])


S = HandoverState
SIGN, CORRECT, REVOKE = "sign", "correct", "revoke"

HANDOVER = TransitionTable("handover", {
    (S.NOT_HANDED_OVER, SIGN): S.HANDED_OVER,
    (S.HANDED_OVER, CORRECT): S.HANDED_OVER,
    (S.HANDED_OVER, REVOKE): S.NOT_HANDED_OVER,
}, labels={SIGN: _l("Sign the handover"), CORRECT: _l("Correct the handover date"),
           REVOKE: _l("Revoke the handover")})


def state_after(actions: list[str]) -> HandoverState:
    """The state after a unit's acts, oldest first."""
    state = S.NOT_HANDED_OVER
    for action in actions:
        state = HANDOVER.next(state, action)
    return state


#: what the owner may receive at the signing (ticked on the record)
HANDED_ITEMS = {
    "keys": _l("Keys"),
    "quality_guarantee": _l("Residential quality guarantee (住宅质量保证书)"),
    "user_manual": _l("Residential user manual (住宅使用说明书)"),
    "handover_confirmation": _l("Handover confirmation (收楼确认书)"),
    "owner_handbook": _l("Owner handbook (业主手册)"),
    "access_cards": _l("Access cards (门禁卡)"),
    "gift": _l("Gift, one per household (交付礼品)"),
}


class Purpose(StrEnum):
    """What the gate is asked for: signing the handover, or handing keys to the owner."""

    SIGN = "sign"
    KEYS = "keys"


@dataclass(frozen=True)
class OwedLine:
    code: str
    label: str
    #: positive: the buyer still owes it; negative: the developer still owes the buyer
    owed: Decimal


@dataclass(frozen=True)
class Condition:
    """One unmet condition of the gate, with the reason a person can act on."""

    code: str
    message: str
    #: money still to move before the handover (fees), and on which lines
    amount: Decimal | None = None
    lines: tuple[OwedLine, ...] = field(default_factory=tuple)

    def as_detail(self) -> dict:
        """The condition as an error detail ({field, message} plus what the client needs)."""
        detail = {"field": "gate", "message": self.message, "code": self.code}
        if self.amount is not None:
            detail["amount"] = str(self.amount)
            detail["lines"] = [{"code": line.code, "label": line.label, "owed": str(line.owed)}
                               for line in self.lines]
        return detail


@dataclass(frozen=True)
class Gate:
    """Every unmet condition for `purpose`; open when there is none."""

    unit_id: int
    purpose: Purpose
    conditions: tuple[Condition, ...]

    @property
    def open(self) -> bool:
        return not self.conditions

    @property
    def message(self) -> str | None:
        """All reasons in one sentence (for places that show one line), or None when open."""
        return " ".join(c.message for c in self.conditions) or None

    def details(self) -> list[dict]:
        return [c.as_detail() for c in self.conditions]

    def has(self, code: str) -> bool:
        return any(c.code == code for c in self.conditions)
