"""Risk pages: the guided self-check opening a pre-filled risk, the register's overdue rows, a
risk's actions, promises on the walk-through checklist, statements, areas and transfers."""
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from handover.core.timeutil import today_local
from handover.extensions import db
from handover.risks.models import (
    Promise,
    PromiseCheck,
    Risk,
    RiskEvent,
    RiskStatus,
    SelfCheck,
)
from handover.risks.rules import SELF_CHECK_QUESTIONS
from tests.fixtures.images import png


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")


def _one(app, model):
    with app.app_context():
        row = db.session.scalars(sa.select(model).order_by(model.id.desc())).first()
        db.session.expunge(row)
        return row


def test_a_guided_self_check_lays_out_a_to_h_and_risk_found_opens_a_prefilled_risk(app, site, browser):
    browser.login("engineering")
    readiness = f"/batches/{site.batch_id}/readiness"
    started = browser.post(f"/batches/{site.batch_id}/self-checks", {"building_id": ""}, page=readiness)
    assert started.status_code == 302
    check_url = started.headers["Location"]
    html = browser.client.get(check_url).get_data(as_text=True)
    for category in "ABCDEFGH":
        assert f'id="cat-{category}"' in html
    assert html.count('data-question=') == len(SELF_CHECK_QUESTIONS)
    answer_url = check_url + "/answers"
    assert browser.post(answer_url, {"question": "A1", "answer": "ok"}, page=check_url).status_code == 302
    found = browser.post(answer_url, {"question": "C2", "answer": "risk"}, page=check_url)
    location = found.headers["Location"]
    assert "/risks/new" in location and "category=C" in location
    form = browser.client.get(location).get_data(as_text=True)
    assert 'value="Has every sales promise been kept?"' in form or "是否" in form or "承诺" in form
    assert re.search(r'<option selected value="C">|<option value="C" selected>', form)
    saved = browser.post(location, {"category": "C", "title": "样板间赠送家电未兑现", "severity": "high",
                                    "building_id": "", "answer_id": re.search(r"answer_id=(\d+)", location).group(1)},
                         page=location)
    assert saved.status_code == 302 and "#cat-C" in saved.headers["Location"]
    risk = _one(app, Risk)
    assert risk.category.value == "C" and risk.title == "样板间赠送家电未兑现"
    page = browser.client.get(check_url).get_data(as_text=True)
    assert "样板间赠送家电未兑现" in page  # the answer links its risk


def test_the_register_highlights_overdue_plans_and_filters(app, site, new_risk, api, browser, english):
    risk = new_risk(title="景观未完成", severity="high", category="G")
    new_risk(title="燃气未通", category="G", severity="low")
    api.post(f"/api/v1/risks/{risk['id']}/transitions", json={"action": "plan", "plan": "加快施工",
                                                               "due_date": (today_local() + timedelta(days=3)).isoformat()})
    with app.app_context():
        row = db.session.get(Risk, risk["id"])
        row.due_date = today_local() - timedelta(days=1)  # the deadline has passed since
        db.session.commit()
    browser.login("engineering")
    html = browser.client.get(f"/batches/{site.batch_id}/risks").get_data(as_text=True)
    assert re.search(rf'<tr class="is-overdue" data-risk="{risk["id"]}">', html)
    assert "rectification plans are past their deadline" in html
    filtered = browser.client.get(f"/batches/{site.batch_id}/risks?overdue=1").get_data(as_text=True)
    assert "景观未完成" in filtered and "燃气未通" not in filtered


def test_accepting_from_the_page_needs_a_manager(app, site, new_risk, browser, english):
    risk = new_risk(title="入户门开启冲突", severity="high", category="E")
    url = f"/risks/{risk['id']}"
    browser.login("engineering")
    html = browser.client.get(url).get_data(as_text=True)
    assert 'data-action="propose"' in html and 'data-action="accept"' not in html
    proposed = browser.post(f"{url}/actions/propose", {"propose-version": risk["version"],
                            "propose-statement": "因消防要求无法调整", "propose-compensation_plan": "赠送门吸"}, page=url)
    assert proposed.status_code == 302
    browser.logout()
    browser.login("manager")
    html = browser.client.get(url).get_data(as_text=True)
    assert 'data-action="accept"' in html and "因消防要求无法调整" in html
    version = _one(app, Risk).version
    accepted = browser.post(f"{url}/actions/accept", {"accept-version": version}, page=url)
    assert accepted.status_code == 302
    assert _one(app, Risk).status == RiskStatus.ACCEPTED
    statements = browser.client.get(f"/batches/{site.batch_id}/statements?q=消防").get_data(as_text=True)
    assert "因消防要求无法调整" in statements and "Print the briefing sheet" in statements
    assert "因消防要求无法调整" not in browser.client.get(
        f"/batches/{site.batch_id}/statements?q=电梯").get_data(as_text=True)


def test_a_refused_action_shows_under_its_field(site, new_risk, browser, english):
    risk = new_risk()
    url = f"/risks/{risk['id']}"
    browser.login("engineering")
    refused = browser.post(f"{url}/actions/plan", {"plan-version": risk["version"], "plan-plan": "督促"}, page=url)
    assert refused.status_code == 422
    assert "Set a deadline." in refused.get_data(as_text=True)


def test_promises_appear_on_the_units_handover_walk_through(app, site, api, browser, english):
    api.token("sales").post(f"/api/v1/batches/{site.batch_id}/promises",
                            json={"text": "1号楼大堂精装修", "source": "sales", "building_ids": [site.building1]})
    api.post(f"/api/v1/batches/{site.batch_id}/promises",
             json={"text": "2号楼屋顶花园", "source": "advertising", "building_ids": [site.building2]})
    handover = api.post(f"/api/v1/units/{site.a1}/inspections",
                        json={"stage": "handover", "inspected_on": today_local().isoformat()}).get_json()
    takeover = api.post(f"/api/v1/units/{site.a1}/inspections",
                        json={"stage": "unit_acceptance", "inspected_on": today_local().isoformat()}).get_json()
    browser.login("sales")
    page_url = f"/inspections/{handover['id']}"
    html = browser.client.get(page_url).get_data(as_text=True)
    assert 'id="promises"' in html and "1号楼大堂精装修" in html and "2号楼屋顶花园" not in html
    assert "1号楼大堂精装修" not in browser.client.get(f"/inspections/{takeover['id']}").get_data(as_text=True)
    promise = _one(app, Promise)
    with app.app_context():
        promise_id = db.session.scalar(sa.select(Promise.id).where(Promise.text == "1号楼大堂精装修"))
    response = browser.post(f"/promises/{promise_id}/checks", {"unit_id": site.a1, "inspection_id": handover["id"],
                            "kept": "0", "note": "大堂为普通涂料", "next": page_url}, page=page_url)
    assert response.status_code == 302 and response.headers["Location"].startswith(page_url)
    check = _one(app, PromiseCheck)
    assert check.kept is False and check.risk_id and check.inspection_id == handover["id"]
    html = browser.client.get(page_url).get_data(as_text=True)
    assert 'data-result="not_kept"' in html
    assert promise.id


def test_transfers_page_warns_when_later_than_20_days_before_the_window(app, site, browser, english):
    browser.login("property")
    url = f"/batches/{site.batch_id}/transfers"
    html = browser.client.get(url).get_data(as_text=True)
    assert "Due by 2099-05-12." in html
    saved = browser.post(url, {"building_id": site.building1, "transferred_on": "2099-05-20",
                               "developer_signatory": "李工", "property_signatory": "王经理",
                               "open_items": "屋面防水收口 | 2099-05-28\n"}, page=url, follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert "Transfer recorded." in html and "later than 20 days" in html
    assert re.search(rf'data-building="{site.building1}" data-late="true"', html)
    assert "屋面防水收口" in html
    bad = browser.post(url, {"building_id": site.building2, "transferred_on": "2099-05-01",
                             "developer_signatory": "李工", "property_signatory": "王经理",
                             "open_items": "电梯轿厢保护膜 | someday"}, page=url)
    assert bad.status_code == 422 and "Give the date the open item is promised for." in bad.get_data(as_text=True)


def test_public_areas_page_and_logging_a_defect_there(app, site, browser, english):
    browser.login("engineering")
    url = f"/batches/{site.batch_id}/areas"
    assert browser.post(url, {"name": "2号楼电梯", "kind": "lift", "building_id": site.building2}).status_code == 302
    html = browser.client.get(url).get_data(as_text=True)
    area_id = re.search(r'data-area="(\d+)"', html).group(1)
    area_url = f"/areas/{area_id}"
    logged = browser.post(area_url, {"stage": "property_takeover", "room": "轿厢", "category": "电梯",
                                     "description": "轿厢壁板划伤", "severity": "minor",
                                     "photos": [(io.BytesIO(png()), "lift.png")]}, page=area_url,
                          content_type="multipart/form-data")
    assert logged.status_code == 302 and "/defects/" in logged.headers["Location"]
    defect_page = browser.client.get(logged.headers["Location"]).get_data(as_text=True)
    assert "轿厢壁板划伤" in defect_page and "2号楼电梯" in defect_page
    assert 'data-kind="before"' in defect_page  # the photo taken while logging
    assert 'id="protection"' in defect_page and "General contractor" in defect_page
    assert '<span class="badge badge-red">1</span>' in browser.client.get(url).get_data(as_text=True)


def test_pages_render_in_chinese(app, site, new_risk, browser):
    new_risk()
    browser.login("manager")
    for path in ("/risks/", f"/batches/{site.batch_id}/readiness", f"/batches/{site.batch_id}/risks",
                 f"/batches/{site.batch_id}/promises", f"/batches/{site.batch_id}/statements",
                 f"/batches/{site.batch_id}/areas", f"/batches/{site.batch_id}/transfers"):
        response = browser.client.get(path)
        assert response.status_code == 200, path
    html = browser.client.get(f"/batches/{site.batch_id}/readiness").get_data(as_text=True)
    assert "未就绪" in html or "不具备" in html


def test_history_rows_are_appended_never_rewritten(app, site, new_risk, api):
    risk = new_risk()
    url = f"/api/v1/risks/{risk['id']}/transitions"
    api.token("manager").post(url, json={"action": "accept", "statement": "说辞一", "compensation_plan": "补偿一"})
    api.post(url, json={"action": "reopen", "note": "重新评估"})
    api.post(url, json={"action": "accept", "statement": "说辞二", "compensation_plan": "补偿二"})
    with app.app_context():
        events = db.session.scalars(sa.select(RiskEvent).where(RiskEvent.risk_id == risk["id"])
                                    .order_by(RiskEvent.id)).all()
        assert [e.action for e in events] == ["record", "accept", "reopen", "accept"]
        assert [e.data.get("statement") for e in events if e.action == "accept"] == ["说辞一", "说辞二"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SelfCheck)) == 0


def test_the_pages_download_links_work_with_the_session(site, new_risk, browser):
    new_risk(category="A", title="户型图不一致", severity="high")
    browser.login("engineering")
    register = browser.client.get(f"/batches/{site.batch_id}/risks?category=A").get_data(as_text=True)
    xlsx_link = re.search(r'href="([^"]*risks\.xlsx[^"]*)"', register).group(1).replace("&amp;", "&")
    assert "category=A" in xlsx_link
    assert browser.client.get(xlsx_link).status_code == 200
    readiness = browser.client.get(f"/batches/{site.batch_id}/readiness").get_data(as_text=True)
    pdf_link = re.search(r'href="([^"]*readiness\.pdf[^"]*)"', readiness).group(1)
    response = browser.client.get(pdf_link)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_evidence_is_uploaded_and_shown_from_the_risk_page(app, site, new_risk, browser):
    import io

    from tests.fixtures.images import png

    risk = new_risk()
    url = f"/risks/{risk['id']}"
    browser.login("engineering")
    response = browser.post(f"{url}/evidence", {"file": (io.BytesIO(png()), "现场照片.png")}, page=url,
                            content_type="multipart/form-data")
    assert response.status_code == 302
    html = browser.client.get(url).get_data(as_text=True)
    link = re.search(r'href="(/risk-evidence/\d+)"', html).group(1)
    assert "现场照片.png" in html
    image = browser.client.get(link)
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == png()
    browser.logout()
    browser.login("sales_b")
    assert browser.client.get(link).status_code == 404


def test_the_batches_dashboard_leads_to_each_batchs_readiness(site, browser):
    browser.login("engineering")
    html = browser.client.get("/dashboard").get_data(as_text=True)
    assert f'href="/batches/{site.batch_id}/readiness"' in html
