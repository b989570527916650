"""The two demo units the settlement rule was written for (DOMAIN.md "Settled"), rebuilt with the
demo's own fee settings and figures:

- 1-1-401: area differential −31,000.00, other lines 49,010.00, the owner paid the net 18,010.00
  → settled, the area differential included;
- 1-1-202: area differential 2,890.00 paid, the other lines (62,050.12) still owed → not settled.
"""
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from handover.accounts.models import User
from handover.extensions import db
from handover.fees import service as fees
from handover.fees.models import PaymentKind, PaymentMethod
from handover.projects.models import Batch, Unit

DEMO_SETTINGS = {"property_fee_rate": Decimal("3.20"), "prepay_months": 3, "maintenance_fund_per_m2": Decimal("80.00"),
                 "deed_tax_rate": Decimal("0.015")}


def pay(unit_id: int, amount: str, receipt_no: str, *, kind=PaymentKind.PAYMENT, **extra):
    finance = db.session.scalar(sa.select(User).where(User.username == "finance"))
    return fees.record_payment(db.session.get(Unit, unit_id), kind=kind, amount=Decimal(amount),
                               method=PaymentMethod.TRANSFER, receipt_no=receipt_no, actor=finance, **extra)


@pytest.fixture
def demo_cases(world, make_unit, app):
    netting = make_unit(world.a.batch_id, "401", floor=4, area="89.37", unit_price="31000.00", measured="88.37",
                        phone="13800000401", owner_name="周杰")
    owing = make_unit(world.a.batch_id, "202", floor=2, area="118.52", unit_price="28900.00", measured="118.62",
                      phone="13800000202", owner_name="吴磊")
    with app.app_context():
        fees.set_fee_settings(db.session.get(Batch, world.a.batch_id), dict(DEMO_SETTINGS))
        pay(netting.id, "18010.00", "SK-2026-0401")
        pay(owing.id, "2890.00", "SK-2026-0202")
        db.session.commit()
    return SimpleNamespace(netting=netting.id, owing=owing.id, batch_id=world.a.batch_id)
