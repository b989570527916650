"""The satisfaction dashboard: NPS, response rate, scores by touchpoint, building and dimension."""
from __future__ import annotations

import sqlalchemy as sa

from handover.cases.models import Case, CaseStatus
from handover.extensions import db
from handover.projects.models import Building
from handover.surveys import rules
from handover.surveys.models import DIMENSIONS, SurveyInvitation, Touchpoint


def _summary(invitations: list[SurveyInvitation]) -> dict:
    responses = [i.response for i in invitations if i.response is not None]
    recommends = [r.recommend for r in responses]
    scores: dict[str, float | None] = {}
    for name in DIMENSIONS:
        values = [r.scores[name] for r in responses if name in (r.scores or {})]
        scores[name] = round(sum(values) / len(values), 2) if values else None
    return {"nps": rules.nps(recommends), "responses": len(responses), "invited": len(invitations),
            "response_rate": round(100 * len(responses) / len(invitations)) if invitations else None,
            "scores": scores}


def satisfaction(batch_id: int) -> dict:
    invitations = list(db.session.scalars(sa.select(SurveyInvitation).where(SurveyInvitation.batch_id == batch_id)
                                          .order_by(SurveyInvitation.id)))
    result = _summary(invitations)
    result["by_touchpoint"] = {tp.value: _summary([i for i in invitations if i.touchpoint == tp])
                               for tp in Touchpoint}
    names = dict(db.session.execute(sa.select(Building.id, Building.name).where(Building.batch_id == batch_id)).all())
    result["by_building"] = {names.get(b, "—"): _summary([i for i in invitations if i.building_id == b])
                             for b in sorted({i.building_id for i in invitations}, key=lambda b: names.get(b, ""))}
    case_ids = [i.response.follow_up_case_id for i in invitations if i.response and i.response.follow_up_case_id]
    cases = list(db.session.scalars(sa.select(Case).where(Case.id.in_(case_ids)))) if case_ids else []
    closed = [c for c in cases if c.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)]
    hours = [((c.resolved_at or c.closed_at) - c.created_at).total_seconds() / 3600 for c in closed
             if (c.resolved_at or c.closed_at)]
    result["follow_ups"] = {"opened": len(cases), "closed": len(closed),
                            "mean_hours_to_close": round(sum(hours) / len(hours), 1) if hours else None}
    return result
