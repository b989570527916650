"""Export pages: the batch's export page, the ledger, the job page with progress, unit PDFs."""
import io
import zipfile

from openpyxl import load_workbook

from handover.extensions import db
from handover.jobs import service as jobs
from tests.reporting.conftest import pdf_text


def _wait(app, job_id):
    with app.app_context():
        return jobs.wait_for(job_id, timeout=60)


def test_export_page_offers_the_ledger_and_the_pdfs(defect_world, browser):
    browser.login("engineering")
    html = browser.client.get(f"/batches/{defect_world.world.a.batch_id}/exports").get_data(as_text=True)
    assert f'action="/batches/{defect_world.world.a.batch_id}/defects.xlsx"' in html
    assert f'action="/batches/{defect_world.world.a.batch_id}/unit-defect-pdfs"' in html
    assert "宏元建设" in html  # the contractor filter


def test_small_ledger_downloads_with_the_chosen_filters(defect_world, browser):
    browser.login("engineering")
    response = browser.client.get(f"/batches/{defect_world.world.a.batch_id}/defects.xlsx"
                                  "?building_id=&status=&contractor_id=&overdue=true")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row == 2  # header + the one overdue defect


def test_bad_filter_values_come_back_to_the_export_page(defect_world, browser):
    browser.login("engineering")
    response = browser.client.get(f"/batches/{defect_world.world.a.batch_id}/defects.xlsx?status=nonsense")
    assert response.status_code == 302 and response.headers["Location"].endswith("/exports")


def test_large_ledger_goes_to_the_job_page_which_offers_the_download(defect_world, browser, app, monkeypatch):
    monkeypatch.setitem(app.config, "LEDGER_SYNC_MAX_ROWS", 1)
    browser.login("engineering")
    response = browser.client.get(f"/batches/{defect_world.world.a.batch_id}/defects.xlsx")
    assert response.status_code == 302
    job_page = response.headers["Location"]
    job_id = job_page.rsplit("/", 1)[1]
    _wait(app, job_id)
    html = browser.client.get(job_page).get_data(as_text=True)
    assert 'id="job-progress" max="100" value="100"' in html
    assert f'href="/jobs/{job_id}/download"' in html and "hidden" not in html.split('id="job-download"')[1][:200]
    status = browser.client.get(f"/jobs/{job_id}/status").get_json()
    assert status["status"] == "finished" and status["download_url"] == f"/jobs/{job_id}/download"
    download = browser.client.get(status["download_url"])
    assert load_workbook(io.BytesIO(download.data)).active.max_row == 5
    assert job_id in browser.client.get("/jobs/").get_data(as_text=True)

    browser.logout()
    browser.login("sales")
    assert browser.client.get(job_page).status_code == 404
    assert browser.client.get(f"/jobs/{job_id}/download").status_code == 404


def test_a_running_job_page_polls_for_progress(defect_world, browser, app):
    from handover.accounts.models import User
    from handover.jobs.models import Job, JobStatus

    job_id = "11111111-2222-3333-4444-555555555555"
    with app.app_context():
        user = db.session.get(User, defect_world.world.users["engineering"])
        db.session.add(Job(id=job_id, kind="defect_ledger", params={}, progress=40, status=JobStatus.RUNNING,
                           created_by_id=user.id))
        db.session.commit()
    browser.login("engineering")
    html = browser.client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'value="40"' in html and "data-status-url" in html and "js/jobs.js" in html  # the poller
    assert '<meta http-equiv="refresh"' in html  # inside <noscript>, for browsers without scripts
    assert 'id="job-download"' in html and "hidden" in html.split('id="job-download"')[1][:200]


def test_unit_pdfs_of_the_batch_start_from_a_form(defect_world, browser, app):
    browser.login("engineering")
    batch_id = defect_world.world.a.batch_id
    response = browser.post(f"/batches/{batch_id}/unit-defect-pdfs", page=f"/batches/{batch_id}/exports")
    assert response.status_code == 302
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    assert _wait(app, job_id).progress == 100
    archive = zipfile.ZipFile(io.BytesIO(browser.client.get(f"/jobs/{job_id}/download").data))
    assert len(archive.namelist()) == 2


def test_a_unit_pdf_opens_in_the_browser(defect_world, browser):
    browser.login("sales")
    response = browser.client.get(f"/units/{defect_world.world.a1.id}/defects.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert "客厅墙面空鼓" in pdf_text(response.data)


def test_homeowners_cannot_use_export_pages(defect_world, browser):
    browser.login(defect_world.world.owner.username)
    world = defect_world.world
    assert browser.client.get(f"/units/{world.a1.id}/defects.pdf").status_code == 403
    assert browser.client.get(f"/batches/{world.a.batch_id}/exports").status_code == 403
    assert browser.client.get("/jobs/").status_code == 403
