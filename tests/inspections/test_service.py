"""Inspection use cases against the database (no HTTP): the checklist, rounds and their results."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from handover.accounts.models import User
from handover.core.errors import ValidationFailed
from handover.extensions import db
from handover.inspections import rules, service
from handover.inspections.models import ChecklistItem, InspectionResult, InspectionStage
from handover.projects.models import FitoutType, Unit

RAILING = ("栏杆护窗", "栏杆高度（临空高度 24 m 以下）")  # at least 1.05 m
SPACING = ("栏杆护窗", "竖杆间距")  # at most 0.11 m
WINDOWS = ("门窗", "开启灵活")  # no limit: the tick decides


@pytest.fixture
def items(ctx):
    service.seed_default_checklist()
    db.session.commit()
    return {(i.category, i.name): i.id for i in db.session.scalars(sa.select(ChecklistItem))}


@pytest.fixture
def round_(ctx, world, items):
    actor = db.session.get(User, world.users["engineering"])
    return service.start_inspection(db.session.get(Unit, world.a1.id), InspectionStage.UNIT_ACCEPTANCE,
                                    actor=actor, inspected_on=date(2026, 11, 20))


def _result(inspection, item_id, **values):
    return service.record_result(inspection, service.ResultInput(item_id=item_id, **values))


def test_the_default_checklist_is_loaded_once(ctx, items):
    assert len(items) == len(rules.DEFAULT_CHECKLIST)
    assert service.seed_default_checklist() == 0
    item = db.session.get(ChecklistItem, items[RAILING])
    assert (item.limit_min, item.limit_max, item.limit_unit) == (Decimal("1.05"), None, "m")


def test_the_checklist_follows_the_fit_out_and_leaves_out_retired_items(ctx, items):
    db.session.get(ChecklistItem, items[WINDOWS]).active = False
    db.session.flush()
    rough = {(i.category, i.name) for i in service.checklist_for(FitoutType.ROUGH)}
    decorated = {(i.category, i.name) for i in service.checklist_for(FitoutType.DECORATED)}
    assert not any(category == "精装" for category, _name in rough)
    assert any(category == "精装" for category, _name in decorated)
    assert WINDOWS not in rough | decorated and RAILING in rough & decorated
    orders = [i.sort_order for i in service.checklist_for()]
    assert orders == sorted(orders)


def test_a_round_is_signed_by_its_inspectors_or_by_whoever_started_it(ctx, world, items):
    actor = db.session.get(User, world.users["engineering"])
    unit = db.session.get(Unit, world.a1.id)
    named = service.start_inspection(unit, InspectionStage.OPEN_DAY, actor=actor, inspected_on=date(2026, 11, 20),
                                     inspectors=" 陈工、周主管 ")
    unnamed = service.start_inspection(unit, InspectionStage.OPEN_DAY, actor=actor, inspected_on=date(2026, 11, 21))
    assert (named.inspectors, unnamed.inspectors) == ("陈工、周主管", "engineering")
    assert named.created_by_id == actor.id


@pytest.mark.parametrize(("item", "measured", "ticked", "passes"), [
    (RAILING, "1.05", None, True),  # the limit itself passes
    (RAILING, "1.049", True, False),  # ticked as passed, but below the minimum: fails by itself
    (RAILING, "1.20", None, True),
    (SPACING, "0.11", None, True),
    (SPACING, "0.111", True, False),  # above the maximum
    (RAILING, None, True, True),  # not measured: the tick counts
    (WINDOWS, "3", False, False),  # no limit: a measurement does not overrule the tick
])
def test_a_measurement_outside_the_limit_fails_by_itself(round_, items, item, measured, ticked, passes):
    result = _result(round_, items[item], passed=ticked, measured_value=Decimal(measured) if measured else None)
    assert result.passed is passes


def test_an_item_without_verdict_or_measurement_is_refused(round_, items):
    with pytest.raises(ValidationFailed) as caught:
        _result(round_, items[WINDOWS])
    assert caught.value.details[0]["field"] == "passed"
    with pytest.raises(ValidationFailed) as caught:
        _result(round_, 999_999, passed=True)
    assert caught.value.details[0]["field"] == "item_id"


def test_a_corrected_result_replaces_the_first_one(round_, items):
    _result(round_, items[RAILING], measured_value=Decimal("1.02"), note="阳台栏杆")
    corrected = _result(round_, items[RAILING], measured_value=Decimal("1.06"), note="复测")
    db.session.commit()
    rows = list(db.session.scalars(sa.select(InspectionResult).where(InspectionResult.inspection_id == round_.id)))
    assert len(rows) == 1 and rows[0].id == corrected.id
    assert (rows[0].passed, rows[0].measured_value, rows[0].note) == (True, Decimal("1.060"), "复测")


def test_limits_read_as_people_write_them():
    assert rules.describe_limit(Decimal("1.05"), None, "m") == "≥ 1.05 m"
    assert rules.describe_limit(None, Decimal("0.004"), "m") == "≤ 0.004 m"
    assert rules.describe_limit(Decimal(1), Decimal(2), "") == "≥ 1, ≤ 2"
    assert rules.measurement_passes(Decimal(2), Decimal(1), Decimal(2))
    assert not rules.measurement_passes(Decimal("0.99"), Decimal(1), None)
