"""A blocking pre-handover risk is a condition of the handover gate (code "readiness"): the
page, the API and the service refuse to sign the units it covers until it is resolved or
accepted, and keys are not held back by it."""
from datetime import date

import sqlalchemy as sa

from handover.accounts.models import User
from handover.extensions import db
from handover.handovers import queries
from handover.handovers.rules import Purpose
from handover.projects.models import Batch, Unit
from handover.risks import rules as risk_rules
from handover.risks import service as risks
from handover.risks.models import Risk, RiskCategory, RiskSeverity


def _user(name):
    return db.session.scalar(sa.select(User).where(User.username == name))


def _blocking_risk(unit: Unit, *, building: bool = True):
    batch = db.session.get(Batch, unit.batch_id)
    risk = risks.record_risk(batch, risks.NewRisk(
        category=RiskCategory("B"), title="电梯未完成验收", severity=RiskSeverity.BLOCKING,
        building_id=unit.building_id if building else None), actor=_user("engineering"))
    db.session.commit()
    return risk


def test_a_blocking_risk_closes_the_gate_for_signing_until_it_is_resolved(app, demo_cases, api):
    with app.test_request_context(method="POST"):
        unit = db.session.get(Unit, demo_cases.netting)
        assert queries.gate(unit).open  # settled: nothing else in the way
        risk = _blocking_risk(unit)
        gate = queries.gate(unit)
        assert [c.code for c in gate.conditions] == ["readiness"] and "电梯未完成验收" in gate.message
        assert queries.gate(unit, Purpose.KEYS).open, "a building risk does not hold back the owner's keys"
        risk_id = risk.id

    api.token("sales")
    refused = api.post(f"/api/v1/units/{demo_cases.netting}/handover", json={"handed_over_on": "2026-12-01"})
    assert refused.status_code == 409
    assert [(d["code"], d["field"]) for d in refused.get_json()["details"]] == [("readiness", "gate")]
    shown = api.get(f"/api/v1/units/{demo_cases.netting}/handover").get_json()
    assert "电梯未完成验收" in str(shown)

    with app.test_request_context(method="POST"):
        risk = risks.act(db.session.get(Risk, risk_id), risk_rules.RiskAct(
            action="plan", plan="电梯验收", plan_owner="工程部", due_date=date(2026, 12, 20)),
            actor=_user("engineering"))
        risks.act(risk, risk_rules.RiskAct(action="resolve", note="已通过验收"), actor=_user("engineering"))
        db.session.commit()
        assert queries.gate(db.session.get(Unit, demo_cases.netting)).open

    signed = api.post(f"/api/v1/units/{demo_cases.netting}/handover", json={"handed_over_on": "2026-12-01"})
    assert signed.status_code == 200
