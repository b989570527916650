"""Benchmark: defect dashboards, lists and exports on a 3,000-unit batch with 100,000 defects.

    make bench                         # SQLite in a temporary folder
    .venv/bin/python -m tests.bench --quick
    BENCH_DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/bench make bench   # also PostgreSQL

BENCH_DATABASE_URL must name a scratch database: its public schema is dropped and rebuilt.
Each figure stands beside the same work done by the bare library (raw SQL; openpyxl write-only
writing the same rows; reportlab writing the same table without our helpers). The machine's
speed drifts, so bare and ours alternate and the median of the per-pair ratios is quoted
(shared/PERFORMANCE.md). `--quick` makes 300 of the 3,000 unit PDFs and extrapolates.
Not collected by pytest (no test_ prefix).
"""
import argparse
import io
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
import tracemalloc
import uuid
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import sqlalchemy as sa

#: alternating wrk pairs per page, and seconds per wrk run (full / --quick)
LOAD_PAIRS = 5
LOAD_SECONDS, LOAD_SECONDS_QUICK = 15, 4
UNITS = 3000
DEFECTS = 100_000
BUILDINGS = 10
ROOMS = ["客厅", "主卧", "次卧", "厨房", "卫生间", "阳台", "入户门"]
CATEGORIES = [("墙面", "空鼓"), ("墙面", "裂缝"), ("门窗", "密封条"), ("防水", "闭水试验渗漏"),
              ("地面", "平整度"), ("电气", "插座无电"), ("给排水", "地漏坡度")]
DESCRIPTIONS = ["墙面空鼓约0.3平方米，需要铲除重做", "窗框与墙体之间密封胶开裂，淋水试验渗水",
                "闭水试验24小时后楼下顶棚有水渍", "地面找平层起砂，局部高差超过4毫米",
                "插座面板松动，通电测试无电", "入户门锁芯卡滞，钥匙转动困难", "阳台栏杆立杆间距0.12米，超过规范"]


# ---------------------------------------------------------------- data

def _app(url: str, upload: str):
    from config import load_config
    from handover import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": upload, "JOB_INLINE": True},
                      config_class=load_config())


def _reset(url: str) -> None:
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def _thumbnail(upload: str) -> str:
    from handover.defects.photos import process_photo
    from tests.fixtures.images import jpeg_with_gps

    processed = process_photo(jpeg_with_gps())
    path = Path(upload) / "defects" / "bench" / "thumb.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(processed.thumbnail)
    return "defects/bench/thumb.jpg"


def build_data(app, upload: str) -> dict:
    """One project, one batch of 3,000 units with owners and contracts, 100,000 defects (10% with
    a photo), inserted with Core for speed."""
    from handover.accounts.models import Role, User
    from handover.defects.models import Defect, DefectPhoto, DefectStatus, PhotoKind, Severity
    from handover.extensions import db
    from handover.inspections.models import InspectionStage, WarrantyClass
    from handover.projects.models import Batch, Building, Contract, Contractor, Owner, Project, Unit
    from handover.projects.rules import natural_key

    rng = random.Random(20261122)
    now = datetime.now(timezone.utc)
    with app.app_context():
        project = Project(name="云璟花园", city="杭州")
        batch = Batch(project=project, name="一期")
        admin = User(username="bench-admin", display_name="管理员", role=Role.ADMIN)
        contractors = [Contractor(name=f"宏元建设第{i}分公司") for i in range(1, 6)]
        buildings = [Building(batch=batch, name=str(i), sort_key=natural_key(str(i)), floors=30)
                     for i in range(1, BUILDINGS + 1)]
        db.session.add_all([project, batch, admin, *contractors, *buildings])
        db.session.commit()
        ids = {"batch": batch.id, "admin": admin.id, "contractors": [c.id for c in contractors],
               "buildings": [b.id for b in buildings]}

        owners = [{"name": f"业主{i:04d}", "phone": f"138{i:08d}"} for i in range(UNITS)]
        db.session.execute(sa.insert(Owner), owners)
        owner_ids = list(db.session.scalars(sa.select(Owner.id).order_by(Owner.id)))
        units = []
        for i in range(UNITS):
            building = ids["buildings"][i % BUILDINGS]
            entrance, rest = divmod(i // BUILDINGS, 150)
            floor, room = divmod(rest, 5)
            units.append({"batch_id": ids["batch"], "building_id": building, "entrance": str(entrance + 1),
                          "floor": floor + 1, "room_no": f"{floor + 1}{room + 1:02d}", "layout": "三室两厅",
                          "measured_area": Decimal("98.50")})
        db.session.execute(sa.insert(Unit), units)
        unit_rows = db.session.execute(sa.select(Unit.id, Unit.building_id).order_by(Unit.id)).all()
        db.session.execute(sa.insert(Contract), [
            {"unit_id": uid, "number": f"HT-{uid}", "owner_id": owner_ids[n], "area": Decimal("100.00"),
             "unit_price": Decimal("20000.00")} for n, (uid, _b) in enumerate(unit_rows)])
        db.session.commit()
        ids["units"] = [uid for uid, _b in unit_rows]

        thumb = _thumbnail(upload)
        statuses = list(DefectStatus)
        today = date.today()
        for start in range(0, DEFECTS, 5000):
            defects, photos = [], []
            for n in range(start, min(start + 5000, DEFECTS)):
                uid, building = unit_rows[n % UNITS]
                status = rng.choice(statuses)
                category, sub_item = rng.choice(CATEGORIES)
                assigned = status != DefectStatus.OPEN
                defect_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                defects.append({
                    "id": defect_id, "unit_id": uid, "batch_id": ids["batch"], "building_id": building,
                    "stage": InspectionStage.UNIT_ACCEPTANCE, "room": rng.choice(ROOMS), "category": category,
                    "sub_item": sub_item, "description": rng.choice(DESCRIPTIONS),
                    "severity": rng.choice(list(Severity)), "quick_fix": rng.random() < 0.1,
                    "design_class": False, "warranty_class": WarrantyClass.INSTALLATION, "status": status,
                    "contractor_id": rng.choice(ids["contractors"]) if assigned else None,
                    "due_date": today + timedelta(days=rng.randint(-20, 30)) if assigned else None,
                    "rework_count": rng.choice([0, 0, 0, 1]), "statement": "", "compensation_plan": "",
                    "created_by_id": ids["admin"], "created_at": now - timedelta(minutes=rng.randint(0, 90 * 24 * 60)),
                    "version": 1})
                if n % 10 == 0:
                    photos.append({"defect_id": defect_id, "kind": PhotoKind.BEFORE, "path": thumb,
                                   "thumb_path": thumb, "width": 1200, "height": 900, "uploaded_at": now})
            db.session.execute(sa.insert(Defect), defects)
            db.session.execute(sa.insert(DefectPhoto), photos)
            db.session.commit()
    return ids


# ---------------------------------------------------------------- timing

def timed(fn: Callable) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def alternate(bare: Callable, ours: Callable, pairs: int) -> dict:
    """Run bare, ours, bare, ours… and summarise medians and the median per-pair ratio."""
    bare_times, our_times = [], []
    for _pair in range(pairs):
        bare_times.append(timed(bare))
        our_times.append(timed(ours))
    ratios = [o / b for b, o in zip(bare_times, our_times)]
    return {"bare": statistics.median(bare_times), "ours": statistics.median(our_times),
            "ratio": statistics.median(ratios), "range": (min(ratios), max(ratios)), "pairs": pairs}


def fmt_seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def traced_mb(fn: Callable) -> float:
    """Python memory held by what `fn` returns (tracemalloc; slow, so measured apart from timings)."""
    tracemalloc.start()
    try:
        result = fn()
        held = tracemalloc.get_traced_memory()[0] / 1e6
        del result
        return held
    finally:
        tracemalloc.stop()


def traced_peak_mb(fn: Callable) -> float:
    """The most Python memory `fn` held at any moment (tracemalloc; slow, so apart from timings)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- bare equivalents

def bare_dashboard(conn, batch_id: int, today: date) -> None:
    where = "WHERE batch_id = :b"
    conn.execute(sa.text(
        "SELECT count(*), sum(CASE WHEN due_date IS NOT NULL AND due_date < :t AND status NOT IN "
        "('verified','unfixable') THEN 1 ELSE 0 END), sum(CASE WHEN rework_count > 0 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN status IN ('fixed','verified') OR rework_count > 0 THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN quick_fix THEN 1 ELSE 0 END) FROM defects {where}"), {"b": batch_id, "t": today}).all()
    for column in ("status", "category", "room", "building_id", "contractor_id"):
        conn.execute(sa.text(f"SELECT {column}, count(*) FROM defects {where} GROUP BY {column} "
                             "ORDER BY count(*) DESC"), {"b": batch_id}).all()
    conn.execute(sa.text("SELECT id, name FROM contractors")).all()
    conn.execute(sa.text("SELECT id, name FROM buildings")).all()


def bare_list(conn, batch_id: int, building_id: int) -> None:
    conn.execute(sa.text(
        "SELECT d.*, u.*, b.*, c.* FROM defects d JOIN units u ON u.id = d.unit_id "
        "JOIN buildings b ON b.id = u.building_id LEFT JOIN contractors c ON c.id = d.contractor_id "
        "WHERE d.batch_id = :batch AND d.building_id = :building AND d.status = 'assigned' "
        "ORDER BY d.created_at DESC, d.id LIMIT 50"), {"batch": batch_id, "building": building_id}).all()


def bare_xlsx(path: Path, headers: list[str], rows: list[tuple]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def bare_pdf(font: str, title: str, headers: list[str], rows: list[list], thumbs: list[list[str]]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table, TableStyle

    style = ParagraphStyle("c", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    data = [[Paragraph(escape(h), style) for h in headers]]
    for row, images in zip(rows, thumbs):
        cells = [Paragraph(escape(str(v)), style) for v in row]
        cells.insert(3, [Image(p, width=24 * mm, height=18 * mm) for p in images])
        data.append(cells)
    table = Table(data, colWidths=[w * mm for w in (9, 28, 58, 28, 15, 22, 20)], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, initialFontName=font).build(
        [Paragraph(escape(title), ParagraphStyle("t", fontName=font, fontSize=16)), table])
    return out.getvalue()


def _bare_rows(sheet) -> tuple[list[list], list[list[str]]]:
    rows = [[line.number, line.place, line.description, line.severity, line.status,
             line.due_date.isoformat() if line.due_date else ""] for line in sheet.lines]
    return rows, [[str(t.path) for t in line.thumbnails] for line in sheet.lines]


# ---------------------------------------------------------------- the run

def run(label: str, url: str, quick: bool, load: list) -> list[tuple]:
    from flask_migrate import upgrade

    results = []
    upload = tempfile.mkdtemp(prefix="handover-bench-uploads-")
    _reset(url)
    app = _app(url, upload)
    with app.app_context():
        upgrade()
    started = time.perf_counter()
    ids = build_data(app, upload)
    print(f"[{label}] built {UNITS:,} units and {DEFECTS:,} defects in {time.perf_counter() - started:.1f} s")
    try:
        from tests import bench_load

        seconds = LOAD_SECONDS_QUICK if quick else LOAD_SECONDS
        load += bench_load.run_load(label, url, app, ids, pairs=LOAD_PAIRS, seconds=seconds)
        results += _documents(label, app, ids, quick, upload)
    finally:
        shutil.rmtree(upload, ignore_errors=True)
    return results


def _documents(label: str, app, ids: dict, quick: bool, upload: str) -> list[tuple]:
    """Dashboard, list query, ledger and PDFs beside the bare libraries (in process)."""
    from handover.accounts.models import User
    from handover.core.timeutil import today_local
    from handover.defects import queries
    from handover.defects.models import DefectStatus
    from handover.extensions import db
    from handover.projects.models import Unit
    from handover.defects import document_rows, documents, exports
    from handover.reporting.fonts import cjk_font

    results = []
    batch_id, building_id = ids["batch"], ids["buildings"][3]

    with app.test_request_context(base_url="https://handover.example.cn/"):
        admin = db.session.get(User, ids["admin"])
        filters = queries.DefectFilters(batch_id=batch_id)
        today = today_local()
        conn = db.session.connection()

        r = alternate(lambda: bare_dashboard(conn, batch_id, today),
                      lambda: queries.dashboard(admin, filters), 7)
        results.append((label, "dashboard (counts by status, category, room, building, contractor)", r))

        list_filters = queries.DefectFilters(batch_id=batch_id, building_id=building_id,
                                             status=DefectStatus.ASSIGNED)
        r = alternate(lambda: bare_list(conn, batch_id, building_id),
                      lambda: db.session.scalars(queries.defects_query(admin, list_filters).limit(50)).unique().all(),
                      9)
        results.append((label, "filtered 50-row defect list query", r))
        db.session.commit()

        # Excel: ours = gather + write; bare = openpyxl write-only writing the same (already gathered) rows
        definition = document_rows.load_definition("defect_ledger")
        ledger = document_rows.gather_ledger(admin, filters, photo_url=exports.photo_url_builder())
        plain = [tuple(v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row) for row in ledger.rows()]
        headers = [c.header for c in definition.columns]
        db.session.commit()
        out_dir = Path(upload)
        rss_before = rss_mb()

        def ours_xlsx():  # what the ledger job does: stream from the database into the workbook
            exports.write_ledger_file(out_dir / "ours.xlsx", admin, filters, lambda *_: None)

        r = alternate(lambda: bare_xlsx(out_dir / "bare.xlsx", headers, plain), ours_xlsx, 1 if quick else 3)
        r["note"] = (f"{len(plain):,} rows × {len(headers)} columns, streamed from the database; "
                     + (f"peak Python memory while writing {traced_peak_mb(ours_xlsx):.0f} MB (tracemalloc); "
                        if not quick else "") +
                     f"process peak RSS {rss_before:.0f} → {rss_mb():.0f} MB (bench copies included)")
        db.session.commit()
        results.append((label, "Excel ledger of the whole batch", r))

        # one unit PDF: the unit with the most defects in its sheet is as big as any
        font = cjk_font()
        unit = db.session.get(Unit, ids["units"][0])
        sheet = document_rows.unit_sheet(unit)
        rows, thumbs = _bare_rows(sheet)
        pdf_headers = ["No.", "Location", "Description", "Photos", "Severity", "Status", "Due date"]
        r = alternate(lambda: bare_pdf(font, "问题清单 " + sheet.unit_label, pdf_headers, rows, thumbs),
                      lambda: documents.render_unit_defects(sheet), 9)
        r["note"] = (f"{len(sheet.lines)} defects; gather alone "
                     f"{fmt_seconds(timed(lambda: document_rows.unit_sheet(unit)))}; "
                     f"{len(documents.render_unit_defects(sheet)) // 1024} KB")
        results.append((label, "one unit PDF (render)", r))
        db.session.commit()

        # every unit's PDF: ours = the job's body (gather in chunks, render, zip); bare = reportlab alone
        unit_ids = document_rows.batch_unit_ids(batch_id)[: 300 if quick else UNITS]
        sheets = document_rows.batch_sheets(unit_ids[:50])
        db.session.commit()
        bare_inputs = [_bare_rows(s) + (s.unit_label,) for s in sheets]

        def bare_all():
            with zipfile.ZipFile(out_dir / "bare.zip", "w", zipfile.ZIP_DEFLATED) as archive:
                for n in range(len(unit_ids)):
                    rows_n, thumbs_n, unit_label = bare_inputs[n % len(bare_inputs)]
                    archive.writestr(f"{n}.pdf", bare_pdf(font, "问题清单 " + unit_label, pdf_headers, rows_n,
                                                          thumbs_n))

        r = alternate(bare_all, lambda: exports.write_unit_pdfs(out_dir / "ours.zip", unit_ids, lambda *_: None),
                      1)
        size_mb = (out_dir / "ours.zip").stat().st_size / 1e6
        if quick:
            scale = UNITS / len(unit_ids)
            r = {**r, "bare": r["bare"] * scale, "ours": r["ours"] * scale}
            r["note"] = f"EXTRAPOLATED ×{scale:.0f} from {len(unit_ids)} units ({size_mb:.1f} MB zip for those)"
        else:
            r["note"] = f"{len(unit_ids):,} units, {size_mb:.0f} MB zip"
        results.append((label, f"all {UNITS:,} unit PDFs in one zip", r))
    return results


def report(results: list[tuple]) -> None:
    print()
    print(f"{'database':<11} {'work':<66} {'bare':>10} {'ours':>10} {'ratio [range]':>20} pairs")
    for label, work, r in results:
        low, high = r["range"]
        print(f"{label:<11} {work:<66} {fmt_seconds(r['bare']):>10} {fmt_seconds(r['ours']):>10} "
              f"{r['ratio']:>6.2f}× [{low:.2f}–{high:.2f}] {r['pairs']:>4}")
        if r.get("note"):
            print(f"{'':<11}   {r['note']}")


def main() -> None:
    from tests import bench_load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="300 unit PDFs, extrapolated; one Excel pair; 4-second load runs (about 10 minutes)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="handover-bench-")
    targets = [("SQLite", f"sqlite:///{folder}/bench.db")]
    if os.environ.get("BENCH_DATABASE_URL"):
        targets.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    results, load = [], []
    try:
        for label, url in targets:
            results += run(label, url, args.quick, load)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    bench_load.report(load, LOAD_SECONDS_QUICK if args.quick else LOAD_SECONDS)
    report(results)


if __name__ == "__main__":
    main()
