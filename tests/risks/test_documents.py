"""Risk documents: the register in Excel (read back with openpyxl) and the readiness report PDF
(text read back with pypdf)."""
import io
from datetime import timedelta

from openpyxl import load_workbook
from pypdf import PdfReader

from handover.core.timeutil import today_local

LATER = (today_local() + timedelta(days=30)).isoformat()


def test_the_register_xlsx_has_one_row_per_risk_and_applies_filters(api, site, new_risk):
    first = new_risk(category="A", title="户型图不一致", severity="high", department="设计部")
    new_risk(category="G", title="=燃气未通", severity="low")
    api.post(f"/api/v1/risks/{first['id']}/transitions", json={"action": "plan", "plan": "按图整改",
                                                                "plan_owner": "李工", "due_date": LATER})
    response = api.get(f"/api/v1/batches/{site.batch_id}/risks.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    header = rows[0]
    row = dict(zip(header, rows[1]))
    assert rows[1][0] == first["id"] and rows[1][1] == "A" and rows[1][3] == "户型图不一致"
    assert "按图整改" in rows[1] and "李工" in rows[1] and "设计部" in rows[1]
    title = sheet.cell(row=3, column=4)
    assert title.value == "=燃气未通" and title.data_type == "s" and title.quotePrefix  # as typed, never a formula
    assert sheet.auto_filter.ref
    assert row  # header names are translated labels
    only_a = load_workbook(io.BytesIO(api.get(f"/api/v1/batches/{site.batch_id}/risks.xlsx?category=A").data)).active
    assert [r[3] for r in only_a.iter_rows(min_row=2, values_only=True)] == ["户型图不一致"]


def test_the_readiness_pdf_shows_verdict_categories_risks_statements_and_sign_off(api, site, new_risk):
    blocking = new_risk(title="电梯未完成验收")
    accepted = new_risk(category="E", title="卫生间门与淋浴屏冲突", severity="high")
    api.token("manager").post(f"/api/v1/risks/{accepted['id']}/transitions", json={
        "action": "accept", "statement": "为满足消防要求门扇开启方向无法调整", "compensation_plan": "更换折叠淋浴屏"})
    response = api.get(f"/api/v1/batches/{site.batch_id}/readiness.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).replace(" ", "")
    for expected in ("交付准备情况报告", "不具备交付条件", "电梯未完成验收", "卫生间门与淋浴屏冲突",
                     "为满足消防要求门扇开启方向无法调整", "更换折叠淋浴屏", "户型图", "签字确认", "云璟花园"):
        assert expected in text, expected
    assert str(blocking["id"]) in text
