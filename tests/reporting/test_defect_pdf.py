"""The unit defect list PDF: Chinese text present, the font embedded, signature lines, thumbnails."""
import shutil
import subprocess
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from handover.extensions import db
from handover.projects.models import Unit
from handover.defects import document_rows, documents
from handover.reporting import fonts
from tests.reporting.conftest import INJECTION, assert_fonts_embedded, pdf_fonts, pdf_text, pypdf_fonts, save_output
from tests.fixtures.tools import require


def _unit_pdf(app, unit_id, locale="zh_Hans_CN"):
    with app.test_request_context(), force_locale(locale):
        sheet = document_rows.unit_sheet(db.session.get(Unit, unit_id))
        labels = {key: _(msgid) for key, msgid in
                  (("staff", "Staff signature"), ("title", "Defect list"))}
        labels["owner"] = _("Owner's signature (%(name)s)", name=sheet.owners[0]) if sheet.owners else \
            _("Owner's signature")
        return sheet, documents.render_unit_defects(sheet), labels


def test_unit_sheet_gathers_the_units_defects(app, defect_world):
    sheet, _pdf, _labels = _unit_pdf(app, defect_world.world.a1.id)
    assert sheet.project == "云璟花园" and sheet.owner_name == "张伟"
    assert sheet.unit_label == "1号楼1单元101室"
    assert [line.description for line in sheet.lines] == [
        "客厅墙面空鼓约0.5平方米，需要铲除重做", "卫生间闭水试验时楼板渗漏", INJECTION]
    first = sheet.lines[0]
    assert first.overdue and first.contractor == "宏元建设" and len(first.thumbnails) == 1
    assert first.thumbnails[0].path.name.endswith("_thumb.jpg")


def test_pdf_has_the_chinese_unit_label_descriptions_and_signature_lines(app, defect_world):
    _sheet, content, labels = _unit_pdf(app, defect_world.world.a1.id)
    text = pdf_text(content)
    compact = text.replace(" ", "").replace("\n", "")
    assert "1号楼1单元101室" in compact
    assert "云璟花园" in compact and "张伟" in compact
    assert "客厅墙面空鼓约0.5平方米，需要铲除重做" in compact
    assert "卫生间闭水试验时楼板渗漏" in compact
    for label in labels.values():
        assert label.replace(" ", "") in compact
    assert "1/1" in compact or "of 1" in text or "共1页" in compact


def test_the_chinese_font_is_embedded(app, defect_world):
    _sheet, content, _labels = _unit_pdf(app, defect_world.world.a1.id)
    fonts_used = pypdf_fonts(content)
    assert fonts_used and all(fonts_used.values()), fonts_used
    assert all("WenQuanYiMicroHei" in name for name in fonts_used), fonts_used
    path = save_output("unit-defects.pdf", content)
    rows = pdf_fonts(path)  # poppler's view too, where installed
    if rows is not None:
        assert rows and all(row["emb"] == "yes" for row in rows), rows
        assert all("WenQuanYi" in row["name"] for row in rows), rows
    if shutil.which("pdftoppm"):
        # page 1 as a PNG in test-output/ for a person to look at
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path),
                        str(path.with_suffix(""))], check=True)


def test_a_unit_without_defects_still_gets_a_signable_page(app, defect_world, make_unit):
    empty = make_unit(defect_world.world.a.batch_id, "301", floor=3, phone="13800000009", owner_name="赵敏")
    _sheet, content, labels = _unit_pdf(app, empty.id, locale="en")
    text = pdf_text(content)
    assert "No defects have been recorded for this unit." in text
    flat = "".join(text.split())
    assert "Owner'ssignature(赵敏)" in flat and "Staffsignature" in flat


def test_a_long_list_breaks_across_pages_with_numbers(app, defect_world):
    from handover.accounts.models import User
    from tests.reporting.conftest import _record

    with app.test_request_context():
        staff = db.session.get(User, defect_world.world.users["engineering"])
        for number in range(40):
            _record(defect_world.world.a2.id, staff, f"第{number}处：卧室墙面裂缝，长度约三十厘米，需要修补并重新刷漆")
        db.session.commit()
    _sheet, content, _labels = _unit_pdf(app, defect_world.world.a2.id, locale="en")
    save_output("unit-defects-long.pdf", content)
    text = pdf_text(content)
    assert "Page 1 of " in text and "Page 2 of " in text


def test_a_missing_font_is_a_clear_error(app, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_FONT_PATH", "/nonexistent/font.ttc")
    with app.app_context(), pytest.raises(fonts.FontMissing, match="fonts-wqy-microhei"):
        fonts.font_path()


def test_chinese_punctuation_never_starts_a_line(app):
    from reportlab.lib.units import mm

    from handover.reporting import pdf

    with app.app_context():
        paragraph = pdf.text("第17处：卧室墙面裂缝，长度约三十厘米，需要修补并重新刷漆", pdf.styles().cell)
        paragraph.wrap(58 * mm - 6, 1000)
    starts = [line[1][0][0] for line in paragraph.blPara.lines[1:]]
    assert starts and not any(ch in "，。：；！？" for ch in starts)


def _stress(app, world, unit_id, *, description="", photos=()):
    from handover.accounts.models import User
    from handover.defects import service
    from tests.reporting.conftest import _record

    with app.test_request_context():
        staff = db.session.get(User, world.users["engineering"])
        defect = _record(unit_id, staff, description or "墙面裂缝")
        for photo in photos:
            service.add_photo(defect, photo, actor=staff)
        db.session.commit()


def test_a_row_taller_than_a_page_splits_across_pages(app, defect_world):
    """A 2,000-character description (the API's limit) continues on the next page, and two long
    screenshots (500 × 3000) scale down to fit: no error, nothing lost."""
    from tests.fixtures.images import jpeg_with_gps

    world = defect_world.world
    description = "".join(f"第{n:03d}句：卫生间墙砖空鼓开裂，需要铲除重贴。" for n in range(100))[:1990] + "（全文完）"
    assert len(description) == 1995
    _stress(app, world, world.a2.id, description=description)
    _stress(app, world, world.a2.id, description="两张长截图",
            photos=[jpeg_with_gps(size=(500, 3000)), jpeg_with_gps(size=(500, 3000), color=(20, 90, 200))])
    sheet, content, _labels = _unit_pdf(app, world.a2.id)
    assert_fonts_embedded(content, "unit-defects-tall-rows.pdf")
    flat = "".join(pdf_text(content).split())
    assert "第000句" in flat and "第050句" in flat and "（全文完）" in flat
    assert "两张长截图" in flat and "入户门锁芯卡滞" in flat
    assert "第 2 页" in flat or "Page 2 of" in flat or "第2页" in flat


def test_the_defect_list_pdf_of_a_unit_with_a_tall_row_is_served(app, defect_world, api):
    world = defect_world.world
    _stress(app, world, world.a2.id, description="长" * 2000)
    api.token("engineering")
    response = api.get(f"/api/v1/units/{world.a2.id}/defects.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_rare_characters_in_names_are_drawn_in_a_fallback_font(app):
    """刘䶮 (䶮: CJK extension A) and 王𠀁明 (𠀁: extension B) are not in the main font: each rare
    character is set in an embedded fallback font instead of vanishing, and reads back as text."""
    from handover.reporting import pdf

    require(all(Path(c).is_file() for _name, (c, *_rest) in fonts.FALLBACK_FONTS), "fonts-hanazono (make fonts)")
    with app.test_request_context():
        st = pdf.styles()
        assert fonts.undrawable("刘䶮 𠀁") == "" and fonts.undrawable("刘\U000F0000") == "\U000F0000"
        content = pdf.render([pdf.text("业主：刘䶮、王𠀁明", st.body), pdf.text("Room 101 <b>", st.body)], title="t")
    path = save_output("rare-characters.pdf", content)
    assert all(pypdf_fonts(content).values())  # every font the page uses is embedded
    rows = pdf_fonts(path)
    require(rows is not None, "poppler-utils (pdftotext, pdffonts)")
    assert {row["emb"] for row in rows} == {"yes"} and len(rows) == 3, rows  # main font and both fallbacks
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "业主：刘䶮、王𠀁明" in text and "Room 101 <b>" in text
