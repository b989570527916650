"""No list page or API list issues more queries because the batch is bigger: each is counted
with 50 units and again with 500 (two defects each) and must issue the same number."""
import pytest

from handover.defects import counts
from handover.extensions import db
from tests.fixtures.queries import count_queries, seed_units

#: every list page and API list of a batch (keep this in step with the URL map)
LIST_URLS = [
    "/batches/{batch}/defects",
    "/batches/{batch}/defects?status=assigned",
    "/batches/{batch}/defects?building_id={building}&status=open",
    "/batches/{batch}/defects/dashboard",
    "/batches/{batch}/units",
    "/batches/{batch}/fees",
    "/batches/{batch}/risks",
    "/batches/{batch}/readiness",
    "/batches/{batch}/statements",
    "/batches/{batch}/areas",
    "/batches/{batch}/promises",
    "/batches/{batch}/transfers",
    "/batches/{batch}/exports",
    "/keys",
    "contractor:/contractor/defects",
    "contractor:/api/v1/defects",
    "/api/v1/defects?batch_id={batch}",
    "/api/v1/defects?batch_id={batch}&status=assigned",
    "/api/v1/units?batch_id={batch}",
    "/api/v1/keys?batch_id={batch}",
    "/api/v1/batches/{batch}/risks",
    "/api/v1/batches/{batch}/areas",
    "/api/v1/batches/{batch}/promises",
    "/api/v1/batches/{batch}/readiness",
    "/api/v1/units/{unit}/inspections",
]


def _counts(app, as_role, urls: list[str]) -> dict[str, int]:
    found, statuses = {}, {}
    for entry in urls:
        role, _, url = entry.rpartition(":") if not entry.startswith("/") else ("", "", entry)
        caller = as_role(role or "admin")
        counts.forget()  # the dashboard's figures are computed, not served from memory
        caller.get(url)  # warm-up: first-request work (translations, permissions) is not counted
        counts.forget()
        with app.app_context():
            engine = db.engine
        with count_queries(engine) as counted:
            response = caller.get(url)
        found[entry] = counted
        statuses[entry] = response.status_code
    assert all(code == 200 for code in statuses.values()), {u: c for u, c in statuses.items() if c != 200}
    return found


def test_list_pages_issue_the_same_queries_for_50_and_500_units(app, world, as_role):
    with app.app_context():
        unit_ids = seed_units(world.a.batch_id, 50, contractor_id=world.contractor_id)
        from handover.projects.models import Unit
        building = db.session.get(Unit, unit_ids[0]).building_id
    values = {"batch": world.a.batch_id, "building": building, "unit": unit_ids[0]}
    urls = [url.format(**values) for url in LIST_URLS]
    small = _counts(app, as_role, urls)
    with app.app_context():
        seed_units(world.a.batch_id, 450, contractor_id=world.contractor_id)
    large = _counts(app, as_role, urls)
    grown = {url: (small[url].total, large[url].total) for url in urls if large[url].total != small[url].total}
    details = "\n\n".join(f"{url}: {small[url].total} → {large[url].total}\n{large[url]}" for url in grown)
    assert not grown, f"queries grow with the batch: {grown}\n{details}"


@pytest.mark.parametrize("url", ["/batches/{batch}/defects?status=assigned", "/api/v1/defects?batch_id={batch}"])
def test_the_defect_list_counts_once_and_sorts_once(app, world, as_role, url):
    with app.app_context():
        seed_units(world.a.batch_id, 50, contractor_id=world.contractor_id)
    counted = _counts(app, as_role, [url.format(batch=world.a.batch_id)])[url.format(batch=world.a.batch_id)]
    sorted_reads = [s for s in counted.statements if "FROM defects" in s and "ORDER BY defects.created_at DESC" in s]
    counting = [s for s in counted.statements if "count(" in s.lower() and "defects" in s]
    assert len(sorted_reads) == 1, counted
    assert len(counting) == 1, counted


def _inspect(app, world, rounds: int, results_each: int) -> None:
    from datetime import date

    import sqlalchemy as sa

    from handover.accounts.models import User
    from handover.inspections import service
    from handover.inspections.models import ChecklistItem, InspectionStage
    from handover.projects.models import Unit

    with app.test_request_context(method="POST"):
        service.seed_default_checklist()
        item_ids = list(db.session.scalars(sa.select(ChecklistItem.id).order_by(ChecklistItem.id)))
        actor = db.session.get(User, world.users["engineering"])
        for n in range(rounds):
            inspection = service.start_inspection(db.session.get(Unit, world.a1.id), InspectionStage.UNIT_ACCEPTANCE,
                                                  actor=actor, inspected_on=date(2026, 11, 1 + n))
            for item_id in item_ids[n * results_each:(n + 1) * results_each]:
                service.record_result(inspection, service.ResultInput(item_id=item_id, passed=True))
        db.session.commit()


def test_a_units_inspections_and_their_results_come_in_a_fixed_number_of_queries(app, world, as_role):
    url = f"/api/v1/units/{world.a1.id}/inspections"
    _inspect(app, world, 1, 2)
    one = _counts(app, as_role, [url])[url]
    _inspect(app, world, 3, 4)
    four = _counts(app, as_role, [url])[url]
    assert len(as_role("admin").get(url).get_json()) == 4
    assert one.total == four.total, four


def _reimport_queries(app, batch_id: int, units: int) -> int:
    from handover.projects import importing
    from handover.projects.models import Batch
    from tests.fixtures.sheets import good_row, sheet_bytes

    rows = [good_row(str(1000 + n), 楼层=n // 10 + 1) for n in range(units)]
    with app.test_request_context(method="POST"):
        batch = db.session.get(Batch, batch_id)
        importing.import_units(batch, sheet_bytes(rows))
        db.session.commit()
        changed = [dict(row, 实测面积=100.5) for row in rows]  # every unit changes: each is compared
        batch = db.session.get(Batch, batch_id)
        with count_queries() as counted:
            importing.import_units(batch, sheet_bytes(changed))
            db.session.flush()
        db.session.rollback()
    return sum(1 for s in counted.statements if s.startswith("SELECT"))


def test_a_reimport_reads_the_units_with_their_contracts_and_owners(app, make_project):
    small = _reimport_queries(app, make_project("小批次").batch_id, 20)
    large = _reimport_queries(app, make_project("大批次").batch_id, 200)
    assert small == large
