"""Notifications after the commit (never on a rollback), quiet hours and the contact limit;
surveys: each pestering rule alone stops an invitation, a low score opens a follow-up case."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from handover.accounts.models import User
from handover.cases import service as case_service
from handover.cases.models import Case, CaseKind
from handover.core.timeutil import freeze
from handover.extensions import db
from handover.notifications import rules as note_rules
from handover.notifications import service as notes
from handover.notifications.models import Channel, Delivery, DeliveryStatus, Notification, NotificationPreference
from handover.projects.models import Unit
from handover.surveys import rules as survey_rules
from handover.surveys import service as surveys
from handover.surveys.models import SurveyInvitation, Touchpoint

DAY = datetime(2099, 3, 2, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai
NIGHT = datetime(2099, 3, 2, 14, 0, tzinfo=timezone.utc)  # 22:00 in Shanghai


def _inbox(app, user_id):
    with app.app_context():
        return [n.title for n in db.session.scalars(sa.select(Notification).where(Notification.user_id == user_id))]


def _raise_case(app, world):
    with app.test_request_context(method="POST"):
        owner = db.session.get(User, world.owner.user_id)
        case = case_service.raise_case(db.session.get(Unit, world.a1.id),
                                       case_service.NewCase(kind=CaseKind.REPAIR, description="漏水"), actor=owner)
        db.session.commit()
        return case.id


def test_the_owner_hears_of_a_case_update_only_after_the_commit(app, world):
    case_id = _raise_case(app, world)
    with app.test_request_context(method="POST"):
        staff = db.session.get(User, world.users["property"])
        case_service.act(db.session.get(Case, case_id), "acknowledge", actor=staff)
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0  # flushed, not committed
        db.session.commit()
    assert any("新进展" in t for t in _inbox(app, world.owner.user_id))


def test_a_rolled_back_act_sends_nothing(app, world):
    case_id = _raise_case(app, world)
    with app.test_request_context(method="POST"):
        staff = db.session.get(User, world.users["property"])
        case_service.act(db.session.get(Case, case_id), "acknowledge", actor=staff)
        db.session.rollback()
        db.session.commit()
    assert _inbox(app, world.owner.user_id) == []


def test_quiet_hours_defer_an_sms_and_the_inbox_gets_it_at_once(app, world):
    with app.test_request_context(method="POST"), freeze(NIGHT):
        with notes.in_own_transaction() as session:
            notes.notify(session, world.owner.user_id, "key_returned", place="1-1-101")
        row = db.session.scalar(sa.select(Delivery).where(Delivery.channel == Channel.SMS))
        assert row.status == DeliveryStatus.DEFERRED
        assert row.send_after.astimezone(timezone.utc) == datetime(2099, 3, 3, 0, 0, tzinfo=timezone.utc)  # 08:00
    with app.test_request_context(method="POST"):
        with notes.in_own_transaction() as session:
            assert notes.send_deferred(session, now=datetime(2099, 3, 3, 0, 1, tzinfo=timezone.utc)) == 1
        assert db.session.scalar(sa.select(Delivery.status).where(Delivery.channel == Channel.SMS)) \
            == DeliveryStatus.DELIVERED
    assert _inbox(app, world.owner.user_id) == ["您委托的钥匙已归还"]


def test_the_contact_limit_holds_non_essential_messages_but_never_the_inbox(app, world):
    with app.test_request_context(method="POST"), freeze(DAY):
        with notes.in_own_transaction() as session:
            for _n in range(5):
                notes.notify(session, world.owner.user_id, "survey_invite", touchpoint="交房")
            notes.notify(session, world.owner.user_id, "case_reply", essential=True, number="C1", note="明天上门")
        sms = db.session.scalars(sa.select(Delivery.status).where(Delivery.channel == Channel.SMS)
                                 .order_by(Delivery.id)).all()
    assert sms == [DeliveryStatus.DELIVERED] * 3 + [DeliveryStatus.HELD] * 2 + [DeliveryStatus.DELIVERED]
    assert len(_inbox(app, world.owner.user_id)) == 6


def test_quiet_hours_rule_over_midnight():
    quiet = note_rules.Quiet(21, 8)
    assert quiet.covers(datetime(2099, 1, 1, 22)) and quiet.covers(datetime(2099, 1, 1, 7))
    assert not quiet.covers(datetime(2099, 1, 1, 8)) and not quiet.covers(datetime(2099, 1, 1, 20, 59))
    assert note_rules.over_limit(3, 3, essential=False) and not note_rules.over_limit(3, 3, essential=True)


# --- surveys ------------------------------------------------------------------------------------

def test_nps_arithmetic():
    assert survey_rules.nps([10, 9, 8, 7, 6, 0]) == 0  # 2 promoters, 2 detractors of 6
    assert survey_rules.nps([10, 10, 9, 5]) == 50
    assert survey_rules.nps([]) is None


@pytest.mark.parametrize("rule", ["opted_out", "open_complaint", "unanswered", "too_soon"])
def test_each_pestering_rule_alone_stops_an_invitation(rule):
    now = DAY
    base = {"now": now, "last_invited_at": now - timedelta(days=30), "unanswered_in_row": 0, "opted_out": False,
            "open_complaint": False}
    assert survey_rules.why_not_invite(**base) is None
    change = {"opted_out": {"opted_out": True}, "open_complaint": {"open_complaint": True},
              "unanswered": {"unanswered_in_row": 2},
              "too_soon": {"last_invited_at": now - timedelta(days=13)}}[rule]
    assert survey_rules.why_not_invite(**{**base, **change}) is not None


def _invite(app, world, subject, touchpoint=Touchpoint.HANDOVER, at=DAY):
    with app.test_request_context(method="POST"):
        with notes.in_own_transaction() as session:
            found = surveys.invite(session, owner_id=world.a1.owner_id, unit_id=world.a1.id, touchpoint=touchpoint,
                                   subject=subject, now=at)
            return found.id if found else None


def test_invitations_respect_the_interval_and_an_open_complaint(app, world):
    assert _invite(app, world, "unit:1") is not None
    assert _invite(app, world, "defect:x", Touchpoint.AFTER_REPAIR, DAY + timedelta(days=3)) is None  # too soon
    with app.test_request_context(method="POST"):
        owner = db.session.get(User, world.owner.user_id)
        case_service.raise_case(db.session.get(Unit, world.a1.id),
                                case_service.NewCase(kind=CaseKind.COMPLAINT, description="噪音"), actor=owner)
        db.session.commit()
    assert _invite(app, world, "defect:y", Touchpoint.AFTER_REPAIR, DAY + timedelta(days=20)) is None


def test_opting_out_stops_invitations(app, world):
    with app.app_context():
        db.session.add(NotificationPreference(user_id=world.owner.user_id, opt_out=True))
        db.session.commit()
    assert _invite(app, world, "unit:1") is None


def test_closing_a_case_invites_its_owner_at_once(app, api, world):
    case_id = api.token(world.owner.username).post(f"/api/v1/units/{world.a1.id}/cases", json={
        "kind": "inquiry", "description": "物业费怎么交"}).get_json()["id"]
    staff = api.token("property")
    for action in ("acknowledge", "resolve"):
        assert staff.post(f"/api/v1/cases/{case_id}/transitions", json={"action": action}).status_code == 200
    owner = api.token(world.owner.username)
    assert owner.get("/api/v1/me/surveys").get_json() == []
    assert owner.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "close"}).status_code == 200
    invitations = owner.get("/api/v1/me/surveys").get_json()
    assert [i["touchpoint"] for i in invitations] == ["after_case"]
    inbox = owner.get("/api/v1/me/notifications").get_json()
    assert inbox["unread"] >= 1 and any("评价" in n["title"] for n in inbox["items"])
    assert owner.post("/api/v1/me/notifications/read", json={}).get_json()["unread"] == 0


def test_a_low_score_opens_a_follow_up_case_and_notifies_at_once(app, api, world):
    invitation_id = _invite(app, world, "unit:1")
    owner = api.token(world.owner.username)
    assert owner.post(f"/api/v1/survey-invitations/{invitation_id}/response", json={"recommend": 11}).status_code == 422
    response = owner.post(f"/api/v1/survey-invitations/{invitation_id}/response",
                          json={"recommend": 4, "scores": {"quality": 2}, "comment": "墙面开裂没人管"})
    assert response.status_code == 201, response.get_json()
    case_id = response.get_json()["follow_up_case_id"]
    assert case_id
    assert owner.post(f"/api/v1/survey-invitations/{invitation_id}/response", json={"recommend": 9}).status_code == 409
    assert any("低分回访" in t for t in _inbox(app, world.users["manager"]))
    assert any(c["id"] == case_id for c in api.token("manager").get("/api/v1/cases").get_json())
    board = api.token("manager").get(f"/api/v1/batches/{world.a.batch_id}/satisfaction").get_json()
    assert (board["nps"], board["responses"], board["invited"], board["response_rate"]) == (-100, 1, 1, 100)
    assert board["follow_ups"] == {"opened": 1, "closed": 0, "mean_hours_to_close": None}
    assert board["by_touchpoint"]["handover"]["responses"] == 1


def test_another_owners_invitation_is_404(app, api, world, activate_owner):
    invitation_id = _invite(app, world, "unit:1")
    other = activate_owner(world.a2.owner_id, world.users["admin"])
    assert api.token(other.username).post(f"/api/v1/survey-invitations/{invitation_id}/response",
                                          json={"recommend": 9}).status_code == 404
    with app.app_context():
        assert db.session.get(SurveyInvitation, invitation_id).answered_at is None
