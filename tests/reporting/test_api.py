"""Export endpoints: direct downloads when small, a job (202 + Location) when large, roles and scope."""
import io
import time
import zipfile
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from handover.core.timeutil import today_local
from handover.defects.document_rows import load_definition
from tests.reporting.conftest import INJECTION, pdf_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.data)).active


def _column(sheet, key):
    index = load_definition("defect_ledger").keys.index(key)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


def poll(api, url, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        body = api.get(url).get_json()
        if body["status"] in ("finished", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_small_ledger_is_downloaded_at_once_with_filters_applied(defect_world, api):
    batch_id = defect_world.world.a.batch_id
    api.token("engineering")
    sheet = _sheet(api.get(f"/api/v1/batches/{batch_id}/defects.xlsx?status=assigned"))
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert headers == [c.header for c in load_definition("defect_ledger").columns]
    descriptions = [c.value for c in _column(sheet, "description")]
    assert descriptions == ["客厅墙面空鼓约0.5平方米，需要铲除重做", "卫生间闭水试验时楼板渗漏"]

    overdue = _sheet(api.get(f"/api/v1/batches/{batch_id}/defects.xlsx?overdue=true"))
    assert [c.value for c in _column(overdue, "short_id")] == [defect_world.overdue[:8].upper()]
    due = _column(overdue, "due_date")[0]
    assert due.is_date and due.value.date() == today_local() - timedelta(days=3)
    created = _column(overdue, "created_at")[0]
    assert created.is_date and isinstance(created.value, datetime) and created.number_format == "yyyy-mm-dd hh:mm"
    assert _column(overdue, "overdue")[0].value


def test_the_ledger_neutralises_formula_injection(defect_world, api):
    api.token("engineering")
    sheet = _sheet(api.get(f"/api/v1/batches/{defect_world.world.a.batch_id}/defects.xlsx?room=厨房"))
    cell = _column(sheet, "description")[0]
    assert cell.data_type == "s" and cell.value == INJECTION and cell.quotePrefix


def test_a_large_ledger_becomes_a_job_that_the_creator_downloads(defect_world, api, app, monkeypatch):
    monkeypatch.setitem(app.config, "LEDGER_SYNC_MAX_ROWS", 2)
    api.token("engineering")
    response = api.get(f"/api/v1/batches/{defect_world.world.a.batch_id}/defects.xlsx")
    assert response.status_code == 202
    job_url = response.headers["Location"]
    assert job_url.startswith("http://localhost/api/v1/jobs/")
    assert response.get_json()["status"] in ("queued", "running", "finished")

    job = poll(api, job_url)
    assert job["status"] == "finished" and job["progress"] == 100, job
    assert job["download_url"].endswith(f"/api/v1/jobs/{job['id']}/download")
    download = api.get(job["download_url"])
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert len(_column(_sheet(download), "short_id")) == 4

    api.token("sales")  # same project, but not the job's creator
    assert api.get(job_url).status_code == 404
    assert api.get(job["download_url"]).status_code == 404


def test_unit_pdf_is_served_directly(defect_world, api):
    api.token("sales")
    response = api.get(f"/api/v1/units/{defect_world.world.a1.id}/defects.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "卫生间闭水试验时楼板渗漏" in pdf_text(response.data)


def test_all_unit_pdfs_of_a_batch_as_one_zip(defect_world, api):
    api.token("manager")
    response = api.post(f"/api/v1/batches/{defect_world.world.a.batch_id}/unit-defect-pdfs")
    assert response.status_code == 202
    job = poll(api, response.headers["Location"])
    assert job["status"] == "finished" and job["progress"] == 100, job
    archive = zipfile.ZipFile(io.BytesIO(api.get(job["download_url"]).data))
    names = archive.namelist()
    assert names == ["0001-1号楼1单元101室.pdf", "0002-1号楼1单元102室.pdf"]
    assert "入户门锁芯卡滞" in pdf_text(archive.read(names[1]))


@pytest.mark.parametrize("username", ["owner", "contractor"])
def test_homeowners_and_contractors_are_refused(defect_world, api, username):
    world = defect_world.world
    api.token(world.owner.username if username == "owner" else "contractor")
    assert api.get(f"/api/v1/batches/{world.a.batch_id}/defects.xlsx").status_code == 403
    assert api.get(f"/api/v1/units/{world.a1.id}/defects.pdf").status_code == 403
    assert api.post(f"/api/v1/batches/{world.a.batch_id}/unit-defect-pdfs").status_code == 403
    assert api.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000").status_code == 403


def test_staff_of_another_project_get_404(defect_world, api):
    world = defect_world.world
    api.token("sales_b")
    assert api.get(f"/api/v1/batches/{world.a.batch_id}/defects.xlsx").status_code == 404
    assert api.get(f"/api/v1/units/{world.a1.id}/defects.pdf").status_code == 404
    assert api.post(f"/api/v1/batches/{world.a.batch_id}/unit-defect-pdfs").status_code == 404


def test_one_unit_that_cannot_be_made_never_stops_the_batch(defect_world, api, monkeypatch):
    """The batch's zip finishes with every other unit; the job says, in Chinese, which unit was
    not made and why, and the zip lists it too."""
    from reportlab.platypus.doctemplate import LayoutError

    from handover.defects import documents

    render = documents.render_unit_defects

    def fails_for_101(sheet):
        if sheet.unit_label.endswith("101室"):
            raise LayoutError("Flowable <Table@0x7f 1 rows x 7 cols> too large on page 1")
        return render(sheet)

    monkeypatch.setattr(documents, "render_unit_defects", fails_for_101)
    api.token("engineering")
    response = api.post(f"/api/v1/batches/{defect_world.world.a.batch_id}/unit-defect-pdfs")
    job = poll(api, response.headers["Location"])
    assert job["status"] == "finished" and job["progress"] == 100, job
    assert job["message"] == "已生成 1 / 2 份问题清单。未能生成：1号楼1单元101室：清单中有内容无法排入一页", job
    archive = zipfile.ZipFile(io.BytesIO(api.get(job["download_url"]).data))
    assert archive.namelist() == ["0002-1号楼1单元102室.pdf", "未能生成.txt"]
    assert archive.read("未能生成.txt").decode() == "1号楼1单元101室：清单中有内容无法排入一页\r\n"
