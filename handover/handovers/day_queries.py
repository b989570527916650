"""Read side of the handover day: the site console's figures and the evening bulletin's."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from handover.extensions import db
from handover.handovers import appointments, day_rules, visits
from handover.handovers.day_models import Visit, VisitStep
from handover.projects.models import Unit


@dataclass
class DaySummary:
    date: date
    appointments: int
    checked_in: int
    #: station → people waiting there now
    waiting: dict[str, int]
    handed_over: int
    handed_over_total: int
    planned: int | None
    #: [{ticket_no, unit, step, note}]
    refused: list[dict] = field(default_factory=list)
    average_wait_minutes: float | None = None
    average_wait_per_station: dict[str, float | None] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)


def _minutes(start, end) -> float:
    return (end - start).total_seconds() / 60


def day_summary(batch_id: int, day: date) -> DaySummary:
    steps = appointments.steps_of(batch_id)
    day_visits = visits.visits_of_day(batch_id, day)
    waiting = {step: len(visits.queue(batch_id, step, day=day)) for step in steps}
    waits: dict[str, list[float]] = {step: [] for step in steps}
    step_rows = db.session.scalars(sa.select(VisitStep).join(Visit).where(Visit.batch_id == batch_id,
                                                                         Visit.day == day))
    for row in step_rows:
        served = row.called_at or row.finished_at
        if row.waiting_since is not None and served is not None:
            waits.setdefault(row.step, []).append(max(0.0, _minutes(row.waiting_since, served)))
    every = [m for ms in waits.values() for m in ms]
    refused = []
    for visit in day_visits:
        if visit.status == day_rules.VISIT_REFUSED:
            step = next((s for s in visit.steps if s.status == day_rules.REFUSED), None)
            refused.append({"ticket_no": visit.ticket_no, "unit": visit.unit.label, "unit_id": visit.unit_id,
                            "step": step.step if step else "", "note": step.note if step else ""})
    handed_today = db.session.scalar(sa.select(sa.func.count()).select_from(Unit)
                                     .where(Unit.batch_id == batch_id, Unit.handed_over_on == day))
    handed_total = db.session.scalar(sa.select(sa.func.count()).select_from(Unit)
                                     .where(Unit.batch_id == batch_id, Unit.handed_over_on.is_not(None)))
    setup = appointments.setup_for(batch_id)
    planned = (setup.planned if setup and setup.planned else
               db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.batch_id == batch_id)))
    return DaySummary(
        date=day, appointments=len(appointments.appointments(batch_id, day=day)), checked_in=len(day_visits),
        waiting=waiting, handed_over=handed_today, handed_over_total=handed_total, planned=planned, refused=refused,
        average_wait_minutes=round(sum(every) / len(every), 1) if every else None,
        average_wait_per_station={step: (round(sum(ms) / len(ms), 1) if ms else None) for step, ms in waits.items()},
        steps=steps)


def local_day_bounds(day: date):
    """[start, end) of a local calendar day as aware datetimes."""
    from datetime import datetime, timedelta

    from handover.core.timeutil import local_tz

    start = datetime.combine(day, datetime.min.time(), tzinfo=local_tz())
    return start, start + timedelta(days=1)
