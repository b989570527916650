"""Fee documents: amounts in Chinese capitals, the handover notice (lines, bases, activation
code that really works), the receipt, the fee schedule read back from Excel, the batch's
notices as a job, and who may have them."""
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from handover.reporting.chinese_amount import amount_in_capitals
from tests.reporting.conftest import assert_fonts_embedded, pdf_text, pypdf_fonts, save_output
from tests.reporting.test_api import poll
from tests.fixtures.tools import require

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SETTINGS = {"property_fee_rate": "3.20", "prepay_months": 3, "maintenance_fund_per_m2": "80.00",
            "deed_tax_rate": "0.015", "other": [{"label": "有线电视开户费", "amount": "300.00"}]}


@pytest.mark.parametrize("amount, capitals", [
    ("24000.00", "贰万肆仟元整"),  # DOMAIN.md: M = 101.20 → the buyer pays 24,000.00
    ("140000.00", "壹拾肆万元整"),
    # the examples of the People's Bank rules for filling in bills (正确填写票据和结算凭证的基本规定)
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("10.00", "壹拾元整"),
    ("100010.00", "壹拾万零壹拾元整"),
    ("150001000.00", "壹亿伍仟万壹仟元整"),
    ("100010000.00", "壹亿零壹万元整"),
    ("100000001.00", "壹亿零壹元整"),
    ("0.05", "伍分"),
    ("0.50", "伍角"),
    ("0.00", "零元整"),
    ("3461.04", "叁仟肆佰陆拾壹元零肆分"),
    ("-60000.00", "负陆万元整"),
])
def test_amount_in_capitals(amount, capitals):
    assert amount_in_capitals(Decimal(amount)) == capitals


@pytest.mark.parametrize("bad", [Decimal("1.005"), Decimal("NaN"), Decimal("1E16"), 24000.0])
def test_amount_in_capitals_refuses_what_it_cannot_write_exactly(bad):
    with pytest.raises(ValueError):
        amount_in_capitals(bad)


@pytest.fixture
def priced(world, make_unit, api):
    """Batch A with fees set; unit 501 (M = 101.20: the buyer owes 63,727.52) and a second unit of
    the same owner; finance signed in to the API."""
    one = make_unit(world.a.batch_id, "501", measured="101.20", phone="13800000501", owner_name="赵敏")
    two = make_unit(world.a.batch_id, "502", measured="98.80", phone="13800000501", owner_name="赵敏")
    api.token("finance")
    assert api.put(f"/api/v1/batches/{world.a.batch_id}/fee-settings", json=SETTINGS).status_code == 200
    return one, two


def _statement(api, unit_id) -> dict:
    return api.get(f"/api/v1/units/{unit_id}/statement").get_json()


def _code(text: str) -> str:
    match = re.search(r"激活码：(\d{8})", text)
    assert match, text
    return match.group(1)


def test_notice_shows_lines_bases_and_a_code_that_activates_the_portal(priced, api, client):
    unit, _other = priced
    api.token("sales")  # sales hand owners their activation codes
    response = api.get(f"/api/v1/units/{unit.id}/notice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert all(pypdf_fonts(response.data).values())  # the Chinese font is embedded
    assert_fonts_embedded(response.data, "notice-one.pdf")
    text = pdf_text(response.data)
    flat = re.sub(r"\s+", "", text)
    for line in _statement(api, unit.id)["lines"]:
        assert line["label"] in text
        assert re.sub(r"\s+", "", line["basis"]) in flat, line["basis"]
        assert f"{Decimal(line['amount']):,.2f}" in text
    for words in ("交付通知书", "赵敏", "1号楼1单元501室", "身份证", "《商品房买卖合同》", "签到", "费用结算", "验房",
                  "签署交付文件", "领取钥匙", "63,727.52", "应付余额", "138****0501"):
        assert words in text, words
    code = _code(text)
    again = api.get(f"/api/v1/units/{unit.id}/notice.pdf")  # a reprint prints the same code …
    assert _code(pdf_text(again.data)) == code
    activated = client.post("/api/v1/auth/activate",
                            json={"phone": "13800000501", "code": code, "password": "secret-123"})
    assert activated.status_code == 200 and activated.get_json() == {"username": "13800000501"}


def test_the_staff_page_issues_the_notice_by_post(priced, world, browser):
    unit, _other = priced
    browser.login("sales")
    assert browser.client.get(f"/units/{unit.id}/notice.pdf").status_code == 405  # issuing changes state
    response = browser.post(f"/units/{unit.id}/notice.pdf", page=f"/units/{unit.id}/statement")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    _code(pdf_text(response.data))


def test_render_one_notice_page_for_review(priced, api):
    """Writes test-output/notice-1.png for a person to look at (Chinese text, the table fits)."""
    unit, _other = priced
    content = api.get(f"/api/v1/units/{unit.id}/notice.pdf").data
    pages = PdfReader(io.BytesIO(content)).pages
    # the notice (with contact, late-handover and property sections) fits on two A4 pages; the
    # second names the document and the unit in its header
    assert len(pages) <= 2
    if len(pages) == 2:
        assert "交付通知书" in pages[1].extract_text() and "第 2 页，共 2 页" in pages[1].extract_text()
    path = save_output("notice.pdf", content)
    require(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils)")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(path.with_name("notice"))],
                   check=True)
    assert path.with_name("notice-1.png").stat().st_size > 10_000


def test_return_right_and_a_returned_unit(world, make_unit, api):
    unit = make_unit(world.a.batch_id, "506", measured="95.00", phone="13800000506")
    api.token("finance")
    text = re.sub(r"\s+", "", pdf_text(api.get(f"/api/v1/units/{unit.id}/notice.pdf").data))
    assert "有权退房" in text and "按不退房计算" in text and "140,000.00" in text
    assert "应退余额（暂定" in text  # the decision is pending: the balance is not final
    api.post(f"/api/v1/units/{unit.id}/return-decision", json={"keep": False})
    refused = api.get(f"/api/v1/units/{unit.id}/notice.pdf")
    assert refused.status_code == 409


def test_receipt_shows_the_amount_in_capitals(priced, api):
    unit, _other = priced
    paid = api.post(f"/api/v1/units/{unit.id}/payments", json={
        "kind": "payment", "amount": "24000.00", "method": "transfer", "receipt_no": "SK-0001"}).get_json()
    response = api.get(f"/api/v1/payments/{paid['id']}/receipt.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for words in ("收款收据", "SK-0001", "人民币贰万肆仟元整", "¥24,000.00", "银行转账", "finance", "赵敏",
                  "1号楼1单元501室"):
        assert words in text, words
    assert_fonts_embedded(response.data, "receipt.pdf")
    reversal = api.post(f"/api/v1/payments/{paid['id']}/reversal", json={"receipt_no": "SK-0001-X"}).get_json()
    reversal_text = pdf_text(api.get(f"/api/v1/payments/{reversal['id']}/receipt.pdf").data)
    assert "冲正凭证" in reversal_text and "SK-0001" in reversal_text
    assert "已被冲正" in pdf_text(api.get(f"/api/v1/payments/{paid['id']}/receipt.pdf").data)


def _rows(content: bytes) -> tuple[list, list[dict]]:
    sheet = load_workbook(io.BytesIO(content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    headers = values[0]
    return headers, [dict(zip(headers, row)) for row in values[1:]]


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_fee_schedule_rows_equal_the_statements(priced, world, api):
    one, two = priced
    api.post(f"/api/v1/units/{one.id}/payments", json={"kind": "payment", "amount": "24000.00", "method": "cash",
                                                      "receipt_no": "SK-1"})
    response = api.get(f"/api/v1/batches/{world.a.batch_id}/fees.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    headers, rows = _rows(response.data)
    assert headers[:8] == ["楼栋", "单元", "房号", "业主", "联系电话", "合同编号", "合同面积(m²)", "实测面积(m²)"]
    assert headers[8:13] == ["面积补差", "物业服务费预收", "公共维修基金", "契税", "有线电视开户费"]
    assert headers[13:] == ["应收合计", "已收", "已退", "余额", "应补缴", "应退还", "是否结清", "备注"]
    units, totals = rows[:-1], rows[-1]
    assert [row["房号"] for row in units] == ["101", "102", "501", "502"]
    for row, unit_id in zip(units, (world.a1.id, world.a2.id, one.id, two.id)):
        statement = _statement(api, unit_id)
        lines = {line["label"]: Decimal(line["amount"]) for line in statement["lines"]}
        for label in headers[8:13]:
            assert (row[label] is None and label not in lines) or _money(row[label]) == lines[label], label
        for header, key in (("应收合计", "total"), ("已收", "paid"), ("已退", "refunded"), ("余额", "balance")):
            assert _money(row[header]) == Decimal(statement[key]), (row["房号"], header)
        assert row["是否结清"] == ("是" if statement["settled"] else "否")
    assert units[0]["备注"] == "尚未录入实测面积。"  # unit 101 has no measured area
    assert totals["楼栋"] == "合计" and totals["房号"] == "4 户"
    for header in ("面积补差", "应收合计", "已收", "余额"):
        assert _money(totals[header]) == sum(_money(row[header] or 0) for row in units)


def test_a_large_fee_schedule_becomes_a_job(priced, world, api, app, monkeypatch):
    monkeypatch.setitem(app.config, "FEE_SCHEDULE_SYNC_MAX_UNITS", 2)
    response = api.get(f"/api/v1/batches/{world.a.batch_id}/fees.xlsx")
    assert response.status_code == 202
    job = poll(api, response.headers["Location"])
    assert job["status"] == "finished", job
    _headers, rows = _rows(api.get(job["download_url"]).data)
    assert len(rows) == 5


def test_batch_notices_job_makes_one_pdf_with_a_code_per_owner(priced, world, api):
    one, two = priced
    api.token("property")
    response = api.post(f"/api/v1/batches/{world.a.batch_id}/notices")
    assert response.status_code == 202
    job = poll(api, response.headers["Location"])
    assert job["status"] == "finished" and job["progress"] == 100, job
    download = api.get(job["download_url"])
    assert download.mimetype == "application/pdf"
    assert_fonts_embedded(download.data, "notices-batch.pdf")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(download.data)).pages]
    # each notice counts its own pages ("第 1 页，共 2 页" starts the next one); later pages name
    # the notice and its unit in their header
    notices = []
    for page in pages:
        total = int(re.search(r"第 (\d+) 页，共 (\d+) 页", page).group(2))
        if "第 1 页，" in page:
            notices.append([page, total])
        else:
            notices[-1][0] += page
            assert "交付通知书" in page
    notices = [text for text, _total in notices]
    assert [re.search(r"1号楼1单元(\d+)室", page).group(1) for page in notices] == ["101", "102", "501", "502"]
    assert "实测面积确定后" in re.sub(r"\s+", "", notices[0])  # 101 is not measured: no fee table yet
    assert "计算依据" not in notices[0] and "计算依据" in notices[2]
    # 张伟 (101) already has a portal account: a code would let whoever holds the paper reset his password
    assert "您已开通业主服务平台账号" in re.sub(r"\s+", "", notices[0]) and "激活码：" not in notices[0]
    codes = [_code(page) for page in notices[1:]]
    assert codes[1] == codes[2]  # 赵敏 owns 501 and 502: one code, the second would cancel the first
    assert len(set(codes)) == 2


def _codes_issued(app) -> int:
    from handover.accounts.models import ActivationCode
    from handover.extensions import db

    with app.app_context():
        return db.session.query(ActivationCode).count()


def test_finance_prints_notices_without_issuing_codes(priced, world, api, app):
    """Printing is not issuing: finance may print notices but not hand out codes, so its notices
    carry none (the owner gets one at the desk) and no code is created, one unit or a batch."""
    unit, _other = priced
    before = _codes_issued(app)
    text = re.sub(r"\s+", "", pdf_text(api.get(f"/api/v1/units/{unit.id}/notice.pdf").data))
    assert "激活码：" not in text and "激活码请在交付时到现场客服处领取" in text
    assert "138****0501" in text
    job = poll(api, api.post(f"/api/v1/batches/{world.a.batch_id}/notices").headers["Location"])
    assert job["status"] == "finished", job
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(api.get(job["download_url"]).data)).pages]
    assert not any("激活码：" in page for page in pages)
    assert _codes_issued(app) == before


@pytest.mark.parametrize("who", ["owner", "contractor", "engineering"])
def test_documents_are_refused_to_other_roles(priced, world, api, who):
    one, _two = priced
    payment = api.post(f"/api/v1/units/{one.id}/payments", json={
        "kind": "payment", "amount": "1.00", "method": "cash", "receipt_no": "R-1"}).get_json()
    api.token(world.owner.username if who == "owner" else who)
    assert api.get(f"/api/v1/units/{world.a1.id}/notice.pdf").status_code == 403
    assert api.get(f"/api/v1/payments/{payment['id']}/receipt.pdf").status_code == 403
    assert api.post(f"/api/v1/batches/{world.a.batch_id}/notices").status_code == 403
    assert api.get(f"/api/v1/batches/{world.a.batch_id}/fees.xlsx").status_code == 403


def test_staff_of_another_project_get_404(priced, world, api):
    one, _two = priced
    api.post(f"/api/v1/units/{one.id}/payments", json={
        "kind": "payment", "amount": "1.00", "method": "cash", "receipt_no": "R-1"}).get_json()
    api.token("sales_b")
    assert api.get(f"/api/v1/units/{one.id}/notice.pdf").status_code == 404
    assert api.post(f"/api/v1/batches/{world.a.batch_id}/notices").status_code == 404
    assert api.get(f"/api/v1/batches/{world.a.batch_id}/fees.xlsx").status_code == 404
