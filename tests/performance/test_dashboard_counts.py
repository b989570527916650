"""The defect dashboard keeps its figures for a short while, drops them when a defect is recorded
or changes status, and says when they were counted."""
import re
from datetime import timedelta

from handover.accounts.models import User
from handover.core.timeutil import today_local
from handover.defects import rules, service
from handover.extensions import db
from handover.projects.models import Unit
from tests.defects.conftest import new_defect
from tests.fixtures.queries import count_queries


def _total(html: str) -> int:
    match = re.search(r'data-kpi="total">\s*<span[^>]*>[^<]*</span><strong>(\d+)</strong>', html)
    assert match, html
    return int(match.group(1))


def _record(app, world, **fields) -> str:
    with app.test_request_context(method="POST"):
        defect, _ = service.record_defect(db.session.get(Unit, world.a1.id), new_defect(**fields),
                                          actor=db.session.get(User, world.users["engineering"]))
        db.session.commit()
        return defect.id


def test_a_second_view_reads_no_defects_and_says_when_the_figures_were_counted(app, world, as_role):
    _record(app, world)
    caller = as_role("engineering")
    url = f"/batches/{world.a.batch_id}/defects/dashboard"
    first = caller.get(url).get_data(as_text=True)
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as counted:
        second = caller.get(url).get_data(as_text=True)
    assert _total(first) == _total(second) == 1
    assert not [s for s in counted.statements if "FROM defects" in s], counted
    freshness = re.search(r'data-counted-at="[^"]+">([^<]+)</p>', second)
    assert freshness, second
    # "数据统计于 10:32:05，最多每 30 秒重新统计一次。" (the time it was counted, local, and the TTL)
    assert re.search(r"\d\d:\d\d:\d\d", freshness.group(1)) and "30" in freshness.group(1)


def test_a_recorded_defect_and_a_status_change_show_at_once(app, world, as_role):
    caller = as_role("engineering")
    url = f"/batches/{world.a.batch_id}/defects/dashboard"
    defect_id = _record(app, world)
    assert _total(caller.get(url).get_data(as_text=True)) == 1
    _record(app, world, description="另一处墙面空鼓")
    assert _total(caller.get(url).get_data(as_text=True)) == 2
    assert _total(caller.get(url + "?status=assigned").get_data(as_text=True)) == 0
    due = today_local() + timedelta(days=7)
    with app.test_request_context(method="POST"):
        from handover.defects.models import Defect

        defect = db.session.get(Defect, defect_id)
        service.transition(defect, rules.TransitionInput(action="assign", contractor_id=world.contractor_id,
                                                         due_date=due),
                           actor=db.session.get(User, world.users["engineering"]), version=defect.version)
        db.session.commit()
    html = caller.get(url + "?status=assigned").get_data(as_text=True)
    assert _total(html) == 1
