"""Handover pages: the gate with every reason, signing with history; the statement, batch overview
and key desk agree with it on the two demo cases."""
import re
from html import unescape

import pytest
import sqlalchemy as sa

from handover.extensions import db
from handover.handovers.models import HandoverRecord
from tests.fixtures.keys import signature_png


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def test_page_lists_what_is_owed_and_refuses_to_sign(demo_cases, browser, app):
    browser.login("sales")
    url = f"/units/{demo_cases.owing}/handover"
    page = _text(browser.client.get(url))
    assert 'data-gate="blocked"' in page and 'data-condition="fees_unsettled"' in page
    assert "62,050.12" in page and "1,138.75" in page and "9,489.60" in page and "51,421.77" in page
    assert re.search(r'<button[^>]*type="submit" disabled', page)
    refused = browser.post(url, {"handed_over_on": "2026-12-01", "items": ["keys"]}, page=url)
    assert refused.status_code == 409 and "62,050.12" in _text(refused)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoverRecord)) == 0


def test_staff_sign_on_the_page_and_see_the_history(demo_cases, browser, app):
    browser.login("property")
    url = f"/units/{demo_cases.netting}/handover"
    page = _text(browser.client.get(url))
    assert 'data-gate="ok"' in page and 'name="idempotency_key"' in page
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)
    form = {"handed_over_on": "2026-12-01", "items": ["keys", "quality_guarantee"], "note": "本人签字",
            "idempotency_key": key}
    done = browser.post(url, form, page=url)
    assert done.status_code == 302
    twice = browser.post(url, form, page=url)  # a double tap: the same key, still one record
    assert twice.status_code == 302
    shown = _text(browser.client.get(url))
    assert 'data-handover="done"' in shown and "Handed over on 2026-12-01" in shown
    assert shown.count('data-action="sign"') == 1 and "本人签字" in shown
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoverRecord)) == 1
    unit_page = _text(browser.client.get(f"/units/{demo_cases.netting}"))
    assert f'href="/units/{demo_cases.netting}/handover"' in unit_page


def test_manager_corrects_then_revokes_and_the_history_keeps_all(demo_cases, browser):
    browser.login("manager")
    url = f"/units/{demo_cases.netting}/handover"
    browser.post(url, {"handed_over_on": "2026-12-01"}, page=url)
    missing = browser.post(f"{url}/revocation", {"note": ""}, page=url)
    assert missing.status_code == 400
    corrected = browser.post(f"{url}/correction", {"handed_over_on": "2026-11-30", "note": "录错"}, page=url)
    assert corrected.status_code == 302
    assert browser.post(f"{url}/revocation", {"note": "签错房号"}, page=url).status_code == 302
    page = _text(browser.client.get(url))
    assert [m for m in re.findall(r'data-action="(\w+)"', page)] == ["sign", "correct", "revoke"]
    assert 'data-gate="ok"' in page and "签错房号" in page


def test_who_may_see_sign_and_revoke(demo_cases, world, browser):
    url = f"/units/{demo_cases.netting}/handover"
    browser.login("finance")
    assert browser.client.get(url).status_code == 200
    assert browser.post(url, {"handed_over_on": "2026-12-01"}, page=url).status_code == 403
    browser.logout()
    browser.login("sales")
    assert browser.post(f"{url}/revocation", {"note": "x"}, page=url).status_code == 403
    browser.logout()
    browser.login(world.owner.username)
    assert browser.client.get(url).status_code == 403


def test_statement_pages_agree_with_the_rule(demo_cases, browser):
    browser.login("finance")
    netting = _text(browser.client.get(f"/units/{demo_cases.netting}/statement"))
    assert 'data-settled="yes"' in netting and "Settled</span>" in netting
    assert "Area differential settled" in netting and "not settled" not in netting
    assert "31,000.00 was set off" in netting
    owing = _text(browser.client.get(f"/units/{demo_cases.owing}/statement"))
    assert 'data-settled="no"' in owing and "Settled</span>" not in owing
    assert "Buyer owes ¥62,050.12" in owing and "Before keys and signing: ¥62,050.12" in owing
    assert re.search(r"Deed tax ¥51,421.77", owing)


def test_batch_overview_agrees_with_the_rule(demo_cases, browser):
    browser.login("finance")
    page = _text(browser.client.get(f"/batches/{demo_cases.batch_id}/fees"))
    assert re.search(r'data-unit="1-1-401" data-settled="yes"', page)
    assert re.search(r'data-unit="1-1-202" data-settled="no"', page)
    unsettled = _text(browser.client.get(f"/batches/{demo_cases.batch_id}/fees?unsettled=1"))
    assert "1-1-202" in unsettled and "1-1-401" not in unsettled


def test_key_desk_asks_the_gate(demo_cases, browser):
    browser.login("property")
    owing = _text(browser.client.get(f"/keys/desk/{demo_cases.owing}"))
    assert 'data-gate="blocked"' in owing and 'data-gate="ok"' not in owing and "62,050.12" in owing
    netting = _text(browser.client.get(f"/keys/desk/{demo_cases.netting}"))
    assert 'data-gate="ok"' in netting and 'data-gate="blocked"' not in netting


def test_key_desk_hands_keys_over_only_where_the_gate_is_open(demo_cases, keys, browser, app):
    """The desk's own POST asks the same gate: 1-1-202 keeps its key, 1-1-401's goes to its owner."""
    held = {case: keys.received(getattr(demo_cases, case)).id for case in ("owing", "netting")}
    browser.login("property")
    for case, owner in (("owing", "吴磊"), ("netting", "周杰")):
        unit_id = getattr(demo_cases, case)
        page = f"/keys/desk/{unit_id}"
        answer = browser.post(f"/keys/desk/{unit_id}/handed_to_owner", {
            "key_ids": [held[case]], "to": owner, "signature": signature_png()}, page=page)
        if case == "owing":
            assert answer.status_code == 409 and "62,050.12" in _text(answer)
        else:
            assert answer.status_code == 302
    assert keys.state(held["owing"]).status == "in_office"
    assert keys.state(held["netting"]).status == "with_owner"


def test_key_api_asks_the_gate_for_both_demo_cases(demo_cases, keys, api):
    held = {case: keys.received(getattr(demo_cases, case)).id for case in ("owing", "netting")}
    api.token("property")
    body = {"type": "handed_to_owner", "signature": signature_png()}
    refused = api.post(f"/api/v1/keys/{held['owing']}/events", json={**body, "to": "吴磊"})
    assert refused.status_code == 409
    assert [(d["code"], d["amount"]) for d in refused.get_json()["details"]] == [("fees_unsettled", "62050.12")]
    handed = api.post(f"/api/v1/keys/{held['netting']}/events", json={**body, "to": "周杰"})
    assert handed.status_code == 201 and handed.get_json()["status_after"] == "with_owner"
