"""The demo development carries a self-check: a blocking risk resolved, one accepted, promises,
public areas with a defect, and one of two transfers late."""
import sqlalchemy as sa

from handover.extensions import db
from handover.projects.models import Batch
from handover.risks import queries
from handover.risks.models import Risk, RiskSeverity, RiskStatus


def test_demo_data_has_risks_in_every_state(runner, app):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    with app.test_request_context():
        batch = db.session.scalars(sa.select(Batch).order_by(Batch.id)).first()
        risks = db.session.scalars(sa.select(Risk).where(Risk.batch_id == batch.id)).all()
        states = {(r.severity, r.status) for r in risks}
        assert (RiskSeverity.BLOCKING, RiskStatus.RESOLVED) in states
        assert any(r.status == RiskStatus.ACCEPTED and r.statement and r.approved_by_name for r in risks)
        readiness = queries.readiness(batch)
        assert readiness["blocking"] == [] and all(c["checked"] for c in readiness["categories"])
        assert [t["late"] for t in readiness["transfers"][:2]] == [False, True]
        assert readiness["public_area_defects_open"] == 1 and readiness["promises"]["promises"] == 2
