"""Pure rules of surveys: do not pester, what a low score is, and the NPS arithmetic."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

#: at most one invitation per owner in this many days (configurable: SURVEY_MIN_INTERVAL_DAYS)
MIN_INTERVAL_DAYS = 14
#: none after this many unanswered invitations in a row
MAX_UNANSWERED = 2


def why_not_invite(*, now: datetime, last_invited_at: datetime | None, unanswered_in_row: int, opted_out: bool,
                   open_complaint: bool, interval_days: int = MIN_INTERVAL_DAYS) -> str | None:
    """The reason not to invite this owner now (None: invite). Each rule alone stops it."""
    if opted_out:
        return "opted out"
    if open_complaint:
        return "open complaint"
    if unanswered_in_row >= MAX_UNANSWERED:
        return "unanswered"
    if last_invited_at is not None and now - last_invited_at < timedelta(days=interval_days):
        return "too soon"
    return None


def is_low(recommend: int, scores: dict[str, int]) -> bool:
    """A score that needs a call at once: recommend ≤ 6, or any dimension ≤ 2."""
    return recommend <= 6 or any(value <= 2 for value in scores.values())


def nps(recommends: list[int]) -> int | None:
    """Promoters (9–10) minus detractors (0–6), in percent of the responses (None: no response)."""
    if not recommends:
        return None
    promoters = sum(1 for r in recommends if r >= 9)
    detractors = sum(1 for r in recommends if r <= 6)
    return round(100 * (promoters - detractors) / len(recommends))


def answer_problems(recommend, scores: dict, dimensions) -> list[dict]:
    problems = []
    if not isinstance(recommend, int) or not 0 <= recommend <= 10:
        problems.append({"field": "recommend", "message": str(_l("Choose a number from 0 to 10."))})
    for name, value in (scores or {}).items():
        if name not in dimensions:
            problems.append({"field": f"scores.{name}", "message": str(_l("Unknown question."))})
        elif not isinstance(value, int) or not 1 <= value <= 5:
            problems.append({"field": f"scores.{name}", "message": str(_l("Choose a score from 1 to 5."))})
    return problems
