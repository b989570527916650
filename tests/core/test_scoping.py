"""What a user may see: one scoping mechanism (core.scoping) under every domain's scoping function,
and one scoping function per domain that pages, API and documents share."""
import re
from types import SimpleNamespace

import sqlalchemy as sa

from handover.accounts.models import Role, User
from handover.core.scoping import EVERYTHING, NOTHING, Scope, all_of
from handover.defects import queries as defect_queries
from handover.extensions import db
from handover.inspections.models import InspectionStage
from handover.keys import queries as key_queries
from handover.projects.models import Unit
from handover.projects.queries import scope_units

BY_FLOOR = Scope("units by floor", default=EVERYTHING, by_kind={
    "owner": lambda user: Unit.floor == user.floor,
    "contractor": NOTHING,
    "inspector": all_of(lambda user: Unit.floor >= 1, lambda user: Unit.floor <= user.floor),
    "anyone": all_of(EVERYTHING),
})


def _floors(user) -> list[int]:
    return sorted(db.session.scalars(BY_FLOOR(sa.select(Unit.floor), user)))


def test_a_scope_picks_the_condition_for_the_kind_of_user(ctx, world):
    assert _floors(SimpleNamespace(scope_kind="admin")) == [1, 1, 2]  # the default: no limit
    assert _floors(SimpleNamespace(scope_kind="owner", floor=2)) == [2]
    assert _floors(SimpleNamespace(scope_kind="contractor")) == []
    assert _floors(SimpleNamespace(scope_kind="inspector", floor=1)) == [1, 1]
    assert _floors(SimpleNamespace(scope_kind="anyone")) == [1, 1, 2]


def test_every_domain_scopes_through_the_same_mechanism(ctx, world):
    for scope in (scope_units, defect_queries.scope_defects, key_queries.scope_keys):
        assert isinstance(scope, Scope)
    owner = db.session.get(User, world.owner.user_id)
    staff_b = db.session.get(User, world.users["sales_b"])
    admin = db.session.get(User, world.users["admin"])
    assert list(db.session.scalars(scope_units(sa.select(Unit.id), owner))) == [world.a1.id]
    assert list(db.session.scalars(scope_units(sa.select(Unit.id), staff_b))) == [world.b1.id]
    assert len(list(db.session.scalars(scope_units(sa.select(Unit.id), admin)))) == 3


def test_the_owner_sees_the_same_defects_on_the_portal_in_the_api_and_in_the_list(app, world, record, api, browser):
    visible = {record(stage=InspectionStage.OPEN_DAY, description="开放日：墙面裂缝"),
               record(stage=InspectionStage.HANDOVER, description="交付：门锁不畅")}
    record(stage=InspectionStage.UNIT_ACCEPTANCE, description="分户验收：内部检查")  # internal
    record(unit_id=world.a2.id, stage=InspectionStage.OPEN_DAY, description="别人家的")  # another owner's
    with app.test_request_context():
        owner = db.session.get(User, world.owner.user_id)
        assert owner.role == Role.OWNER
        listed = {d.id for d in defect_queries.owner_unit_defects(owner, world.a1.id)}
        rows = {d.id for d in defect_queries.defects_of_units(owner, [world.a1.id, world.a2.id])[world.a1.id]}
        scoped = set(db.session.scalars(defect_queries.scope_defects(sa.select(defect_queries.Defect.id), owner)))
    api.token(world.owner.username)
    from_api = {d["id"] for d in api.get("/api/v1/defects").get_json()["items"]}
    browser.login(world.owner.username)
    page = browser.client.get(f"/my/units/{world.a1.id}").get_data(as_text=True)
    on_portal = set(re.findall(r'data-defect="([^"]+)"', page))
    assert listed == rows == scoped == from_api == on_portal == visible
