"""The unit defect list fit to print, sign and file, from stress data: a 2,000-character
description, many and tall photos, co-owners with a rare character (刘䶮), an internal
(分户验收) defect that the owner's list leaves out, company details from the project settings."""
import io

import pytest
from pypdf import PdfReader

from handover.accounts.models import User
from handover.defects import service
from handover.extensions import db
from handover.inspections.models import InspectionStage
from handover.projects.models import Contract, Owner, Unit
from tests.fixtures.images import jpeg_with_gps
from tests.reporting.conftest import _record, assert_fonts_embedded, pdf_text

LONG = "".join(f"第{n:03d}句：主卧飘窗台面石材开裂，需更换整块台面并重新打胶。" for n in range(100))[:1994] + "（全文完）"


def flat(content: bytes) -> str:
    return "".join(pdf_text(content).split())


@pytest.fixture
def stressed(app, defect_world):
    """Unit a1 of 刘䶮 and two co-owners: a long defect with six photos (two of them long
    screenshots), and an internal per-unit-inspection defect."""
    world = defect_world.world
    with app.test_request_context(method="POST"):
        unit = db.session.get(Unit, world.a1.id)
        project = unit.batch.project
        project.company_name, project.seal_box = "云璟置业（上海）有限公司", True
        contract = db.session.get(Contract, unit.contract.id)
        contract.owner.name = "刘䶮"
        contract.co_owners += [Owner(name="陈思远", phone="13900000701"), Owner(name="欧阳娜娜", phone="13900000702")]
        staff = db.session.get(User, world.users["engineering"])
        long = _record(world.a1.id, staff, LONG, room="主卧", category="飘窗")
        for n in range(6):
            size = (500, 3000) if n < 2 else (800, 600)
            service.add_photo(long, jpeg_with_gps(size=size, color=(30 * n, 90, 200)), actor=staff)
        _record(world.a1.id, staff, "内部分户验收发现：厨房烟道止回阀缺失", room="厨房", category="烟道",
                stage=InspectionStage.UNIT_ACCEPTANCE)
        db.session.commit()
    return world


def test_the_owners_list_has_stage_round_people_photos_and_a_line_for_each_buyer(stressed, api):
    api.token("engineering")
    response = api.get(f"/api/v1/units/{stressed.a1.id}/defects.pdf")
    assert response.status_code == 200
    content = response.data
    assert_fonts_embedded(content, "print-defect-list.pdf")
    text = flat(content)
    assert "内部分户验收发现" not in text  # the owner signs only the stages they take part in
    for expected in ("问题清单", "1号楼1单元101室", "刘䶮、陈思远、欧阳娜娜", "交付验房", "阶段／轮次", "查验人／整改单位",
                     "宏元建设", "第000句", "第060句", "（全文完）", "业主签字（刘䶮）", "业主签字（陈思远）",
                     "业主签字（欧阳娜娜）", "工作人员签字", "以上各项已由业主与我方工作人员共同查验确认", "整改前",
                     "照片（整改前、整改后）", "盖章处"):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(content))
    assert sum(len(page.images) for page in reader.pages) >= 7  # all six photos of one defect, and the others
    for number, page in enumerate(reader.pages[1:], start=2):
        head = "".join(page.extract_text().split())
        assert "问题清单" in head and "1号楼1单元101室" in head and "云璟置业（上海）有限公司" in head
        assert f"第{number}页，共{len(reader.pages)}页" in head and "No.QD-" in head


def test_staff_choose_the_stages_of_an_internal_list(stressed, api):
    api.token("engineering")
    query = "stage=unit_acceptance&stage=property_takeover"
    text = flat(api.get(f"/api/v1/units/{stressed.a1.id}/defects.pdf?{query}").data)
    assert "内部问题清单" in text and "内部分户验收发现" in text and "第000句" not in text
    assert "不作业主签字确认" in text and "业主签字（" not in text
    assert api.get(f"/api/v1/units/{stressed.a1.id}/defects.pdf?stage=nonsense").status_code == 422


def test_owners_open_their_own_defect_list(stressed, browser, client):
    browser.login(stressed.owner.username, "password123")
    own = client.get(f"/my/units/{stressed.a1.id}/defects.pdf")
    assert own.status_code == 200 and own.mimetype == "application/pdf"
    assert "内部分户验收发现" not in flat(own.data) and "第000句" in flat(own.data)
    assert client.get(f"/my/units/{stressed.a2.id}/defects.pdf").status_code == 404
