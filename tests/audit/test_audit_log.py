"""Every change to domain data records who, when and what (old → new)."""
import io

import sqlalchemy as sa

from handover.audit.models import AuditEntry
from handover.extensions import db
from tests.fees.demo_cases import demo_cases  # noqa: F401 - fixture
from tests.fixtures.sheets import good_row, sheet_bytes


def _entries(app, entity_type):
    with app.app_context():
        return [(e.action, e.actor_name, e.changes) for e in
                db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == entity_type)
                                   .order_by(AuditEntry.id))]


def test_import_and_reimport_are_audited_with_actor_and_old_new_values(world, api, app):
    api.token("sales")
    url = f"/api/v1/batches/{world.a.batch_id}/units/import"
    first = sheet_bytes([good_row("301", 实测面积=None)])
    api.post(url, data={"file": (io.BytesIO(first), "u.xlsx")}, content_type="multipart/form-data")
    second = sheet_bytes([good_row("301", 实测面积=101.25)])
    api.post(url, data={"file": (io.BytesIO(second), "u.xlsx")}, content_type="multipart/form-data")
    units = _entries(app, "Unit")
    created = [e for e in units if e[0] == "create" and e[2]["room_no"][1] == "301"]
    assert created and created[0][1] == "sales"
    updates = [e for e in units if e[0] == "update"]
    assert updates[-1][1] == "sales"
    assert updates[-1][2]["measured_area"] == [None, "101.25"]


def test_failed_request_leaves_no_audit_trace(world, api, app):
    api.token("sales")
    before = len(_entries(app, "Unit"))
    bad = sheet_bytes([good_row("301"), good_row("302", 合同面积="x")])
    api.post(f"/api/v1/batches/{world.a.batch_id}/units/import", data={"file": (io.BytesIO(bad), "u.xlsx")},
             content_type="multipart/form-data")
    assert len(_entries(app, "Unit")) == before


def test_password_hashes_are_never_written_to_the_log(world, app):
    for _action, _actor, changes in _entries(app, "User"):
        if "password_hash" in changes:
            assert changes["password_hash"][1] in (None, "***")


def test_admin_filters_the_audit_log(world, api, browser):
    api.token("admin")
    api.post("/api/v1/projects", json={"name": "九里云庭"})
    browser.login("admin")
    html = browser.client.get("/audit/?entity_type=Project&actor=admin&action=create").get_data(as_text=True)
    assert "九里云庭" in html
    assert "张伟" not in html
    assert "九里云庭" not in browser.client.get("/audit/?entity_type=Unit").get_data(as_text=True)


def test_the_log_reads_in_chinese_with_local_times_and_links_to_each_records_history(world, api, browser, app):
    from datetime import datetime, timezone

    from handover.core.timeutil import freeze

    api.token("sales")
    url = f"/api/v1/batches/{world.a.batch_id}/units/import"
    api.post(url, data={"file": (io.BytesIO(sheet_bytes([good_row("301", 装修类型="毛坯")])), "u.xlsx")},
             content_type="multipart/form-data")
    with freeze(datetime(2026, 11, 19, 17, 30, tzinfo=timezone.utc)):  # 01:30 the next day in Shanghai
        api.post(url, data={"file": (io.BytesIO(sheet_bytes([good_row("301", 装修类型="精装")])), "u.xlsx")},
                 content_type="multipart/form-data")
    with app.app_context():
        unit_id = db.session.scalar(sa.select(AuditEntry.entity_id).where(AuditEntry.entity_type == "Unit",
                                                                          AuditEntry.action == "update"))
    browser.login("admin")
    html = browser.client.get(f"/audit/?entity_type=Unit&entity_id={unit_id}").get_data(as_text=True)
    assert "<b>装修类型</b>：毛坯 → 精装" in html, html[-3000:]
    assert "fitout_type" not in html and "decorated" not in html
    assert "2026-11-20 01:30" in html
    assert f'href="/units/{unit_id}"' in html
    assert f"entity_type=Unit&amp;entity_id={unit_id}" in html


def test_key_movements_and_payments_are_in_the_log(world, app):
    from decimal import Decimal

    from handover.accounts.models import User
    from handover.fees import service as fees
    from handover.fees.models import PaymentKind, PaymentMethod
    from handover.keys import service as keys
    from handover.keys.models import KeyKind
    from handover.projects.models import Batch, Unit

    with app.test_request_context():
        unit = db.session.get(Unit, world.a1.id)
        keys.create_key(db.session.get(Batch, world.a.batch_id), kind=KeyKind.ENTRANCE_DOOR, label="1-1-101", unit=unit)
        fees.record_payment(unit, kind=PaymentKind.PAYMENT, amount=Decimal("10.00"), method=PaymentMethod.CASH,
                            receipt_no="", actor=db.session.get(User, world.users["finance"]))
        db.session.commit()
    assert _entries(app, "Key") and _entries(app, "Payment")


def test_one_place_answers_who_changed_what(demo_cases, world, api, browser, app):  # noqa: F811
    """Payments, defect steps, key events and handovers all appear in the audit log (issue 10,
    item 12), each linking to the page with the record's own history."""
    api.token("engineering")
    defect = api.post(f"/api/v1/units/{world.a1.id}/defects",
                      json={"stage": "open_day", "room": "主卫", "category": "防水", "description": "渗漏",
                            "severity": "major"}).get_json()["id"]
    assert api.post(f"/api/v1/defects/{defect}/transitions",
                    json={"action": "assign", "contractor_id": world.contractor_id, "due_date": "2099-01-01"}
                    ).status_code == 200
    api.token("sales")
    assert api.post(f"/api/v1/units/{demo_cases.netting}/handover",
                    json={"handed_over_on": "2026-12-01"}).status_code == 200
    api.token("property")
    key = api.post(f"/api/v1/units/{demo_cases.netting}/keys", json={"kind": "entrance_door", "label": "入户门"})
    assert key.status_code == 201
    assert api.post(f"/api/v1/keys/{key.get_json()['id']}/events", json={"type": "received", "to": "总包"}
                    ).status_code == 201
    for entity in ("DefectEvent", "HandoverRecord", "KeyEvent", "Payment"):
        assert _entries(app, entity), entity
    browser.login("admin")
    steps = browser.client.get("/audit/?entity_type=DefectEvent").get_data(as_text=True)
    assert "engineering" in steps and f'href="/defects/{defect}"' in steps
    handovers = browser.client.get("/audit/?entity_type=HandoverRecord").get_data(as_text=True)
    assert "sales" in handovers and f'href="/units/{demo_cases.netting}"' in handovers
    moves = browser.client.get("/audit/?entity_type=KeyEvent").get_data(as_text=True)
    assert "property" in moves and f'href="/keys/{key.get_json()["id"]}"' in moves
    everything = browser.client.get("/audit/").get_data(as_text=True)
    assert ">DefectEvent<" not in everything  # record types are named in words, not class names
