"""Checklist items map to the warranty classes of art. 40 by what they are about."""
from datetime import date

import pytest

from handover.defects import rules as defect_rules
from handover.inspections.models import WarrantyClass as W
from handover.inspections.rules import DEFAULT_CHECKLIST, warranty_class_for


@pytest.mark.parametrize("category, name, expected", [
    ("墙面顶棚", "裂缝", W.INSTALLATION),            # a plaster crack is fit-out, not structure
    ("地面", "裂缝", W.INSTALLATION),                # screed cracking too
    ("墙面顶棚", "空鼓", W.INSTALLATION),
    ("主体结构", "承重墙裂缝", W.STRUCTURE),
    ("尺寸", "室内净高", W.STRUCTURE),
    ("防水", "卫生间闭水试验", W.WATERPROOFING),
    ("门窗", "淋水试验", W.WATERPROOFING),
    ("墙面顶棚", "渗水、潮湿", W.WATERPROOFING),
    ("屋面", "防水层", W.WATERPROOFING),
    ("暖通", "采暖、空调", W.HEATING_COOLING),
    ("设备", "地暖分集水器", W.HEATING_COOLING),
    ("给排水", "给水接口渗漏", W.INSTALLATION),      # a leaking pipe joint is plumbing (2 years)
    ("电气", "插座通电", W.INSTALLATION),
    ("精装", "橱柜、洁具、地板等装修项", W.INSTALLATION),
])
def test_warranty_class_for(category, name, expected):
    assert warranty_class_for(category, name) == expected


def test_the_default_checklist_follows_the_mapping():
    for category, name, warranty_class, *_rest in DEFAULT_CHECKLIST:
        assert warranty_class == warranty_class_for(category, name), (category, name)
    assert {row[2] for row in DEFAULT_CHECKLIST} == set(W), "every art. 40 class is used"


def test_a_plaster_crack_is_covered_two_years_not_fifty():
    handed = date(2026, 11, 19)
    crack = warranty_class_for("墙面顶棚", "裂缝")
    assert defect_rules.warranty_ends_on(crack, handed) == date(2028, 11, 18)
    assert not defect_rules.is_under_warranty(crack, handed, date(2030, 1, 1))


@pytest.mark.parametrize("warranty_class, words", [
    (W.STRUCTURE, "(1)"), (W.WATERPROOFING, "5"), (W.HEATING_COOLING, "season"), (W.INSTALLATION, "fit-out"),
])
def test_every_class_names_its_basis(app, warranty_class, words):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        basis = defect_rules.warranty_basis(warranty_class)
    assert "40" in basis and words in basis
