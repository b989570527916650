"""Pure rules of the handover day: the stations a visit goes through, the life cycle of a step,
and when an appointment's reminder is due (seed 002 篇4 art. 11, 14, 17, 20-24)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from handover.core.lifecycle import TransitionTable

#: the stations, in the default order (资料审核 → 费用结算 → 验房 → 签约 → 领钥匙)
STEPS = {
    "documents": _l("Documents (资料审核)"),
    "fees": _l("Fees (费用结算)"),
    "walkthrough": _l("Walk-through (验房)"),
    "signing": _l("Signing (签约)"),
    "keys": _l("Keys (领钥匙)"),
}
DEFAULT_STEPS = tuple(STEPS)

# a step's status
PENDING, CALLED, DONE, REFUSED, SKIPPED = "pending", "called", "done", "refused", "skipped"
STEP_STATUS_LABELS = {PENDING: _l("Waiting"), CALLED: _l("Called"), DONE: _l("Done"), REFUSED: _l("Refused"),
                      SKIPPED: _l("Skipped")}
FINISHED = (DONE, SKIPPED)

STEP = TransitionTable("visit_step", {
    (PENDING, "call"): CALLED,
    (CALLED, "call"): CALLED,  # called again (the owner did not come)
    (PENDING, DONE): DONE,
    (CALLED, DONE): DONE,
    (PENDING, REFUSED): REFUSED,
    (CALLED, REFUSED): REFUSED,
    (PENDING, SKIPPED): SKIPPED,
    (CALLED, SKIPPED): SKIPPED,
}, labels={"call": _l("Call"), DONE: _l("Done"), REFUSED: _l("Refused"), SKIPPED: _l("Skip")},
    guards={REFUSED: lambda note: [] if (note or "").strip() else [
        {"field": "note", "message": str(_l("Give the reason for the refusal."))}]})

# a visit's status
OPEN, COMPLETED, VISIT_REFUSED = "open", "completed", "refused"
VISIT_STATUS_LABELS = {OPEN: _l("In progress"), COMPLETED: _l("Completed"), VISIT_REFUSED: _l("Refused (拒收)")}

# how the person at the desk proved who they are
IDENTITIES = {"owner": _l("Owner"), "co_owner": _l("Co-owner"), "proxy": _l("Proxy with notarised letter")}

METERS = {"water": _l("Water (m³)"), "electricity": _l("Electricity (kWh)"), "gas": _l("Gas (m³)")}

#: what may be handed at the signing beyond keys (one per household, with who handed it)
DAY_DOCUMENTS = {
    "quality_guarantee": _l("Residential quality guarantee (住宅质量保证书)"),
    "user_manual": _l("Residential user manual (住宅使用说明书)"),
    "owner_handbook": _l("Owner handbook (业主手册)"),
    "access_cards": _l("Access cards (门禁卡)"),
    "gift": _l("Gift (交付礼品)"),
}


def check_steps(steps: list[str]) -> list[dict]:
    """Problems with a batch's configured stations ([] when fine)."""
    problems = []
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        problems.append({"field": "steps", "message": str(_l("Unknown station: %(s)s.", s=", ".join(unknown)))})
    if not steps:
        problems.append({"field": "steps", "message": str(_l("Choose at least one station."))})
    if len(set(steps)) != len(steps):
        problems.append({"field": "steps", "message": str(_l("A station is listed twice."))})
    return problems


def check_slot(starts_at: datetime | None, ends_at: datetime | None, capacity: int | None) -> list[dict]:
    problems = []
    if starts_at is None:
        problems.append({"field": "starts_at", "message": str(_l("Enter when the slot starts."))})
    if ends_at is None:
        problems.append({"field": "ends_at", "message": str(_l("Enter when the slot ends."))})
    if starts_at and ends_at and ends_at <= starts_at:
        problems.append({"field": "ends_at", "message": str(_l("The slot must end after it starts."))})
    if capacity is None or capacity < 1:
        problems.append({"field": "capacity", "message": str(_l("The capacity is at least 1."))})
    return problems


def reminder_due(slot_day: date, tz) -> datetime:
    """The reminder goes out at 10:00 local time the day before the slot."""
    return datetime.combine(slot_day - timedelta(days=1), time(10, 0), tzinfo=tz)


def parse_reading(value) -> tuple[Decimal | None, str | None]:
    """A meter reading: a decimal ≥ 0 with at most 2 places; (value, None) or (None, problem)."""
    if value is None or str(value).strip() == "":
        return None, str(_l("Enter the reading."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None, str(_l("The reading must be a number."))
    if not number.is_finite():
        return None, str(_l("The reading must be a number."))
    if number < 0:
        return None, str(_l("The reading cannot be negative."))
    if number > Decimal("99999999.99") or number != number.quantize(Decimal("0.01")):
        return None, str(_l("At most 8 digits and 2 decimal places."))
    return number.quantize(Decimal("0.01")), None


def id_last4_matches(id_number: str | None, last4: str) -> bool:
    return bool(id_number) and bool(last4) and id_number.strip().upper()[-4:] == last4.strip().upper()
