"""Key documents fit to print, sign and file, from stress data: long labels on tags, co-owners
with a rare character (刘䶮) and a masked ID number, a long belongings note, several uses logged
during an entrustment, company details from the project settings."""
import io
from datetime import date, timedelta

from pypdf import PdfReader
from reportlab.lib.units import mm

from handover.core.timeutil import freeze, now_utc
from handover.extensions import db
from handover.keys import document_rows, documents
from handover.keys.models import KeyEvent, KeyKind
from handover.projects.models import Batch, Contract, Owner, Unit
from tests.fixtures.keys import signature_png
from tests.reporting.conftest import assert_fonts_embedded, pdf_text

LONG_LABEL = "1号楼1单元601室 入户门备用钥匙（含防盗门、阳台门、储藏室门）共三把另加信报箱钥匙一把"


def flat(content: bytes) -> str:
    return "".join(pdf_text(content).split())


def _co_owned(unit_id):
    unit = db.session.get(Unit, unit_id)
    project = unit.batch.project
    project.company_name, project.seal_box = "云璟置业（上海）有限公司", True
    contract = db.session.get(Contract, unit.contract.id)
    contract.owner.name, contract.owner.id_number = "刘䶮", "110101199003076512"
    contract.co_owners.append(Owner(name="陈思远", phone="13900000801", id_number="310101198805051234"))
    unit.handed_over_on = date(2026, 11, 20)
    db.session.commit()


def test_long_tag_labels_stay_inside_their_tag(world, keys, ctx):
    for n in range(25):  # two sheets
        keys.create(world.a1.id, label=f"{LONG_LABEL}{n}", copies=12, slot=f"A-{n:02d}-上层左侧第三格",
                    kind=KeyKind.MAILBOX if n % 2 else KeyKind.ENTRANCE_DOOR)
    keys.create(None, batch_id=world.a.batch_id, label=(LONG_LABEL * 2)[:80], kind=KeyKind.PLANT_ROOM)  # the column holds 80
    sheet = document_rows.gather_tags(_property(), db.session.get(Batch, world.a.batch_id))
    content = documents.render_tag_sheet(sheet)
    assert_fonts_embedded(content, "print-key-tags.pdf")
    pages = PdfReader(io.BytesIO(content)).pages
    assert len(pages) == 2
    for number, page in enumerate(pages, start=1):
        text = "".join(page.extract_text().split())
        assert "钥匙标签" in text and "云璟花园" in text and f"第{number}页，共2页" in text
    width = documents.TAG_WIDTH - documents.QR_SIZE - 2 * documents.TAG_PADDING
    for tag in sheet.tags:
        texts = [(tag.place, 12, 3), (f"{tag.kind_name} ×{tag.copies}", 10, 1), (tag.code, 9, 2),
                 (f"柜位 {tag.cabinet_slot}", 9, 1)]
        laid = documents.label_lines(texts, width, documents.TAG_HEIGHT - 2 * documents.TAG_PADDING)
        assert laid and all(documents.stringWidth(line, documents.cjk_font(), size) <= width for line, size in laid)
        assert sum(size * 1.3 for _line, size in laid) <= documents.TAG_HEIGHT - 2 * documents.TAG_PADDING
    # the tags sit inside printable margins (at least 10 mm from every edge)
    assert (documents.A4[0] - documents.TAG_COLUMNS * documents.TAG_WIDTH) / 2 >= 10 * mm
    assert documents.TAG_TOP >= 15 * mm


def _property():
    from handover.accounts.models import User

    return db.session.query(User).filter_by(username="property").one()


def test_the_handover_record_has_each_buyer_the_count_cards_and_the_handover_date(world, keys, settled_unit, ctx):
    _co_owned(settled_unit.id)
    door = keys.received(settled_unit.id, copies=3)
    mailbox = keys.received(settled_unit.id, label="1-1-601 邮箱", copies=2, kind=KeyKind.MAILBOX)
    for key in (door, mailbox):
        keys.event(key.id, "handed_to_owner", counterparty="刘䶮", signature=signature_png())
    content = documents.render_handover_record(document_rows.gather_handover_record(
        db.session.get(Unit, settled_unit.id)))
    assert_fonts_embedded(content, "print-key-record.pdf")
    text = flat(content)
    for expected in ("钥匙移交记录", "1号楼1单元601室", "移交日期", "2026-11-20", "刘䶮", "陈思远", "**************6512",
                     "共2项，合计5把（套）", "门禁卡", "电梯卡", "车库遥控器", "买受人签字（刘䶮）", "买受人签字（陈思远）",
                     "移交人（物业）", "云璟置业（上海）有限公司"):
        assert expected in text, expected
    assert "110101199003076512" not in text  # the ID number is masked


def test_the_entrustment_letter_has_terms_contact_uses_and_signatures_together(world, keys, settled_unit, ctx):
    _co_owned(settled_unit.id)
    key = keys.received(settled_unit.id)
    keys.event(key.id, "handed_to_owner", counterparty="刘䶮", signature=signature_png())
    with freeze(now_utc() + timedelta(days=30)):
        entrusted = keys.event(key.id, "entrusted", counterparty="刘䶮", note="客厅沙发一套，卧室空调两台。" * 20,
                               signature=signature_png())
        for n in range(12):
            keys.event(key.id, "lent", counterparty=f"宏元建设 王师傅{n}", note="维修卫生间地漏")
            keys.event(key.id, "returned")
    content = documents.render_entrustment_letter(
        document_rows.gather_entrustment_letter(db.session.get(KeyEvent, entrusted)))
    assert_fonts_embedded(content, "print-entrustment-letter.pdf")
    text = flat(content)
    for expected in ("钥匙委托书", "委托期限", "使用范围", "责任", "业主联系电话", "13800000601", "宏元建设王师傅0",
                     "宏元建设王师傅11", "委托期间钥匙使用记录（借出、归还）", "委托人已阅读并同意上述条款",
                     "受托人（物业）", "钥匙取回确认"):
        assert expected in text, expected
    pages = PdfReader(io.BytesIO(content)).pages
    for page in pages[1:]:  # no page without its document and unit
        head = "".join(page.extract_text().split())
        assert "钥匙委托书" in head and "1号楼1单元601室" in head
    last = "".join(pages[-1].extract_text().split())
    assert "钥匙取回确认" in last and "业主已取回上列全部钥匙" in last  # the closing block stays whole
