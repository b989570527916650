"""Read side of the handover: the gate (every unmet condition, with its reason), the history of
acts, and what the handover page and API show.

The gate asks the domains below: fees for the settlement (one rule, `fees.settlement`), the
unit for its handover state. Later conditions (the walk-through, meter readings, readiness)
register a check with `gate_check`; every caller of `gate` (signing, the key desk, the key
service, the page, the API) then hears them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from handover.extensions import db
from handover.fees.rules import money_text
from handover.fees.settlement import Settlement, line_name, settlement_for
from handover.handovers import rules
from handover.handovers.models import HandoverRecord
from handover.handovers.rules import Condition, Gate, OwedLine, Purpose
from handover.keys import service as key_service
from handover.projects.models import Unit
from handover.risks.queries import readiness_blockers

#: a check looks at the unit and returns its unmet conditions ([] when met)
GateCheck = Callable[[Unit], list[Condition]]
#: (check, the purposes it applies to), in the order their reasons are shown
_CHECKS: list[tuple[GateCheck, frozenset[Purpose]]] = []


def gate_check(*purposes: Purpose) -> Callable[[GateCheck], GateCheck]:
    """Register a condition of the gate for `purposes` (all when none given). The extension point
    for the walk-through, meter readings and readiness: a module adds a check, the gate, the
    key desk, the signing page and the API all show it."""
    applies = frozenset(purposes or Purpose)

    def register(check: GateCheck) -> GateCheck:
        _CHECKS.append((check, applies))
        return check

    return register


def remove_gate_check(check: GateCheck) -> None:
    """Take a registered condition out of the gate again (tests, a module switched off)."""
    _CHECKS[:] = [(registered, purposes) for registered, purposes in _CHECKS if registered is not check]


def gate(unit: Unit, purpose: Purpose = Purpose.SIGN) -> Gate:
    """Every unmet condition for signing the unit's handover (or for handing its keys over)."""
    conditions: list[Condition] = []
    for check, applies in _CHECKS:
        if purpose in applies:
            conditions.extend(check(unit))
    return Gate(unit.id, purpose, tuple(conditions))


def _keys_gate(unit: Unit):
    return gate(unit, Purpose.KEYS)


key_service.answer_owner_handover_with(_keys_gate)


def key_refusal(unit: Unit) -> str | None:
    """Why no key may go to the owner yet (all reasons in one line), or None. For the key desk."""
    return gate(unit, Purpose.KEYS).message


# --- the conditions -----------------------------------------------------------------------------

@gate_check(Purpose.SIGN)
def _not_yet_handed_over(unit: Unit) -> list[Condition]:
    if unit.handed_over_on is None:
        return []
    return [Condition("handed_over", _("The handover of this unit is already signed (%(on)s).",
                                       on=unit.handed_over_on))]


@gate_check()
def _fees(unit: Unit) -> list[Condition]:
    """The statement must be settled (the lines finance names per batch, the area differential
    always): DOMAIN.md "Settled"."""
    if unit.contract is None:
        return [Condition("no_contract", _("The unit has no contract."))]
    settlement = settlement_for(unit)
    if settlement.returned:
        return [Condition("returned", _("The buyer returned the unit: it leaves the handover."))]
    if settlement.pending:
        return [Condition("statement_pending", reason) for reason in settlement.pending]
    if settlement.cleared_for_handover:
        return []
    lines = tuple(OwedLine(item.line.code, line_name(item.line), item.owed) for item in settlement.blocking_lines)
    owed, refund = settlement.owed_before_handover, settlement.refund_before_handover
    listed = "、".join(f"{line.label} ¥{money_text(abs(line.owed))}" for line in lines)
    if owed > 0:
        message = _("Fees not settled: the buyer still owes ¥%(amount)s (%(lines)s).", amount=money_text(owed),
                    lines=listed)
        return [Condition("fees_unsettled", message, owed, lines)]
    message = _("Fees not settled: ¥%(amount)s still to be refunded to the buyer or converted (%(lines)s).",
                amount=money_text(refund), lines=listed)
    return [Condition("refund_unpaid", message, -refund, lines)]


def history(unit_id: int) -> list[HandoverRecord]:
    return list(db.session.scalars(sa.select(HandoverRecord).where(HandoverRecord.unit_id == unit_id)
                                   .order_by(HandoverRecord.id)))



@gate_check(Purpose.SIGN)
def _readiness(unit: Unit) -> list[Condition]:
    """A blocking pre-handover risk covering the unit, neither resolved nor accepted (and not
    overridden by a manager), blocks signing: seed 002 art. 4 and 7 (risks.queries)."""
    return [Condition(blocker["code"], blocker["message"]) for blocker in readiness_blockers(unit)]


@dataclass(frozen=True)
class HandoverView:
    """What the handover page and `GET /units/{id}/handover` show."""

    unit: Unit
    gate: Gate
    #: the unit's acts, oldest first; the last one that is not a revocation is the record in force
    history: list[HandoverRecord]
    settlement: Settlement | None

    @property
    def handed_over_on(self):
        return self.unit.handed_over_on

    @property
    def state(self) -> rules.HandoverState:
        return rules.state_after([row.action for row in self.history])

    @property
    def record(self) -> HandoverRecord | None:
        """The act in force: the latest sign or correction, unless revoked since."""
        if self.state != rules.HandoverState.HANDED_OVER:
            return None
        return self.history[-1]


def handover_view(unit: Unit) -> HandoverView:
    return HandoverView(unit=unit, gate=gate(unit, Purpose.SIGN), history=history(unit.id),
                        settlement=settlement_for(unit) if unit.contract is not None else None)


# the handover day registers its conditions (walk-through, meter readings) when loaded
from handover.handovers import walkthrough as _walkthrough  # noqa: E402,F401
