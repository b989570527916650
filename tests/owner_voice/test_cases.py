"""Cases: the life cycle, the committed times and their breach, owners seeing only their own."""
from datetime import datetime, timedelta, timezone

import pytest

from handover.cases import rules
from handover.cases.models import Case, CaseKind, CaseSeverity, CaseStatus
from handover.core.errors import TransitionNotAllowed
from handover.core.timeutil import freeze
from handover.extensions import db
from handover.notifications.models import Notification

T0 = datetime(2099, 3, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


def test_the_transition_table_walks_the_life_cycle_and_refuses_the_rest():
    s = CaseStatus.NEW
    s = rules.CASE.move(s, "acknowledge")
    s = rules.CASE.move(s, "start")
    s = rules.CASE.move(s, "resolve")
    assert rules.CASE.move(s, "close") == CaseStatus.CLOSED
    assert rules.CASE.move(CaseStatus.CLOSED, "reopen") == CaseStatus.IN_PROGRESS
    with pytest.raises(TransitionNotAllowed):
        rules.CASE.move(CaseStatus.NEW, "close")
    with pytest.raises(TransitionNotAllowed):
        rules.CASE.move(CaseStatus.CLOSED, "resolve")
    assert rules.CASE.move(CaseStatus.ACKNOWLEDGED, "escalate") == CaseStatus.ACKNOWLEDGED


def test_due_times_follow_the_defaults_per_kind():
    ack, resolve = rules.due_times(T0, rules.DEFAULT_SLA[(CaseKind.REPAIR, CaseSeverity.NORMAL)])
    assert (ack - T0, resolve - T0) == (timedelta(hours=24), timedelta(days=7))
    _ack, resolve = rules.due_times(T0, rules.DEFAULT_SLA[(CaseKind.COMPLAINT, CaseSeverity.NORMAL)])
    assert resolve - T0 == timedelta(days=3)


def test_breach_is_the_first_unmet_committed_time():
    ack, resolve = T0 + timedelta(hours=24), T0 + timedelta(days=3)
    assert rules.breach_of(CaseStatus.NEW, ack, resolve, T0 + timedelta(hours=23)) == ""
    assert rules.breach_of(CaseStatus.NEW, ack, resolve, T0 + timedelta(hours=25)) == "acknowledge"
    assert rules.breach_of(CaseStatus.ACKNOWLEDGED, ack, resolve, T0 + timedelta(hours=25)) == ""
    assert rules.breach_of(CaseStatus.IN_PROGRESS, ack, resolve, T0 + timedelta(days=4)) == "resolve"
    assert rules.breach_of(CaseStatus.RESOLVED, ack, resolve, T0 + timedelta(days=4)) == ""


def _raise(api, world, kind="repair", **extra):
    body = {"kind": kind, "description": "卫生间天花板漏水", "category": "漏水", **extra}
    return api.token(world.owner.username).post(f"/api/v1/units/{world.a1.id}/cases", json=body)


def test_owner_raises_a_case_and_sees_its_due_times(app, api, world):
    with freeze(T0):
        response = _raise(api, world)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "new"
    assert body["acknowledge_by"].startswith("2099-03-03T02:00")
    assert body["resolve_by"].startswith("2099-03-09T02:00")


def test_an_owner_cannot_raise_a_case_for_another_unit_nor_see_another_owners_case(app, api, world):
    assert api.token(world.owner.username).post(f"/api/v1/units/{world.a2.id}/cases",
                                                json={"kind": "repair", "description": "x"}).status_code == 404
    other = api.token("property").post(f"/api/v1/units/{world.a2.id}/cases",
                                       json={"kind": "inquiry", "description": "何时通燃气", "source": "phone"})
    assert other.status_code == 201
    owner = api.token(world.owner.username)
    assert owner.get(f"/api/v1/cases/{other.get_json()['id']}").status_code == 404
    assert owner.get("/api/v1/cases").get_json() == []


def test_internal_notes_never_reach_the_owner(app, api, world):
    case_id = _raise(api, world).get_json()["id"]
    staff = api.token("property")
    assert staff.post(f"/api/v1/cases/{case_id}/replies", json={"text": "业主脾气急", "internal": True}).status_code == 201
    assert staff.post(f"/api/v1/cases/{case_id}/replies", json={"text": "明天上午上门查看"}).status_code == 201
    notes = [e["note"] for e in api.token(world.owner.username).get(f"/api/v1/cases/{case_id}").get_json()["events"]]
    assert "明天上午上门查看" in notes and "业主脾气急" not in notes
    assert "业主脾气急" in [e["note"] for e in api.token("property").get(f"/api/v1/cases/{case_id}").get_json()["events"]]


def test_transitions_over_the_api_and_409_from_the_wrong_status(app, api, world):
    case_id = _raise(api, world).get_json()["id"]
    staff = api.token("property")
    assert staff.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "close"}).status_code == 409
    assert staff.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "acknowledge"}).get_json()["status"] \
        == "acknowledged"
    assert staff.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "resolve"}).status_code == 200
    owner = api.token(world.owner.username)
    assert owner.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "start"}).status_code == 403
    assert owner.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "close"}).get_json()["status"] == "closed"


def test_a_repair_request_becomes_a_warranty_defect_linked_both_ways(app, api, world):
    case_id = _raise(api, world).get_json()["id"]
    body = api.token("engineering").post(f"/api/v1/cases/{case_id}/transitions", json={"action": "to_defect"}).get_json()
    assert body["status"] == "in_progress" and body["defect_id"]
    with app.app_context():
        from handover.cases.queries import case_of_defect
        from handover.defects.models import Defect

        defect = db.session.get(Defect, body["defect_id"])
        assert defect.stage.value == "warranty" and defect.unit_id == world.a1.id
        assert case_of_defect(defect.id).id == case_id


def test_a_group_complaint_escalates_at_once_and_tells_the_manager(app, api, world):
    response = api.token("property").post(f"/api/v1/units/{world.a1.id}/cases", json={
        "kind": "complaint", "description": "多户业主投诉小区绿化与宣传不符", "group": True, "source": "desk"})
    assert response.status_code == 201
    assert response.get_json()["escalated_at"] is not None
    with app.app_context():
        titles = [n.title for n in db.session.query(Notification).filter_by(user_id=world.users["manager"])]
    assert any("工单升级" in t for t in titles)


def test_the_sweep_marks_a_breach_escalates_and_announces_it(app, api, world, runner):
    with freeze(T0):
        case_id = _raise(api, world).get_json()["id"]
    with freeze(T0 + timedelta(hours=23)):
        result = runner.invoke(args=["cases", "sweep"])
        assert "0 case(s) breached" in result.output
    with freeze(T0 + timedelta(hours=25)):
        result = runner.invoke(args=["cases", "sweep"])
        assert "1 case(s) breached" in result.output
        overdue = api.token("property").get("/api/v1/cases?overdue=true").get_json()
    assert [c["id"] for c in overdue] == [case_id]
    assert overdue[0]["breach"] == "acknowledge" and overdue[0]["overdue"] is True
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.escalated_at is not None
        titles = [n.title for n in db.session.query(Notification).filter_by(user_id=world.users["manager"])]
    assert any("工单超时" in t for t in titles)
    with freeze(T0 + timedelta(hours=26)):
        assert "0 case(s) breached" in runner.invoke(args=["cases", "sweep"]).output  # once only


def test_a_project_may_shorten_its_committed_times(app, api, world):
    from handover.accounts.models import User
    from handover.cases import service

    with app.test_request_context(method="POST"):
        service.set_sla(world.a.id, CaseKind.REPAIR, CaseSeverity.NORMAL, acknowledge_hours=2, resolve_hours=48,
                        actor=db.session.get(User, world.users["manager"]))
        db.session.commit()
    with freeze(T0):
        body = _raise(api, world).get_json()
    assert body["acknowledge_by"].startswith("2099-03-02T04:00") and body["resolve_by"].startswith("2099-03-04T02:00")


def test_a_resolved_case_closes_itself_after_n_days(app, api, world, runner):
    with freeze(T0):
        case_id = _raise(api, world).get_json()["id"]
        staff = api.token("property")
        staff.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "acknowledge"})
        assert staff.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "resolve"}).status_code == 200
    with freeze(T0 + timedelta(days=rules.AUTO_CLOSE_DAYS, hours=1)):
        assert "1 closed automatically" in runner.invoke(args=["cases", "sweep"]).output
    assert api.token(world.owner.username).get(f"/api/v1/cases/{case_id}").get_json()["status"] == "closed"
