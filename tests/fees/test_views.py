"""Finance pages: settings, statement with bases, payments (bad input records nothing),
reversals, conversion, return decisions, day-end, overview, access; the homeowner's statement."""
import re
from html import unescape

import pytest
import sqlalchemy as sa

from handover.core.timeutil import today_local
from handover.extensions import db
from handover.fees.models import FeeSettings, Payment, UnitReturnDecision

SETTINGS = {"property_fee_rate": "3.20", "prepay_months": "3", "maintenance_fund_per_m2": "80.00",
            "maintenance_fund_percent": "", "deed_tax_percent": "1.5",
            "other-0-name": "有线电视开户费", "other-0-amount": "300.00"}


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _payments(app, unit_id) -> list[tuple]:
    with app.app_context():
        return [(p.receipt_no, str(p.amount), p.reverses_id is not None) for p in db.session.scalars(
            sa.select(Payment).where(Payment.unit_id == unit_id).order_by(Payment.id))]


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English msgids, so they hold whatever the Chinese catalogue says."""
    client.set_cookie("lang", "en")


@pytest.fixture
def fee_unit(world, make_unit, browser):
    """Unit 501 of project A (A = 100.00, P = 20,000.00, M = 101.20) with the batch's fees set
    through the settings page, finance signed in."""
    unit = make_unit(world.a.batch_id, "501", measured="101.20", phone="13800000501", owner_name="赵敏")
    browser.login("finance")
    response = browser.post(f"/batches/{world.a.batch_id}/fees/settings", SETTINGS)
    assert response.status_code == 302, _text(response)[-2000:]
    return unit


def _pay(browser, unit_id, **values):
    data = {"kind": "payment", "amount": "24000.00", "method": "transfer", "receipt_no": "SK-1", "note": "",
            **values}
    return browser.post(f"/units/{unit_id}/payments", data)


def test_statement_page_shows_every_line_with_its_basis(fee_unit, browser):
    html = _text(browser.client.get(f"/units/{fee_unit.id}/statement"))
    expected = [("(101.20 − 100.00) × 20,000.00", "24,000.00"), ("3.20 × 101.20 × 3", "971.52"),
                ("80.00 × 101.20", "8,096.00"), ("1.5% × 2,024,000.00", "30,360.00"), ("300.00", "300.00")]
    for basis, amount in expected:
        assert re.search(re.escape(basis) + r"</td> <td class=\"num nowrap\">" + re.escape(amount), html), basis
    assert "有线电视开户费" in html
    assert "63,727.52" in html  # the total, also the balance
    assert "Area differential not settled" in html and "Settled</span>" not in html
    assert "+1.20%" in html


def test_settings_form_prefills_and_refuses_bad_values(fee_unit, world, browser, app):
    url = f"/batches/{world.a.batch_id}/fees/settings"
    page = _text(browser.client.get(url))
    assert 'value="3.2000"' in page or 'value="3.20"' in page
    assert 'value="1.5"' in page and 'value="有线电视开户费"' in page
    bad = _text(browser.post(url, {**SETTINGS, "property_fee_rate": "3,2O", "maintenance_fund_percent": "2"}))
    assert "Enter a number such as 24000.00" in bad
    both = _text(browser.post(url, {**SETTINGS, "maintenance_fund_percent": "2"}))
    assert "not both" in both
    half = _text(browser.post(url, {**SETTINGS, "other-1-name": "装修押金"}))
    assert "both a name and an amount" in half
    with app.app_context():
        row = db.session.scalar(sa.select(FeeSettings).where(FeeSettings.unit_id.is_(None)))
        assert str(row.property_fee_rate) == "3.2000" and row.maintenance_fund_rate is None
        assert str(row.deed_tax_rate) == "0.015000" and row.other == [{"label": "有线电视开户费", "amount": "300.00"}]


@pytest.mark.parametrize("amount", ["abc", "-5", "1.005", "0", "", "1e3", "NaN"])
def test_a_bad_amount_shows_an_error_and_records_nothing(fee_unit, browser, app, amount):
    response = _pay(browser, fee_unit.id, amount=amount)
    assert response.status_code == 200
    html = _text(response)
    assert 'class="field has-error' in html and "field-error" in html
    assert f'value="{amount}"' in html  # the clerk sees what they typed
    assert _payments(app, fee_unit.id) == []


def test_payment_then_reversal_with_its_own_receipt_number(fee_unit, browser, app):
    recorded = _pay(browser, fee_unit.id, amount="24,000.00", receipt_no="SK-1")
    assert recorded.status_code == 302 and "recorded=" in recorded.headers["Location"]
    page = _text(browser.client.get(recorded.headers["Location"]))
    assert "Recorded: Payment ¥24,000.00, receipt SK-1." in page and "Print the receipt" in page
    assert "Area differential settled" in page

    duplicate = _text(_pay(browser, fee_unit.id, amount="5.00", receipt_no="SK-1"))
    assert re.search(r'has-error.*?Receipt number SK-1 is already used', duplicate)

    payment_id = next(iter(_ids(app, fee_unit.id)))
    reversal_url = f"/payments/{payment_id}/reversal"
    form = _text(browser.client.get(reversal_url))
    assert "SK-1" in form and "Reverse this entry" in form
    too_long = _text(browser.post(reversal_url, {"receipt_no": "X" * 41, "note": ""}))
    assert "field-error" in too_long
    used = _text(browser.post(reversal_url, {"receipt_no": "SK-1", "note": ""}))
    assert "Receipt number SK-1 is already used" in used
    done = browser.post(reversal_url, {"receipt_no": "SK-1-X", "note": "录错房号"})
    assert done.status_code == 302
    assert _payments(app, fee_unit.id) == [("SK-1", "24000.00", False), ("SK-1-X", "24000.00", True)]

    ledger = _text(browser.client.get(done.headers["Location"]))
    assert "Reversed by SK-1-X" in ledger and "Reverses SK-1" in ledger
    assert f'href="/payments/{payment_id}/reversal"' not in ledger  # no second reversal offered
    statement = _text(browser.client.get(f"/units/{fee_unit.id}/statement"))
    assert "Area differential not settled" in statement
    again = _text(browser.client.get(reversal_url))
    assert "already reversed" in again and "Reverse this entry" not in again


def _ids(app, unit_id) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Payment.id).where(Payment.unit_id == unit_id).order_by(Payment.id)))


def test_paying_everything_settles_the_unit(fee_unit, browser):
    _pay(browser, fee_unit.id, amount="63727.52", receipt_no="SK-ALL", method="card")
    html = _text(browser.client.get(f"/units/{fee_unit.id}/statement"))
    assert "Settled</span>" in html and "Area differential settled" in html


def test_refund_is_converted_into_prepaid_property_fee(world, make_unit, browser, app):
    unit = make_unit(world.a.batch_id, "510", measured="98.80", phone="13800000510")  # refund 24,000
    browser.login("finance")
    page = _text(browser.client.get(f"/units/{unit.id}/payments"))
    assert "Refund as prepaid property fee" in page and 'value="24000.00"' in page
    too_much = _text(browser.post(f"/units/{unit.id}/refund-conversion", {"amount": "99999.00", "receipt_no": "ZH-1"},
                                  page=f"/units/{unit.id}/payments"))
    assert "Only money the developer still owes the buyer can be converted." in too_much
    done = browser.post(f"/units/{unit.id}/refund-conversion", {"amount": "1000.00", "receipt_no": "ZH-1"},
                        page=f"/units/{unit.id}/payments")
    assert done.status_code == 302
    assert [(no, amount) for no, amount, _r in _payments(app, unit.id)] == [("ZH-1-R", "1000.00"),
                                                                              ("ZH-1-P", "1000.00")]


def test_return_right_is_flagged_and_the_decision_recorded_once(world, make_unit, browser, app):
    unit = make_unit(world.a.batch_id, "506", measured="95.00", phone="13800000506")
    browser.login("sales")
    html = _text(browser.client.get(f"/units/{unit.id}/statement"))
    assert "Buyer entitled to return the unit" in html and "−5.00%" not in html and "-5.00%" in html
    assert "Buyer keeps the unit" in html and "Payments and refunds</a>" not in html  # sales records no money
    url = f"/units/{unit.id}/return-decision"
    page = f"/units/{unit.id}/statement"
    assert browser.post(url, {"decision": "maybe"}, page=page).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UnitReturnDecision)) == 0
    browser.post(url, {"decision": "keep"}, page=page)
    html = _text(browser.client.get(page))
    assert "Keeps the unit" in html and "Buyer keeps the unit" not in html
    refused = browser.post(url, {"decision": "return"}, page=page, follow_redirects=True)
    assert "already recorded" in _text(refused)


def test_day_end_totals_by_method_and_operator(fee_unit, browser, world):
    _pay(browser, fee_unit.id, amount="100.00", method="cash", receipt_no="D-1")
    _pay(browser, fee_unit.id, amount="50.50", method="cash", receipt_no="D-2")
    _pay(browser, fee_unit.id, kind="refund", amount="20.00", method="transfer", receipt_no="D-3")
    html = _text(browser.client.get(f"/fees/day-end?date={today_local().isoformat()}"))
    assert re.search(r"<td>Cash</td><td>finance</td><td class=\"num\">2</td> <td class=\"num nowrap\">150.50", html)
    assert re.search(r"<th>Total</th><td class=\"num\">3</td><td class=\"num nowrap\">150.50</td> "
                     r"<td class=\"num nowrap\">20.00</td><td class=\"num nowrap\">130.50", html)
    assert "No money moved on this day." in _text(browser.client.get("/fees/day-end?date=2000-01-01"))
    assert "That is not a date" in _text(browser.client.get("/fees/day-end?date=yesterday"))
    assert browser.client.get(f"/fees/day-end?batch_id={world.b.batch_id}").status_code == 404


def test_batch_overview_lists_units_and_filters_unsettled(fee_unit, world, browser):
    _pay(browser, fee_unit.id, amount="63727.52", receipt_no="SK-ALL")
    url = f"/batches/{world.a.batch_id}/fees"
    everything = _text(browser.client.get(url))
    assert "1-1-501" in everything and "1-1-101" in everything and "63,727.52" in everything
    unsettled = _text(browser.client.get(url + "?unsettled=1"))
    assert "1-1-501" not in unsettled and "1-1-101" in unsettled and "1-1-102" in unsettled


def test_money_pages_are_for_finance_only(fee_unit, world, browser):
    browser.logout()
    browser.login("sales")
    unit_url = f"/units/{fee_unit.id}"
    assert browser.client.get(unit_url + "/statement").status_code == 200
    assert browser.client.get(unit_url + "/payments").status_code == 403
    html = browser.client.get(unit_url + "/statement").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    posted = browser.client.post(unit_url + "/payments", data={"kind": "payment", "amount": "1.00", "method": "cash",
                                                               "receipt_no": "X", "csrf_token": token})
    assert posted.status_code == 403
    assert browser.client.get(f"/batches/{world.a.batch_id}/fees/settings").status_code == 403
    assert browser.client.get("/fees/day-end").status_code == 403
    browser.logout()
    browser.login("engineering")
    assert browser.client.get(f"/batches/{world.a.batch_id}/fees").status_code == 403
    browser.logout()
    browser.login("sales_b")  # another project: not found, like a unit that does not exist
    assert browser.client.get(unit_url + "/statement").status_code == 404
    browser.logout()
    browser.login("contractor")
    assert browser.client.get(unit_url + "/statement").status_code == 403


def test_unit_page_links_the_statement_and_finance_has_a_nav_entry(fee_unit, browser):
    html = browser.client.get(f"/units/{fee_unit.id}").get_data(as_text=True)
    assert f'href="/units/{fee_unit.id}/statement"' in html and f'href="/units/{fee_unit.id}/payments"' in html
    assert 'href="/fees/"' in html
    assert "/fees/day-end" in browser.client.get("/fees/").get_data(as_text=True)


def test_homeowner_sees_only_their_own_statement_read_only(world, browser, app):
    browser.login("finance")
    browser.post(f"/batches/{world.a.batch_id}/fees/settings", SETTINGS)
    with app.app_context():
        from handover.projects.models import Unit

        db.session.get(Unit, world.a1.id).measured_area = __import__("decimal").Decimal("101.20")
        db.session.commit()
    _pay(browser, world.a1.id, amount="1000.00", receipt_no="OWN-1")
    _pay(browser, world.a2.id, amount="777.00", receipt_no="OTHER-1")
    browser.logout()
    browser.login(world.owner.username)
    html = _text(browser.client.get(f"/my/units/{world.a1.id}"))
    assert "My fee statement" in html and "(101.20 − 100.00) × 20,000.00" in html and "24,000.00" in html
    assert "OWN-1" in html and "OTHER-1" not in html
    assert "/reversal" not in html and 'href="/payments/' not in html and "csrf_token" not in html.split("<main")[1]
    assert "/my/payments/" in html  # the owner's own receipts only (portal.receipt)
    assert browser.client.get(f"/my/units/{world.a2.id}").status_code == 404
    assert browser.client.get(f"/units/{world.a1.id}/statement").status_code == 403


def _queries_of(app, run) -> int:
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen)


def test_batch_overview_takes_the_same_number_of_queries_for_any_batch_size(fee_unit, world, make_unit, browser,
                                                                          app):
    url = f"/batches/{world.a.batch_id}/fees"
    browser.client.get(url)  # warm up: the first request loads what every request caches
    small = _queries_of(app, lambda: browser.client.get(url))
    for number in range(30):
        make_unit(world.a.batch_id, f"9{number:02d}", floor=9, measured="100.50", phone=f"1390000{number:04d}")
    large = _queries_of(app, lambda: browser.client.get(url))
    assert "1-1-929" in _text(browser.client.get(url + "?page=2")) or "1-1-929" in _text(browser.client.get(url))
    assert large == small, (small, large)


def test_settings_page_sets_the_lines_required_before_the_handover(fee_unit, world, browser, app):
    url = f"/batches/{world.a.batch_id}/fees/settings"
    assert browser.post(url, {**SETTINGS, "settle_before_handover": ["deed_tax"]}).status_code == 302
    page = _text(browser.client.get(url))
    assert re.search(r'value="deed_tax"[^>]*checked|checked[^>]*value="deed_tax"', page)
    with app.app_context():
        row = db.session.scalar(sa.select(FeeSettings).where(FeeSettings.unit_id.is_(None)))
        assert row.settle_before_handover == ["area_differential", "deed_tax"]
    _pay(browser, fee_unit.id, amount="54360.00", receipt_no="SK-AD-DT")  # area differential and deed tax
    statement = _text(browser.client.get(f"/units/{fee_unit.id}/statement"))
    assert "The lines this batch requires before keys and signing are settled." in statement
    assert browser.post(url, SETTINGS).status_code == 302  # none ticked: the whole statement again
    with app.app_context():
        assert db.session.scalar(sa.select(FeeSettings.settle_before_handover)
                                 .where(FeeSettings.unit_id.is_(None))) is None
