"""Survey use cases: invite (only from domain events, never pestering), answer, and open a
follow-up case with a notification in the same transaction when the score is low."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from handover.accounts.models import User
from handover.cases import queries as case_queries
from handover.cases import service as case_service
from handover.core.errors import Conflict, NotPermitted, ValidationFailed
from handover.core.events import announce, survey_answered
from handover.core.timeutil import now_utc
from handover.extensions import db
from handover.notifications import service as notifications
from handover.projects.models import Unit
from handover.surveys import rules
from handover.surveys.models import DIMENSIONS, SurveyInvitation, SurveyResponse, Touchpoint


def _interval_days() -> int:
    return int(current_app.config.get("SURVEY_MIN_INTERVAL_DAYS", rules.MIN_INTERVAL_DAYS))


def _opted_out(session: Session, owner_id: int) -> bool:
    return any(notifications.preference(session, user_id).opt_out
               for user_id in notifications.owner_user_ids(session, owner_id))


def _unanswered_in_row(session: Session, owner_id: int) -> int:
    recent = session.scalars(sa.select(SurveyInvitation.answered_at).where(SurveyInvitation.owner_id == owner_id)
                             .order_by(SurveyInvitation.created_at.desc(), SurveyInvitation.id.desc())
                             .limit(rules.MAX_UNANSWERED)).all()
    count = 0
    for answered in recent:
        if answered is not None:
            break
        count += 1
    return count


def why_not(session: Session, owner_id: int, now: datetime) -> str | None:
    last = session.scalar(sa.select(sa.func.max(SurveyInvitation.created_at))
                          .where(SurveyInvitation.owner_id == owner_id))
    return rules.why_not_invite(now=now, last_invited_at=last, unanswered_in_row=_unanswered_in_row(session, owner_id),
                                opted_out=_opted_out(session, owner_id),
                                open_complaint=case_queries.owner_has_open_complaint(owner_id, session),
                                interval_days=_interval_days())


def invite(session: Session, *, owner_id: int, unit_id: int | None, touchpoint: Touchpoint, subject: str,
           now: datetime | None = None) -> SurveyInvitation | None:
    """Invite the owner to the touchpoint's survey unless a pestering rule says no (then None)."""
    now = now or now_utc()
    if session.scalar(sa.select(SurveyInvitation.id).where(
            SurveyInvitation.owner_id == owner_id, SurveyInvitation.touchpoint == touchpoint,
            SurveyInvitation.subject == subject)):
        return None
    if why_not(session, owner_id, now):
        return None
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        return None
    invitation = SurveyInvitation(owner_id=owner_id, batch_id=unit.batch_id, building_id=unit.building_id,
                                  unit_id=unit.id, touchpoint=touchpoint, subject=subject, created_at=now)
    session.add(invitation)
    session.flush()
    for user_id in notifications.owner_user_ids(session, owner_id):
        notifications.notify(session, user_id, "survey_invite", link=f"/my/surveys/{invitation.id}", now=now,
                             touchpoint=touchpoint.label, dedupe_key=f"survey:{invitation.id}:{user_id}")
    return invitation


def open_invitations(user: User) -> list[SurveyInvitation]:
    if not user.is_owner:
        return []
    return list(db.session.scalars(sa.select(SurveyInvitation).where(
        SurveyInvitation.owner_id == user.owner_id, SurveyInvitation.answered_at.is_(None))
        .order_by(SurveyInvitation.id.desc())))


def get_invitation(user: User, invitation_id: int) -> SurveyInvitation:
    from handover.core.errors import NotFound

    invitation = db.session.get(SurveyInvitation, invitation_id)
    if invitation is None or not user.is_owner or invitation.owner_id != user.owner_id:
        raise NotFound(_("Survey not found."))
    return invitation


def respond(invitation: SurveyInvitation, *, recommend, scores: dict | None = None, comment: str = "",
            complaint: bool = False, actor: User) -> SurveyResponse:
    """Answer an invitation once. A low score (recommend ≤ 6 or a dimension ≤ 2) or a comment
    flagged as a complaint opens a follow-up case and notifies the responsible staff at once,
    in this same transaction."""
    if not actor.is_owner or invitation.owner_id != actor.owner_id:
        raise NotPermitted(_("You are not allowed to do this."))
    if invitation.answered_at is not None:
        raise Conflict(_("You have already answered this survey. Thank you!"))
    scores = scores or {}
    problems = rules.answer_problems(recommend, scores, DIMENSIONS)
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)
    now = now_utc()
    response = SurveyResponse(invitation=invitation, recommend=recommend, scores=dict(scores),
                              comment=(comment or "").strip(), created_at=now)
    invitation.answered_at = now
    db.session.add(response)
    db.session.flush()
    if rules.is_low(recommend, scores) or complaint:
        text = _("Low score at “%(touchpoint)s”: recommend %(r)s/10. %(comment)s",
                 touchpoint=invitation.touchpoint.label, r=recommend, comment=response.comment)
        case = case_service.open_follow_up(batch_id=invitation.batch_id, unit_id=invitation.unit_id,
                                           owner_id=invitation.owner_id, description=text.strip(), actor=actor)
        response.follow_up_case_id = case.id
        for user_id in notifications.staff_user_ids(db.session, "cases.follow_up", invitation.batch_id):
            notifications.notify(db.session, user_id, "follow_up", link=f"/cases/{case.id}", essential=True,
                                 number=case.number, touchpoint=invitation.touchpoint.label, recommend=recommend)
        db.session.flush()
    announce(survey_answered, invitation_id=invitation.id, recommend=recommend)
    return response
