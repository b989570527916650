"""Defects to report on: the `world` scenario plus defects in several states, one with a photo,
one whose description tries formula injection, and one in another project."""
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from handover.accounts.models import User
from handover.core.timeutil import today_local
from handover.defects import rules, service
from handover.defects.models import Defect, Severity
from handover.extensions import db
from handover.inspections.models import InspectionStage
from handover.projects.models import Unit
from tests.fixtures.images import jpeg_with_gps

OUTPUT_DIR = Path(__file__).resolve().parents[2] / "test-output"
INJECTION = '=HYPERLINK("http://example.invalid/steal","点我")'


def _record(unit_id, actor, description, *, room="客厅", category="墙面", severity=Severity.MINOR,
            stage=InspectionStage.HANDOVER):
    unit = db.session.get(Unit, unit_id)
    data = service.NewDefect(stage=stage, room=room, category=category,
                             sub_item="空鼓", description=description, severity=severity)
    defect, _created = service.record_defect(unit, data, actor=actor)
    return defect


def _assign(defect, actor, contractor_id, due):
    service.transition(defect, rules.TransitionInput("assign", contractor_id=contractor_id, due_date=due),
                       actor=actor)


@pytest.fixture
def defect_world(app, world):
    """a1: overdue (with photo), assigned, injection (open); a2: reworked and closed; b1: other project."""
    with app.test_request_context():
        staff = db.session.get(User, world.users["engineering"])
        admin = db.session.get(User, world.users["admin"])
        contractor = db.session.get(User, world.users["contractor"])
        ahead = today_local() + timedelta(days=10)

        overdue = _record(world.a1.id, staff, "客厅墙面空鼓约0.5平方米，需要铲除重做", severity=Severity.MAJOR)
        _assign(overdue, staff, world.contractor_id, ahead)
        service.add_photo(overdue, jpeg_with_gps(), actor=staff)
        assigned = _record(world.a1.id, staff, "卫生间闭水试验时楼板渗漏", room="卫生间", category="防水")
        _assign(assigned, staff, world.contractor_id, ahead)
        injection = _record(world.a1.id, staff, INJECTION, room="厨房", category="门窗")

        closed = _record(world.a2.id, staff, "入户门锁芯卡滞", room="入户门", category="门窗")
        _assign(closed, staff, world.contractor_id, ahead)
        for action in ("fix", "reject", "fix", "verify"):
            if action == "fix":
                service.add_photo(closed, jpeg_with_gps(color=(20, 90, 200)), actor=contractor)
            note = "锁芯仍然卡滞" if action == "reject" else ""
            service.transition(closed, rules.TransitionInput(action, note=note),
                               actor=contractor if action == "fix" else staff)
        other = _record(world.b1.id, admin, "另一项目的问题")
        db.session.commit()
        # the due date is set directly: the service refuses a due date in the past
        db.session.get(Defect, overdue.id).due_date = today_local() - timedelta(days=3)
        db.session.commit()
        return SimpleNamespace(world=world, overdue=overdue.id, assigned=assigned.id, injection=injection.id,
                               closed=closed.id, other=other.id)


def pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pypdf_fonts(content: bytes) -> dict[str, bool]:
    """Each font the pages use → whether its outlines are embedded (a FontFile stream)."""
    import io

    from pypdf import PdfReader

    found = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            found[str(font["/BaseFont"])] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def pdf_fonts(path: Path) -> list[dict] | None:
    """`pdffonts` rows as dicts (name, type, emb); None where poppler-utils is not installed."""
    if shutil.which("pdffonts") is None:
        return None
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
    rows = []
    for line in lines[2:]:
        parts = line.split()
        # name, type words…, encoding, emb, sub, uni, object ID (two numbers)
        rows.append({"name": parts[0], "emb": parts[-5], "type": " ".join(parts[1:-6])})
    return rows


def save_output(name: str, content: bytes) -> Path:
    OUTPUT_DIR.mkdir(exist_ok=True)
    path = OUTPUT_DIR / name
    path.write_bytes(content)
    return path


def assert_fonts_embedded(content: bytes, name: str) -> None:
    """Every font the document uses is embedded: pypdf's view, and `pdffonts` (poppler) where it
    is installed (CI installs it): no `emb no` row, so no reader substitutes a font of its own
    (a referenced Helvetica prints in whatever the printer has)."""
    assert all(pypdf_fonts(content).values()), pypdf_fonts(content)
    rows = pdf_fonts(save_output(name, content))
    if rows is not None:
        assert rows and all(row["emb"] == "yes" for row in rows), rows
