"""The 收楼确认书 (text read back, fonts embedded, owner isolation) and the evening bulletin."""
from datetime import date

from openpyxl import load_workbook

from tests.handover_day.conftest import png_data_url
from tests.reporting.conftest import pdf_text, pypdf_fonts


def _hand_over(api, unit_id):
    api.put(f"/api/v1/units/{unit_id}/meter-readings", json={"water": "12.5", "electricity": "30.25", "gas": "7"})
    round_id = api.post(f"/api/v1/units/{unit_id}/inspections",
                        json={"stage": "handover", "inspected_on": date.today().isoformat()}).get_json()["id"]
    api.post(f"/api/v1/inspections/{round_id}/signatures",
             json={"owner_signature": png_data_url(), "staff_signature": png_data_url()})
    signed = api.post(f"/api/v1/units/{unit_id}/handover",
                      json={"owner_signature": png_data_url(), "staff_signature": png_data_url(),
                            "documents": ["quality_guarantee", "user_manual", "owner_handbook", "gift"]})
    assert signed.status_code == 200, signed.get_json()


def test_handover_record_pdf_reads_back_with_fonts_embedded(day, demo_cases, api):
    api.token("sales")
    _hand_over(api, demo_cases.netting)
    response = api.get(f"/api/v1/units/{demo_cases.netting}/handover-record.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("收楼确认书", "12.50", "30.25", "7.00", "住宅质量保证书", "业主手册", "交付礼品",
                     date.today().isoformat(), "sales"):
        assert expected in text, expected
    assert all(pypdf_fonts(response.data).values())


def test_owner_fetches_only_their_own_record(day, demo_cases, world, api):
    api.token(world.owner.username)
    assert api.get(f"/api/v1/units/{world.a1.id}/handover-record.pdf").status_code == 200
    assert api.get(f"/api/v1/units/{world.a2.id}/handover-record.pdf").status_code == 404


def test_bulletin_counts_the_day(day, demo_cases, api, client, browser):
    api.token("sales")
    visit = api.post(f"/api/v1/units/{demo_cases.owing}/visits", json={}).get_json()
    url = f"/api/v1/visits/{visit['id']}/steps"
    api.post(url, json={"step": "documents", "status": "done"})
    api.post(url, json={"step": "fees", "status": "refused", "note": "物业费有异议"})
    _hand_over(api, demo_cases.netting)
    figures = api.get(f"/api/v1/batches/{demo_cases.batch_id}/handover-day").get_json()
    assert figures["handed_over"] == 1 and figures["checked_in"] == 1 and len(figures["refused"]) == 1
    text = pdf_text(api.get(f"/api/v1/batches/{demo_cases.batch_id}/bulletin.pdf").data)
    assert "交付快报" in text and "物业费有异议" in text
    browser.login("manager")
    page = client.get(f"/batches/{demo_cases.batch_id}/handover-day/bulletin").get_data(as_text=True)
    assert 'data-figure="handed_over">1<' in page and "物业费有异议" in page
    import io
    workbook = load_workbook(io.BytesIO(client.get(f"/batches/{demo_cases.batch_id}/handover-day/bulletin.xlsx").data))
    assert [row for row in workbook["交付快报"].iter_rows(values_only=True)][3] == ("今日交付", 1)
