"""`flask demo-data`: one realistic development, loaded through the same services users call."""
import io
import random
from datetime import date
from decimal import Decimal

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from openpyxl import Workbook

from handover.accounts import service as accounts
from handover.accounts.models import Role
from handover.audit.recorder import acting_as
from handover.extensions import db
from handover.projects import importing
from handover.projects import service as projects
from handover.projects.models import HandoverMode, Owner, Project
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
    sheet.append([zh for _k, zh, _en, _r in importing.COLUMNS])
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
        contractor = projects.create_contractor("浙江宏元建设集团有限公司", actor=admin, contact_name="孙工",
                                                phone="13700000001")
        accounts.create_user(accounts.NewUser("contractor", DEMO_PASSWORD, Role.CONTRACTOR, "宏元建设 孙工",
                                              [project.id], contractor.id))
        owner = db.session.scalar(sa.select(Owner).where(Owner.phone == DEMO_OWNER_PHONE))
        code = accounts.issue_activation_code(owner, actor=admin)
        accounts.activate_owner(owner.phone, code, DEMO_PASSWORD)
    return {"project": project.name, "owner": owner.name}


def _add_co_owners(rng: random.Random) -> None:
    from handover.projects.models import Contract

    contracts = list(db.session.scalars(sa.select(Contract).order_by(Contract.id)))
    for contract in rng.sample(contracts, len(contracts) // 5):
        spouse = Owner(name=_name(rng), phone=f"139{rng.randint(0, 99999999):08d}", id_number=_resident_id(rng))
        contract.co_owners.append(spouse)


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
