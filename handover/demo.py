"""`flask demo-data`: one realistic development, loaded through the same services users call."""
import io
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from openpyxl import Workbook

from handover.accounts import service as accounts
from handover.accounts.models import Role, User
from handover.audit.recorder import acting_as
from handover.extensions import db
from handover.inspections.service import seed_default_checklist
from handover.fees import service as fees
from handover.fees.models import PaymentKind, PaymentMethod
from handover.fees.queries import batch_unit_ids, units_in_order
from handover.fees.settlement import settlement_for
from handover.projects import importing, unit_sheet
from handover.projects import service as projects
from handover.projects.models import Contract, HandoverMode, Owner, Project, Unit
from handover.projects.rules import _ID_CHECK, _ID_WEIGHTS

DEMO_PASSWORD = "demo1234"
DEMO_OWNER_PHONE = "13800000001"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志宏文博宇浩然子涵欣怡思雨梓萱一诺"
LAYOUTS = [("两室两厅一卫", Decimal("89.37")), ("三室两厅两卫", Decimal("118.52")), ("四室两厅两卫", Decimal("143.06"))]
STAFF = [
    ("admin", Role.ADMIN, "系统管理员"), ("engineer", Role.ENGINEERING, "工程部 陈工"),
    ("sales", Role.SALES, "营销部 刘经理"), ("property", Role.PROPERTY, "物业 周主管"),
    ("finance", Role.FINANCE, "财务部 吴会计"), ("manager", Role.MANAGER, "项目总 郑总"),
]


def _resident_id(rng: random.Random) -> str:
    body = f"330106{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    return body + _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS)) % 11]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _measured(rng: random.Random, area: Decimal) -> Decimal:
    """Mostly within ±1.5 %, a few units beyond the 3 % threshold, as surveys turn out."""
    ratio = Decimal(rng.choice([-4.2, 3.6, 5.0])) if rng.random() < 0.02 else Decimal(rng.uniform(-1.5, 1.5))
    return (area * (1 + ratio / 100)).quantize(Decimal("0.01"))


def _sheet(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([zh for _k, zh, _en, _r in unit_sheet.COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _batch_rows(rng, buildings, units_per_floor, floors, measured, phone_counter, fitout) -> list[list]:
    rows = []
    for building in buildings:
        for entrance in (1, 2):
            for floor in range(2, floors + 1):
                for position in range(1, units_per_floor + 1):
                    layout, area = LAYOUTS[(position - 1) % len(LAYOUTS)]
                    price = Decimal(rng.randrange(26000, 33000, 100))
                    total_only = rng.random() < 0.15
                    phone_counter[0] += 1
                    rows.append([
                        str(building), str(entrance), floor, f"{floor}{position:02d}", layout, fitout,
                        f"YJ-{building:02d}{entrance}{floor:02d}{position:02d}", area,
                        _measured(rng, area) if measured else None,
                        None if total_only else price, (area * price + 37) if total_only else None,
                        _name(rng), f"138{phone_counter[0]:08d}", _resident_id(rng),
                    ])
    return rows


def load_demo_data() -> dict:
    """Create the demo project, batches, units, owners, contracts and one user per role."""
    rng = random.Random(20261122)
    with acting_as(None, "demo-data"):
        admin = accounts.create_user(accounts.NewUser("admin", DEMO_PASSWORD, Role.ADMIN, "系统管理员"))
        project = projects.create_project("滨江·云璟花园", actor=admin, city="杭州",
                                          address="杭州市上城区钱江路 1888 号", developer="杭州滨江云璟置业有限公司")
        first = projects.create_batch(project, "一期（1–4 号楼）集中交付", actor=admin,
                                      window_start=date(2026, 12, 18), window_end=date(2026, 12, 27))
        second = projects.create_batch(project, "二期（5–7 号楼）零星交付", actor=admin, mode=HandoverMode.SCATTERED,
                                       window_start=date(2027, 3, 1), window_end=date(2027, 6, 30))
        counter = [0]
        importing.import_units(first, _sheet(_batch_rows(rng, [1, 2, 3, 4], 2, 19, True, counter, "精装")))
        importing.import_units(second, _sheet(_batch_rows(rng, [5, 6, 7], 3, 19, False, counter, "毛坯")))
        _add_co_owners(rng)
        for username, role, name in STAFF[1:]:
            accounts.create_user(accounts.NewUser(username, DEMO_PASSWORD, role, name, [project.id]))
        _add_fees([first, second], finance=db.session.scalar(sa.select(User).where(User.username == "finance")))
        _add_keys(first, rng, keeper=db.session.scalar(sa.select(User).where(User.username == "property")))
        contractor = projects.create_contractor("浙江宏元建设集团有限公司", actor=admin, contact_name="孙工",
                                                phone="13700000001")
        accounts.create_user(accounts.NewUser("contractor", DEMO_PASSWORD, Role.CONTRACTOR, "宏元建设 孙工",
                                              [project.id], contractor.id))
        owner = db.session.scalar(sa.select(Owner).where(Owner.phone == DEMO_OWNER_PHONE))
        code = accounts.issue_activation_code(owner, actor=admin)
        accounts.activate_owner(owner.phone, code, DEMO_PASSWORD)
        seed_default_checklist()
        _add_defects(first, owner, random.Random(2026))
        _add_floor_plans(first, admin)
        _add_risks(first)
        _add_document_settings(project, admin)
        _add_handover_day(first)
    return {"project": project.name, "owner": owner.name}


def _floor_plan_image(rooms: int) -> bytes:
    """A plain line drawing of a flat: living room across the bottom, `rooms` rooms above it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (900, 600), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 880, 580), outline="black", width=8)
    draw.line((20, 330, 880, 330), fill="black", width=5)
    for index in range(1, rooms):
        x = 20 + index * 860 // rooms
        draw.line((x, 20, x, 330), fill="black", width=5)
    draw.rectangle((640, 330, 880, 580), outline="black", width=5)  # kitchen and bathroom corner
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _add_floor_plans(batch, admin: User) -> None:
    """A floor plan for every layout of the batch, so defects can be pinned in the demo."""
    from handover.defects import plans

    for layout in plans.batch_layouts(batch):
        rooms = 4 if layout.startswith("四") else 3 if layout.startswith("三") else 2
        plans.set_layout_plan(batch, layout, _floor_plan_image(rooms), actor=admin)


def _add_fees(batches: list, *, finance: User) -> None:
    """Fee settings for both batches, and the first morning at batch 1's finance desk: some units
    paid in full, some only their area differential, a refund, and one mistake reversed."""
    for batch in batches:
        fees.set_fee_settings(batch, {"property_fee_rate": Decimal("3.20"), "prepay_months": 3,
                                      "maintenance_fund_per_m2": Decimal("80.00"), "deed_tax_rate": Decimal("0.015")})
    methods = [PaymentMethod.TRANSFER, PaymentMethod.CARD, PaymentMethod.CASH]
    for number, unit in enumerate(units_in_order(batch_unit_ids(batches[0].id)[:12]), start=1):
        statement = settlement_for(unit)
        if statement.pending:
            continue
        due = statement.balance if number % 2 else statement.area_differential
        kind = PaymentKind.PAYMENT if due > 0 else PaymentKind.REFUND
        if due:
            fees.record_payment(unit, kind=kind, amount=abs(due), method=methods[number % 3],
                                receipt_no=f"SK-2026-{number:04d}", actor=finance)
        if number == 3:
            wrong = fees.record_payment(unit, kind=PaymentKind.PAYMENT, amount=Decimal("3000.00"),
                                        method=PaymentMethod.CASH, receipt_no="SK-2026-0099", actor=finance,
                                        note="录入到错误房号")
            fees.reverse_payment(wrong, receipt_no="SK-2026-0099-X", actor=finance)


def _add_co_owners(rng: random.Random) -> None:
    from handover.projects.models import Contract

    contracts = list(db.session.scalars(sa.select(Contract).order_by(Contract.id)))
    for contract in rng.sample(contracts, len(contracts) // 5):
        spouse = Owner(name=_name(rng), phone=f"139{rng.randint(0, 99999999):08d}", id_number=_resident_id(rng))
        contract.co_owners.append(spouse)


def _add_keys(batch, rng: random.Random, *, keeper: User) -> None:
    """Entrance-door keys (3 copies) for every unit of batch 1: most received into the office and
    tried in the lock, a few still with the contractor, a few out on loan (one since yesterday)."""
    from handover.core.timeutil import freeze, now_utc
    from handover.keys import service as keys
    from handover.keys.models import Key, KeyEventType, KeyKind

    def record(key, event, **values):
        keys.record_key_event(key, keys.KeyEventInput(type=event, **values), actor=keeper)

    keys.create_keys_for_batch(batch, kind=KeyKind.ENTRANCE_DOOR, copies=3)
    received = []
    for number, key in enumerate(db.session.scalars(sa.select(Key).where(Key.batch_id == batch.id).order_by(Key.id))):
        if number % 12 == 11:
            continue  # the contractor has not handed these over yet
        record(key, KeyEventType.RECEIVED, counterparty="宏元建设 孙工")
        record(key, KeyEventType.CHECKED, result_ok=number % 40 != 7)
        received.append(key)
    borrowers = [("保洁 李阿姨", "开荒保洁"), ("宏元建设 王师傅", "卫生间渗水维修"), ("监理 赵工", "分户验收复查"),
                 ("物业 小陈", "抄三表读数")]
    on_loan = rng.sample(received[12:], len(borrowers) + 1)
    with freeze(now_utc() - timedelta(days=1)):
        record(on_loan[0], KeyEventType.LENT, counterparty="宏元建设 钱师傅", note="门锁调试")
    for key, (who, why) in zip(on_loan[1:], borrowers):
        record(key, KeyEventType.LENT, counterparty=who, note=why)


def _demo_photo(rng: random.Random, *, repaired: bool) -> bytes:
    """A stand-in site photo: a plastered wall with a crack, or the same wall patched."""
    from PIL import Image, ImageDraw

    wall = tuple(rng.randint(200, 235) for _ in range(3))
    image = Image.new("RGB", (960, 720), wall)
    draw = ImageDraw.Draw(image)
    x, y = rng.randint(200, 700), 60
    if repaired:
        draw.rectangle((x - 90, 40, x + 90, 680), fill=tuple(min(255, c + 15) for c in wall))
    else:
        while y < 680:
            step = (x + rng.randint(-40, 40), y + rng.randint(20, 60))
            draw.line([(x, y), step], fill=(70, 64, 60), width=5)
            x, y = step
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


#: how the demo defects of batch 1 stand: (outcome, how many)
DEMO_DEFECT_OUTCOMES = [("open", 7), ("assigned", 7), ("overdue", 4), ("fixed", 4), ("reworked_fixed", 2),
                        ("verified", 7), ("reworked_verified", 2), ("unfixable", 3)]


def _add_defects(batch, owner: Owner, rng: random.Random) -> None:
    """Three dozen defects on batch 1 walked through the services over the past six weeks: every
    status, overdue ones, second repairs, unfixable ones; the demo homeowner's unit and the settled
    ones of the next four handed over, so warranty standing and owner replies show."""
    from handover.core.timeutil import local_tz, now_utc, today_local
    from handover.defects import service as defects
    from handover.handovers import service as handovers
    from handover.handovers.queries import gate as handover_gate
    from handover.inspections.models import InspectionStage
    from handover.inspections.rules import DEFAULT_ROOMS
    from handover.inspections.service import checklist_for
    from handover.projects.models import Contract, FitoutType, Unit

    users = {u.username: u for u in db.session.scalars(sa.select(User).where(
        User.username.in_(["engineer", "property", "contractor"])))}
    owners_unit = db.session.scalar(sa.select(Unit).join(Contract).where(Contract.owner_id == owner.id))
    units = [owners_unit] + list(db.session.scalars(sa.select(Unit).where(Unit.batch_id == batch.id,
                                                                          Unit.id != owners_unit.id)
                                                    .order_by(Unit.id).limit(13)))
    today = today_local()
    for unit in units[:5]:  # signed through the handover gate: only settled units are handed over
        on = today - timedelta(days=rng.randint(10, 30))
        if handover_gate(unit).open:
            handovers.sign_handover(unit, on=on, actor=users["property"], items=["keys", "quality_guarantee",
                                                                                  "user_manual"],
                                    at=datetime.combine(on, time(10), tzinfo=local_tz()))
    items, rooms = checklist_for(FitoutType.DECORATED), DEFAULT_ROOMS[:10]
    outcomes = [outcome for outcome, count in DEMO_DEFECT_OUTCOMES for _ in range(count)]
    rng.shuffle(outcomes)
    # the homeowner's own unit: a closed fix to confirm or dispute, one being fixed, one warranty report
    outcomes = ["verified", "assigned", "warranty"] + outcomes
    _add_rounds(units[:4], items, rng, users["engineer"])
    for number, outcome in enumerate(outcomes):
        unit = units[0] if number < 3 else units[1 + number % (len(units) - 1)]
        ago = timedelta(days=rng.randint(1, 4)) if outcome == "warranty" else timedelta(days=rng.randint(12, 42))
        started = now_utc() - ago - timedelta(hours=rng.randint(0, 9))
        _walk_defect(unit, rng.choice(items), rng.choice(rooms), outcome, started, rng, users, defects,
                     warranty=outcome == "warranty", stage=rng.choice([InspectionStage.UNIT_ACCEPTANCE,
                                                                      InspectionStage.OPEN_DAY]))


def _add_rounds(units, items, rng: random.Random, engineer: User) -> None:
    """A per-unit inspection round for a few units, mostly passing; one railing measured too low."""
    from handover.core.timeutil import today_local
    from handover.inspections.models import InspectionStage
    from handover.inspections.service import ResultInput, record_result, start_inspection

    for number, unit in enumerate(units):
        inspection = start_inspection(unit, InspectionStage.UNIT_ACCEPTANCE, actor=engineer,
                                      inspected_on=today_local() - timedelta(days=45 - number),
                                      inspectors="工程部 陈工、监理 赵工、物业 周主管")
        for item in items:
            if item.has_limit:
                low, high = item.limit_min, item.limit_max
                value = (low + Decimal("0.02")) if low is not None else (high - Decimal("0.001"))
                if number == 1 and low == Decimal("1.05"):
                    value = Decimal("1.02")  # too low: fails by itself
                record_result(inspection, ResultInput(item_id=item.id, measured_value=value))
            else:
                record_result(inspection, ResultInput(item_id=item.id, passed=rng.random() > 0.06))


def _walk_defect(unit, item, room, outcome, started, rng, users, defects, *, warranty, stage) -> None:
    from handover.core.timeutil import freeze, today_local
    from handover.defects.models import Severity
    from handover.defects.rules import TransitionInput as T
    from handover.inspections.models import InspectionStage

    engineer, contractor = users["engineer"], users["contractor"]

    def at(days: float):
        return freeze(started + timedelta(days=days))

    with at(0):
        defect, _created = defects.record_defect(unit, defects.NewDefect(
            stage=InspectionStage.WARRANTY if warranty else stage, room=room, category=item.category,
            sub_item=item.name, checklist_item_id=item.id, description=rng.choice(item.phrases or [item.name]),
            severity=rng.choice([Severity.MINOR] * 3 + [Severity.MAJOR, Severity.CRITICAL]),
            quick_fix=rng.random() < 0.2), actor=engineer)
        if rng.random() < 0.75:
            defects.add_photo(defect, _demo_photo(rng, repaired=False), actor=engineer)
    if outcome in ("open", "warranty"):
        return
    if outcome == "unfixable":
        with at(2):
            defects.transition(defect, T("unfixable", statement="该处为结构梁位置，按设计图纸施工，无法移位。",
                                         compensation_plan="赠送一年物业服务费，并由精装单位做包覆美化处理。",
                                         note="内部：已报设计院确认"), actor=engineer)
        return
    with at(1):
        due = today_local() + timedelta(days=5 if outcome == "overdue" else rng.randint(40, 55))
        defects.transition(defect, T("assign", contractor_id=contractor.contractor_id, due_date=due,
                                     note="内部：请宏元安排班组"), actor=engineer)
    if outcome in ("assigned", "overdue"):
        return
    rework = outcome.startswith("reworked")
    with at(3):
        defects.add_photo(defect, _demo_photo(rng, repaired=True), actor=contractor)
        defects.transition(defect, T("fix", note="已按要求整改"), actor=contractor)
    if rework:
        with at(4):
            defects.transition(defect, T("reject", note="复验仍不合格：处理不彻底"), actor=engineer)
        with at(6):
            defects.add_photo(defect, _demo_photo(rng, repaired=True), actor=contractor)
            defects.transition(defect, T("fix", note="二次整改完成"), actor=contractor)
    if outcome.endswith("verified"):
        with at(7):
            defects.transition(defect, T("verify"), actor=rng.choice([engineer, users["property"]]))


def sign_in_lines() -> list[str]:
    lines = [f"  {username:<11} / {DEMO_PASSWORD}   {role.value}" for username, role, _ in STAFF]
    lines.append(f"  {'contractor':<11} / {DEMO_PASSWORD}   contractor")
    lines.append(f"  {DEMO_OWNER_PHONE} / {DEMO_PASSWORD}   homeowner (portal)")
    return lines


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Load only when the database has no project yet.")
@with_appcontext
def demo_data_command(if_empty: bool):
    """Load the demo development, batches, 600+ units and one user per role."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Project)):
        if if_empty:
            click.echo("Database already has data; demo data not loaded.")
        else:
            raise click.ClickException("The database already has projects; demo data goes into an empty one.")
    else:
        summary = load_demo_data()
        db.session.commit()
        click.secho(f"Demo data loaded: {summary['project']}", fg="green")
    click.echo("Demo sign-ins (username / password):")
    click.echo("\n".join(sign_in_lines()))


def _add_risks(batch) -> None:
    """Batch 1's self-check: risks in every state (a blocking one resolved, one accepted with its
    statement), promises, public areas with a defect, and building transfers (one late)."""
    from handover.core.timeutil import today_local
    from handover.defects import service as defects
    from handover.inspections.models import InspectionStage
    from handover.risks import service as risks
    from handover.risks.models import AreaKind, CheckAnswer, PromiseSource, RiskCategory, RiskSeverity
    from handover.risks.rules import SELF_CHECK_QUESTIONS, RiskAct

    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    engineer, sales, manager = users["engineer"], users["sales"], users["manager"]
    b1, b2, b3 = batch.buildings[:3]
    soon = today_local() + timedelta(days=10)
    check = risks.start_self_check(batch, building_id=None, actor=engineer)
    for question in SELF_CHECK_QUESTIONS:
        answer = CheckAnswer.RISK if question.code in ("E1", "G2") else CheckAnswer.OK
        risks.answer_question(check, question.code, answer, actor=engineer)
    answers = {a.question: a.id for a in check.answers}
    lift = risks.record_risk(batch, risks.NewRisk(RiskCategory.G, "2 号楼电梯尚未取得使用登记证", RiskSeverity.BLOCKING,
                                                  description="特检院复检排期在交付前一周。", department="工程部",
                                                  building_id=b2.id, answer_id=answers["G2"]), actor=engineer)
    risks.act(lift, RiskAct("plan", plan="协调特检院提前复检，电梯单位配合整改", plan_owner="工程部 陈工", due_date=soon),
              actor=engineer)
    risks.act(lift, RiskAct("resolve", note="已取得电梯使用登记证（编号 浙A-2026-1182）"), actor=engineer)
    door = risks.record_risk(batch, risks.NewRisk(RiskCategory.E, "3 号楼 01 户型卫生间门与淋浴屏开启冲突", RiskSeverity.HIGH,
                                                  department="设计部", building_id=b3.id, answer_id=answers["E1"]),
                             actor=engineer)
    risks.propose_acceptance(door, statement="因卫生间防水及排水要求，门扇开启方向无法调整；门扇与淋浴屏之间已加装防撞条。",
                             compensation_plan="免费将淋浴屏更换为折叠式，并赠送一年物业服务费。", actor=sales)
    risks.act(door, RiskAct("accept"), actor=manager)
    bay = risks.record_risk(batch, risks.NewRisk(RiskCategory.A, "销售户型图飘窗进深与合同附图不一致", RiskSeverity.HIGH,
                                                 description="销售户型图标注 600 mm，合同附图及实际为 450 mm。",
                                                 department="营销部"), actor=sales)
    risks.act(bay, RiskAct("plan", plan="法务出具说明，逐户沟通并签署确认书", plan_owner="营销部 刘经理", due_date=soon),
              actor=sales)
    risks.record_risk(batch, risks.NewRisk(RiskCategory.F, "竣工验收备案表尚未取得", RiskSeverity.MEDIUM,
                                           department="报建部"), actor=engineer)
    risks.add_promise(batch, risks.NewPromise("小区配建 12 班幼儿园，2027 年 9 月开园", PromiseSource.ADVERTISING,
                                              reference="楼书第 12 页"), actor=sales)
    risks.add_promise(batch, risks.NewPromise("1 号楼入户大堂精装修：石材地面、艺术挂画", PromiseSource.SALES,
                                              reference="售楼处展板", building_ids=(b1.id,)), actor=sales)
    lobby = risks.add_area(batch, name="1 号楼入户大堂", kind=AreaKind.LOBBY, building_id=b1.id, actor=engineer)
    risks.add_area(batch, name="2 号楼电梯", kind=AreaKind.LIFT, building_id=b2.id, actor=engineer)
    risks.add_area(batch, name="小区主入口道路", kind=AreaKind.ROAD, building_id=None, actor=engineer)
    defects.record_defect(None, defects.NewDefect(stage=InspectionStage.PROPERTY_TAKEOVER, room="大堂吊顶", category="墙面",
                                                  description="吊顶石膏板接缝开裂"), actor=engineer, area=lobby)
    start = batch.window_start
    risks.record_transfer(b1, risks.NewTransfer(start - timedelta(days=25), "工程部 陈工", "物业 周主管", open_items=(
        risks.OpenItem("屋面防水收口", start - timedelta(days=10)),)), actor=users["property"])
    risks.record_transfer(b2, risks.NewTransfer(start - timedelta(days=17), "工程部 陈工", "物业 周主管"),
                          actor=users["property"])


def _add_document_settings(project, admin: User) -> None:
    """The company details the documents print (the project's document settings page)."""
    projects.update_company_details(
        project, actor=admin, company_name="杭州滨江云璟置业有限公司", company_address="杭州市滨江区江南大道 1088 号",
        company_phone="0571-8888 6600", office_hours="每日 9:00–17:30（节假日照常）",
        handover_venue="云璟花园会所一楼交付中心", booking_instructions="请致电 0571-8888 6600 或在业主服务平台预约办理时间",
        bank_name="中国工商银行杭州滨江支行", bank_account_name="杭州滨江云璟置业有限公司",
        bank_account="1202 0266 0900 1234 567", property_company="滨江物业服务有限公司云璟分公司",
        property_requirements="签署《前期物业服务协议》《临时管理规约》，登记业主及车辆信息，预交三个月物业服务费",
        seal_box=True)
def _add_handover_day(batch) -> None:
    """Batch 1's handover day: slots today and tomorrow, a few bookings (one by the demo owner),
    three owners checked in today (one past the documents desk, one refused at the fee station)."""
    from handover.core.timeutil import now_utc
    from handover.handovers import appointments, visits

    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    sales, finance = users["sales"], users["finance"]
    appointments.set_up_day(batch, planned=None)
    now = now_utc().replace(minute=0, second=0, microsecond=0)
    today = appointments.create_slot(batch, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=3),
                                     capacity=20)
    tomorrow = appointments.create_slot(batch, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2),
                                        capacity=20)
    units = list(db.session.scalars(sa.select(Unit).where(Unit.batch_id == batch.id, Unit.handed_over_on.is_(None))
                                   .order_by(Unit.id).limit(8)))
    owner_unit = db.session.scalar(sa.select(Unit).join(Contract).join(Owner).where(Owner.phone == DEMO_OWNER_PHONE))
    for unit in units[:5]:
        appointments.book(unit, today.id, actor=sales)
    for unit in units[5:8]:
        appointments.book(unit, tomorrow.id, actor=sales)
    if (owner_unit is not None and owner_unit.batch_id == batch.id and owner_unit.handed_over_on is None
            and owner_unit not in units[:8]):
        appointments.book(owner_unit, tomorrow.id, actor=sales)
    first, _ = visits.check_in(units[0], actor=sales, at=now_utc() - timedelta(minutes=40))
    second, _ = visits.check_in(units[1], actor=sales, at=now_utc() - timedelta(minutes=30))
    visits.check_in(units[2], actor=sales, at=now_utc() - timedelta(minutes=10))
    visits.record_step(first, "documents", "done", actor=sales, at=now_utc() - timedelta(minutes=25))
    visits.record_step(second, "documents", "done", actor=sales, at=now_utc() - timedelta(minutes=20))
    visits.record_step(second, "fees", "refused", actor=finance, note="业主对面积补差金额有异议，待销售复核",
                       at=now_utc() - timedelta(minutes=5))
