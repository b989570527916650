"""Key documents: the tag sheet (and its QR codes), the handover record and the entrustment letter
with the drawn signatures printed on them, the ledger workbook, and their routes."""
import io
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from handover.core.timeutil import freeze, now_utc
from handover.extensions import db
from handover.keys.models import KeyEvent, KeyStatus
from handover.projects.models import Batch, Unit
from handover.keys import document_rows, documents
from tests.conftest import OUTPUT_DIR
from tests.reporting.conftest import assert_fonts_embedded
from tests.fixtures.keys import pdf_image_count, pdf_text, signature_png

JSQR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "jsqr" / "jsQR.js"
DECODE = """
const jsQR = require(process.argv[1]);
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const pixels = Buffer.concat(chunks);
  const rgba = new Uint8ClampedArray(pixels.buffer, pixels.byteOffset, pixels.length);
  const code = jsQR(rgba, +process.argv[2], +process.argv[3]);
  process.stdout.write(code ? code.data : "");
});
"""


def decode_qr(image: Image.Image) -> str:
    """Read a QR code with the same jsQR the scan page falls back to (run by node)."""
    rgba = image.convert("RGBA")
    done = subprocess.run(["node", "-e", DECODE, str(JSQR), str(rgba.width), str(rgba.height)], input=rgba.tobytes(),
                          capture_output=True, check=True, timeout=60)
    return done.stdout.decode()


def test_tag_sheet_prints_unit_kind_and_code_for_each_key(world, keys, make_unit, ctx):
    first = keys.received(world.a1.id)
    second = keys.create(world.a2.id, copies=2, slot="A-02")
    lost = keys.received(world.a2.id, label="1-1-102 邮箱")
    keys.event(lost.id, "lost")
    sheet = document_rows.gather_tags(_property(), db.session.get(Batch, world.a.batch_id))
    assert [tag.code for tag in sheet.tags] == [first.code, second.code]  # a lost key gets no tag
    assert sheet.tags[1].place == "1号楼1单元102室" and sheet.tags[1].kind_name == "入户门"
    content = documents.render_tag_sheet(sheet)
    text = "".join(pdf_text(content).split())  # a long unit name may wrap inside its tag
    for expected in ("1号楼1单元101室", "1号楼1单元102室", "入户门×3", "入户门×2", first.code, second.code, "柜位A-02",
                     "云璟花园", "第1页，共1页"):
        assert expected in text
    assert_fonts_embedded(content, "key-tags.pdf")


def test_tag_sheet_fills_a_page_then_the_next(world, make_unit, keys, ctx):
    codes = [keys.create(make_unit(world.a.batch_id, f"{300 + n}", phone=f"1390000{300 + n:04d}").id).code
             for n in range(documents.TAG_COLUMNS * documents.TAG_ROWS + 1)]
    content = documents.render_tag_sheet(_tags(world.a.batch_id))
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(content)).pages
    assert len(pages) == 2 and codes[-1] in pages[1].extract_text()


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("node")), reason="needs poppler-utils and node")
def test_the_qr_code_on_a_tag_decodes_to_the_key_code(world, keys, ctx, tmp_path):
    key = keys.received(world.a1.id)
    content = documents.render_tag_sheet(_tags(world.a.batch_id))
    (tmp_path / "tags.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(tmp_path / "tags.pdf"),
                    str(tmp_path / "page")], check=True)
    page = Image.open(next(tmp_path.glob("page*.png")))
    dots_per_mm = page.width / 210
    points_per_mm = 72 / 25.4
    left = (210 * points_per_mm - documents.TAG_COLUMNS * documents.TAG_WIDTH) / 2 / points_per_mm
    top = documents.TAG_TOP / points_per_mm
    width, height = documents.TAG_WIDTH / points_per_mm, documents.TAG_HEIGHT / points_per_mm
    first_label = page.crop((round(left * dots_per_mm), round(top * dots_per_mm),
                             round((left + width) * dots_per_mm), round((top + height) * dots_per_mm)))
    assert decode_qr(first_label) == key.code


def test_handover_record_lists_the_keys_and_prints_the_signature(world, keys, settled_unit, ctx):
    door = keys.received(settled_unit.id)
    mailbox = keys.received(settled_unit.id, label="1-1-601 邮箱", copies=2)
    for key in (door, mailbox):
        keys.event(key.id, "handed_to_owner", counterparty="赵敏", signature=signature_png())
    record = document_rows.gather_handover_record(db.session.get(Unit, settled_unit.id))
    assert [line.code for line in record.lines] == [door.code, mailbox.code]
    assert len(record.signings) == 1 and record.signings[0].signature.is_file()  # one sitting, one signature
    content = documents.render_handover_record(record)
    text = pdf_text(content)
    for expected in ("钥匙移交记录", "1号楼1单元601室", "赵敏", door.code, mailbox.code, "入户门", "移交人（物业）",
                     "业主签名"):
        assert expected in text
    assert pdf_image_count(content) == 1
    _save("key-handover-record.pdf", content)
    assert_fonts_embedded(content, "key-handover-record.pdf")


def test_entrustment_letter_with_belongings_uses_and_return(world, keys, settled_unit, ctx):
    key = keys.received(settled_unit.id)
    keys.event(key.id, "handed_to_owner", counterparty="赵敏", signature=signature_png())
    with freeze(now_utc() + timedelta(days=30)):
        entrusted = keys.event(key.id, "entrusted", counterparty="赵敏", note="客厅沙发一套，卧室空调两台",
                               signature=signature_png())
        keys.event(key.id, "lent", counterparty="宏元建设 王师傅", note="维修卫生间地漏")
        keys.event(key.id, "returned")
    event = db.session.get(KeyEvent, entrusted)
    letter = document_rows.gather_entrustment_letter(event)
    assert letter.returned is None and [u.to for u in letter.uses] == ["宏元建设 王师傅", ""]
    text = pdf_text(documents.render_entrustment_letter(letter))
    for expected in ("钥匙委托书", "1号楼1单元601室", "客厅沙发一套", "宏元建设 王师傅", "维修卫生间地漏", key.code,
                     "受托人（物业）"):
        assert expected in text

    with freeze(now_utc() + timedelta(days=40)):
        keys.event(key.id, "returned_to_owner", counterparty="赵敏", signature=signature_png(1))
    db.session.expire_all()
    letter = document_rows.gather_entrustment_letter(db.session.get(KeyEvent, entrusted))
    assert letter.returned is not None and letter.returned.signature.is_file()
    content = documents.render_entrustment_letter(letter)
    assert pdf_image_count(content) == 2  # signed when entrusting and when taking the keys back
    assert "钥匙取回确认" in pdf_text(content)
    _save("key-entrustment-letter.pdf", content)
    assert_fonts_embedded(content, "key-entrustment-letter.pdf")


def test_ledger_workbook_has_the_state_and_the_history(world, keys, ctx):
    key = keys.received(world.a1.id, slot="A-01")
    keys.event(key.id, "checked", result_ok=False)
    keys.event(key.id, "lent", counterparty="=HYPERLINK(\"x\")", note="开荒保洁")
    waiting = keys.create(world.a2.id)
    ledger = document_rows.gather_key_ledger(_property(), db.session.get(Batch, world.a.batch_id))
    out = io.BytesIO()
    documents.write_key_ledger(out, ledger)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    assert workbook.sheetnames == ["当前状态", "事件记录"]
    state = [list(r) for r in workbook["当前状态"].iter_rows(values_only=True)]
    assert state[0][:6] == ["楼栋", "单元", "房号", "钥匙类型", "标签", "编号"]
    by_code = {r[5]: r for r in state[1:]}
    assert set(by_code) == {key.code, waiting.code}
    lent_row = by_code[key.code]
    assert lent_row[:3] == ["1", "1", "101"] and lent_row[7] == "A-01"
    # shown as typed, never evaluated: a text cell with the quote-prefix style
    assert lent_row[8] == KeyStatus.ON_LOAN.label and lent_row[9] == '=HYPERLINK("x")'
    holder = next(row for row in workbook["当前状态"].iter_rows() if row[5].value == key.code)[9]
    assert holder.data_type == "s" and holder.quotePrefix
    assert all(workbook[name].auto_filter.ref for name in workbook.sheetnames)
    history = [list(r) for r in workbook["事件记录"].iter_rows(values_only=True)]
    assert len(history) == 1 + 3
    assert [r[4] for r in history[1:]] == [key.code] * 3
    assert history[2][8] == "打不开" and history[3][9] == "开荒保洁"


def test_ledger_and_documents_through_the_api(world, keys, settled_unit, api):
    key = keys.received(settled_unit.id)
    keys.event(key.id, "handed_to_owner", counterparty="赵敏", signature=signature_png())
    entrusted = keys.event(key.id, "entrusted", counterparty="赵敏", note="无", signature=signature_png())
    api.token("property")
    ledger = api.get(f"/api/v1/batches/{world.a.batch_id}/keys.xlsx")
    assert ledger.status_code == 200 and ledger.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(ledger.data)).sheetnames == ["当前状态", "事件记录"]
    assert api.get(f"/api/v1/batches/{world.a.batch_id}/keys/tags.pdf").data.startswith(b"%PDF")
    assert key.code in pdf_text(api.get(f"/api/v1/units/{settled_unit.id}/keys/handover-record.pdf").data)
    assert api.get(f"/api/v1/key-events/{entrusted}/entrustment.pdf").status_code == 200
    assert api.get(f"/api/v1/batches/{world.b.batch_id}/keys.xlsx").status_code == 404
    api.token("13800000001")  # a homeowner: their own unit only, and no ledger
    assert api.get(f"/api/v1/batches/{world.a.batch_id}/keys.xlsx").status_code == 403
    assert api.get(f"/api/v1/units/{settled_unit.id}/keys/handover-record.pdf").status_code == 404
    assert api.get(f"/api/v1/key-events/{entrusted}/entrustment.pdf").status_code == 404


def test_document_pages(world, keys, browser):
    keys.received(world.a1.id)
    browser.login("property")
    tags = browser.client.get(f"/batches/{world.a.batch_id}/keys/tags.pdf")
    assert tags.status_code == 200 and tags.mimetype == "application/pdf" and "inline" in tags.headers[
        "Content-Disposition"]
    ledger = browser.client.get(f"/batches/{world.a.batch_id}/keys.xlsx")
    assert ledger.status_code == 200 and "attachment" in ledger.headers["Content-Disposition"]
    assert browser.client.get(f"/batches/{world.b.batch_id}/keys/tags.pdf").status_code == 404


def _tags(batch_id: int) -> document_rows.TagSheet:
    return document_rows.gather_tags(_property(), db.session.get(Batch, batch_id))


def _property():
    from handover.accounts.models import User

    return db.session.query(User).filter_by(username="property").one()


def _save(name: str, content: bytes) -> None:
    OUTPUT_DIR.mkdir(exist_ok=True)
    (OUTPUT_DIR / name).write_bytes(content)


def test_a_large_tag_sheet_becomes_a_job_whose_pdf_holds_every_tag(world, keys, api, app, monkeypatch):
    from tests.reporting.test_api import poll

    first = keys.received(world.a1.id)
    second = keys.create(world.a2.id, copies=2, slot="A-02")
    monkeypatch.setitem(app.config, "KEY_TAGS_SYNC_MAX", 1)
    api.token("property")
    response = api.get(f"/api/v1/batches/{world.a.batch_id}/keys/tags.pdf")
    assert response.status_code == 202
    job = poll(api, response.headers["Location"])
    assert job["status"] == "finished" and job["progress"] == 100, job
    content = api.get(job["download_url"]).data
    text = pdf_text(content)
    assert first.code in text and second.code in text and "柜位 A-02" in text
    assert_fonts_embedded(content, "key-tags-job.pdf")


def test_the_tag_page_sends_a_large_sheet_to_the_job_page(world, keys, as_role, app, monkeypatch):
    keys.received(world.a1.id)
    keys.received(world.a2.id)
    monkeypatch.setitem(app.config, "KEY_TAGS_SYNC_MAX", 1)
    response = as_role("property").get(f"/batches/{world.a.batch_id}/keys/tags.pdf")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    monkeypatch.setitem(app.config, "KEY_TAGS_SYNC_MAX", 240)
    direct = as_role("property").get(f"/batches/{world.a.batch_id}/keys/tags.pdf")
    assert direct.status_code == 200 and direct.data.startswith(b"%PDF")
