"""Fee documents fit to print, sign and file, made from stress data: co-owners with a rare
character (刘䶮), a returned unit, a unit without a buyer, company details from the project
settings, a reversal. Each document: no error, every font embedded, the texts an office needs."""
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from handover.extensions import db
from handover.projects.models import Building, Contract, Owner, Project, Unit
from tests.fees.test_documents import SETTINGS
from tests.reporting.conftest import assert_fonts_embedded, pdf_text, save_output
from tests.reporting.test_api import poll

COMPANY = {"company_name": "云璟置业（上海）有限公司", "company_address": "上海市浦东新区云璟路88号",
           "company_phone": "021-5888 6666", "office_hours": "每日 9:00–17:00（节假日照常）",
           "handover_venue": "云璟花园会所一楼交付中心", "booking_instructions": "请拨打 021-5888 6666 或在业主服务平台预约",
           "bank_name": "中国工商银行上海云璟支行", "bank_account_name": "云璟置业（上海）有限公司",
           "bank_account": "1001 2345 6789 0123 456", "property_company": "云璟物业服务有限公司",
           "property_requirements": "签署《前期物业服务协议》，登记车辆信息，预交三个月物业服务费"}
PUBLIC_URL = "https://jiaofu.yunjing.example.cn"


def flat(content: bytes) -> str:
    return "".join(pdf_text(content).split())


@pytest.fixture
def stressed(app, world, make_unit, api):
    """Batch A with fees and company details; 601 owned by 刘䶮 with two co-owners; 602 returned
    by its buyer; 603 without a buyer; finance signed in."""
    app.config["PUBLIC_URL"] = PUBLIC_URL
    main = make_unit(world.a.batch_id, "601", floor=6, measured="101.20", phone="13800000601", owner_name="刘䶮",
                     id_number="110101199003076512")
    returned = make_unit(world.a.batch_id, "602", floor=6, measured="95.00", phone="13800000602", owner_name="王𠀁明")
    with app.app_context():
        project = db.session.get(Unit, main.id).batch.project
        for name, value in COMPANY.items():
            setattr(project, name, value)
        contract = db.session.get(Contract, main.contract_id)
        contract.co_owners += [Owner(name="陈思远", phone="13900000602"), Owner(name="欧阳娜娜", phone="13900000603")]
        building = db.session.query(Building).filter_by(batch_id=world.a.batch_id, name="1").one()
        db.session.add(Unit(batch_id=world.a.batch_id, building=building, entrance="1", floor=6, room_no="603"))
        db.session.commit()
    api.token("finance")
    assert api.put(f"/api/v1/batches/{world.a.batch_id}/fee-settings", json=SETTINGS).status_code == 200
    assert api.post(f"/api/v1/units/{returned.id}/return-decision", json={"keep": False}).status_code == 200
    yield main, returned
    app.config["PUBLIC_URL"] = ""


def test_the_notice_says_where_when_whom_to_call_and_what_happens_if_late(stressed, api):
    main, _returned = stressed
    content = api.get(f"/api/v1/units/{main.id}/notice.pdf").data
    assert_fonts_embedded(content, "print-notice.pdf")
    text = flat(content)
    for expected in ("交付通知书", "1号楼1单元601室", "刘䶮、陈思远、欧阳娜娜", "云璟花园会所一楼交付中心", "每日9:00–17:00",
                     "021-58886666", "业主服务平台预约", "中国工商银行上海云璟支行", "1001234567890123456",
                     "逾期视为交付", "物业服务费自该日起计收", "云璟物业服务有限公司", "预交三个月物业服务费",
                     "云璟置业（上海）有限公司（盖章）", "盖章处", f"{PUBLIC_URL}/activate".replace(" ", "")):
        assert expected in text, expected
    assert "localhost" not in text  # the configured public address, never the request's host
    pages = PdfReader(io.BytesIO(content)).pages
    for number, page in enumerate(pages[1:], start=2):  # later pages name the document and the unit
        head = "".join(page.extract_text().split())
        assert "交付通知书" in head and "1号楼1单元601室" in head and f"第{number}页，共{len(pages)}页" in head
        assert "云璟置业（上海）有限公司" in head and "No.TZ-HT-" in head


def test_the_receipt_names_what_was_paid_its_copies_and_a_reversal_prints_negative(stressed, api):
    main, _returned = stressed
    paid = api.post(f"/api/v1/units/{main.id}/payments", json={
        "kind": "payment", "amount": "30000.00", "method": "transfer", "receipt_no": "SK-601",
        "note": "=SUM(A1:A9) " + "备注" * 100}).get_json()
    content = api.get(f"/api/v1/payments/{paid['id']}/receipt.pdf").data
    assert_fonts_embedded(content, "print-receipt.pdf")
    text = flat(content)
    for expected in ("收款收据", "SK-601", "HT-1-1-601", "刘䶮、陈思远、欧阳娜娜", "面积补差", "物业服务费预收",
                     "人民币叁万元整", "¥30,000.00", "第一联存根联", "第二联交款人联", "第三联记账联", "本收据不作发票",
                     "云璟置业（上海）有限公司"):
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(content)).pages) == 2  # two copies to a page: half-page copies
    reversal = api.post(f"/api/v1/payments/{paid['id']}/reversal", json={"receipt_no": "SK-601-X"}).get_json()
    reversed_text = flat(api.get(f"/api/v1/payments/{reversal['id']}/receipt.pdf").data)
    assert "冲正凭证" in reversed_text and "¥-30,000.00" in reversed_text and "负人民币叁万元整" in reversed_text


def test_the_fee_statement_for_signature_is_one_page_with_a_line_for_each_buyer(stressed, api, client):
    main, returned = stressed
    api.post(f"/api/v1/units/{main.id}/payments", json={"kind": "payment", "amount": "1000.00", "method": "cash",
                                                        "receipt_no": "SK-6011"})
    response = api.get(f"/api/v1/units/{main.id}/fee-statement.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert_fonts_embedded(response.data, "print-fee-statement.pdf")
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1
    text = flat(response.data)
    for expected in ("费用结算确认单", "1号楼1单元601室", "HT-1-1-601", "面积补差", "收退款记录", "SK-6011", "1,000.00",
                     "买受人签字（刘䶮）", "买受人签字（陈思远）", "买受人签字（欧阳娜娜）", "经办人（工作人员）", "确认无误"):
        assert expected in text, expected
    returned_text = flat(api.get(f"/api/v1/units/{returned.id}/fee-statement.pdf").data)
    assert "买受人已选择退房" in returned_text and "王𠀁明" in returned_text


def test_the_fee_schedule_totals_leave_out_returned_units_and_add_payments_and_phones(stressed, world, api):
    main, _returned = stressed
    api.post(f"/api/v1/units/{main.id}/payments", json={"kind": "payment", "amount": "500.00", "method": "cash",
                                                        "receipt_no": "SK-6012", "note": "=1+2"})
    workbook = load_workbook(io.BytesIO(api.get(f"/api/v1/batches/{world.a.batch_id}/fees.xlsx").data))
    assert workbook.sheetnames == ["费用明细", "收退款记录"]
    for sheet in workbook.worksheets:
        assert sheet.auto_filter.ref and sheet.freeze_panes == "A2"
    schedule = workbook["费用明细"]
    values = [[c.value for c in row] for row in schedule.iter_rows()]
    rows = [dict(zip(values[0], row)) for row in values[1:]]
    units, totals = rows[:-1], rows[-1]
    by_room = {row["房号"]: row for row in units}
    assert by_room["601"]["联系电话"] == "13800000601"  # finance phones owners: in full
    assert "已退房" in by_room["602"]["备注"]
    counted = [row for row in units if "已退房" not in (row["备注"] or "")]
    for header in ("应收合计", "已收", "应补缴", "应退还"):
        assert Decimal(str(totals[header])) == sum(Decimal(str(row[header] or 0)) for row in counted), header
    assert "1 户已退房" in totals["业主"]
    payments = [[c.value for c in row] for row in workbook["收退款记录"].iter_rows()]
    assert payments[0][:5] == ["时间", "楼栋", "单元", "房号", "业主"]
    note = next(row for row in workbook["收退款记录"].iter_rows(min_row=2) if row[7].value == "SK-6012")[10]
    assert note.value == "=1+2" and note.data_type == "s" and note.quotePrefix  # never evaluated
    api.token("manager")  # a manager reads the schedule with owners' phones masked
    masked = load_workbook(io.BytesIO(api.get(f"/api/v1/batches/{world.a.batch_id}/fees.xlsx").data))["费用明细"]
    phones = [row[4].value for row in masked.iter_rows(min_row=2) if row[2].value == "601"]
    assert phones == ["138****0601"]


def test_batch_notices_report_skipped_units_and_why(stressed, world, api):
    api.token("property")
    response = api.post(f"/api/v1/batches/{world.a.batch_id}/notices")
    job = poll(api, response.headers["Location"])
    assert job["status"] == "finished" and job["progress"] == 100, job
    assert "跳过 2 户" in job["message"] and "1号楼1单元602室: 买受人已退房" in job["message"]
    assert "1号楼1单元603室: 未登记买受人（无合同）" in job["message"]
    content = api.get(job["download_url"]).data
    save_output("print-notices-batch.pdf", content)
    last = "".join(PdfReader(io.BytesIO(content)).pages[-1].extract_text().split())
    assert "未生成交付通知书的房屋" in last and "1号楼1单元602室" in last and "买受人已退房" in last


def test_admins_edit_the_company_details_on_a_page(app, world, browser, client):
    browser.login("admin")
    assert "单据设置" in client.get("/dashboard").get_data(as_text=True)
    saved = browser.post(f"/projects/{world.a.id}/settings", {**COMPANY, "seal_box": "y"})
    assert saved.status_code == 302
    with app.app_context():
        project = db.session.get(Project, world.a.id)
        assert project.company_name == COMPANY["company_name"] and project.bank_account == COMPANY["bank_account"]
        assert project.seal_box
    browser.logout()
    browser.login("finance")
    assert client.get(f"/projects/{world.a.id}/settings").status_code == 403
