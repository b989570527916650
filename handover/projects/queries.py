"""Read-side selects for master data, always scoped to what the user may see.

A record outside the user's scope raises NotFound, exactly like one that does not exist.
"""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from handover.accounts import service as accounts_service
from handover.accounts.models import User
from handover.accounts.permissions import can
from handover.core.errors import NotFound
from handover.core.scoping import NOTHING, RowRule, Scope, only_if
from handover.extensions import db
from handover.projects.models import Batch, Building, Contract, Owner, Project, Unit, contract_co_owners


def visible_project_ids(user: User) -> set[int] | None:
    """Project ids a staff user works on; None means every project (administrators)."""
    if can(user, "projects.see_all"):
        return None
    return {project.id for project in user.projects}


def owned_unit_ids(owner_id: int) -> sa.Select:
    """Units where the owner is the buyer or a co-owner."""
    primary = sa.select(Contract.unit_id).where(Contract.owner_id == owner_id)
    shared = (sa.select(Contract.unit_id).join(contract_co_owners)
              .where(contract_co_owners.c.owner_id == owner_id))
    return sa.union(primary, shared)


def scope_projects(stmt: sa.Select, user: User) -> sa.Select:
    if not can(user, "projects.view"):
        return stmt.where(sa.false())
    ids = visible_project_ids(user)
    return stmt if ids is None else stmt.where(Project.id.in_(ids))


def in_visible_batches(batch_column) -> RowRule:
    """Scoping rule for staff: rows of batches in the projects they work on (all for admins)."""

    def rule(user: User):
        ids = visible_project_ids(user)
        return None if ids is None else batch_column.in_(sa.select(Batch.id).where(Batch.project_id.in_(ids)))

    return rule


def in_owned_units(unit_column) -> RowRule:
    """Scoping rule for homeowners: rows of the units they own or co-own."""
    return lambda user: unit_column.in_(owned_unit_ids(user.owner_id))


#: Limit a select over Unit to the units this user may see.
scope_units = Scope("units", default=only_if(lambda user: can(user, "projects.view"), in_visible_batches(Unit.batch_id)),
                    by_kind={"owner": in_owned_units(Unit.id), "contractor": NOTHING})


def list_projects(user: User) -> list[Project]:
    return list(db.session.scalars(scope_projects(sa.select(Project).order_by(Project.id), user)))


def get_project(user: User, project_id: int) -> Project:
    project = db.session.scalar(scope_projects(sa.select(Project).where(Project.id == project_id), user))
    if project is None:
        raise NotFound(_("Project not found."))
    return project


def get_batch(user: User, batch_id: int) -> Batch:
    stmt = sa.select(Batch).join(Project).where(Batch.id == batch_id)
    batch = db.session.scalar(scope_projects(stmt, user))
    if batch is None:
        raise NotFound(_("Batch not found."))
    return batch


def list_batches(user: User) -> list[Batch]:
    stmt = sa.select(Batch).join(Project).order_by(Project.id, Batch.id)
    return list(db.session.scalars(scope_projects(stmt, user)))


def buildings_of(batch: Batch) -> list[Building]:
    return list(db.session.scalars(sa.select(Building).where(Building.batch_id == batch.id)
                                   .order_by(Building.sort_key)))


def floors_of(batch_id: int, building_id: int | None) -> list[int]:
    stmt = sa.select(Unit.floor).where(Unit.batch_id == batch_id).distinct().order_by(Unit.floor)
    if building_id:
        stmt = stmt.where(Unit.building_id == building_id)
    return list(db.session.scalars(stmt))


def units_query(user: User, *, batch_id: int | None = None, building_id: int | None = None,
                building: str | None = None, floor: int | None = None, q: str | None = None) -> sa.Select:
    """Units in display order with building, contract and owner loaded, filtered as asked."""
    stmt = (sa.select(Unit).join(Building, Unit.building_id == Building.id)
            .outerjoin(Contract, Contract.unit_id == Unit.id).outerjoin(Owner, Contract.owner_id == Owner.id)
            .options(joinedload(Unit.building), joinedload(Unit.contract).joinedload(Contract.owner))
            .order_by(Building.sort_key, Unit.entrance, Unit.floor, Unit.room_no, Unit.id))
    if batch_id:
        stmt = stmt.where(Unit.batch_id == batch_id)
    if building_id:
        stmt = stmt.where(Unit.building_id == building_id)
    if building:
        stmt = stmt.where(Building.name == building)
    if floor is not None:
        stmt = stmt.where(Unit.floor == floor)
    if q:
        like = f"%{q.strip()}%"
        terms = [Unit.room_no.like(like), Owner.name.like(like), Contract.number.like(like)]
        if can(user, "people.view_full_phone"):
            terms.append(Owner.phone.like(like))
        stmt = stmt.where(sa.or_(*terms))
    return scope_units(stmt, user)


def get_unit(user: User, unit_id: int) -> Unit:
    stmt = (sa.select(Unit).where(Unit.id == unit_id)
            .options(joinedload(Unit.building), joinedload(Unit.batch),
                     joinedload(Unit.contract).joinedload(Contract.owner)))
    unit = db.session.scalar(scope_units(stmt, user))
    if unit is None:
        raise NotFound(_("Unit not found."))
    return unit


def get_owner(user: User, owner_id: int) -> Owner:
    """An owner the user may see: one with a contract on a unit in the user's scope."""
    if user.is_owner:
        visible = user.owner_id == owner_id
    else:
        units = scope_units(sa.select(Unit.id).where(Unit.id.in_(owned_unit_ids(owner_id))), user)
        visible = db.session.scalar(units.limit(1)) is not None
    owner = db.session.get(Owner, owner_id) if visible else None
    if owner is None:
        raise NotFound(_("Owner not found."))
    return owner


def units_of_owner(owner_id: int) -> list[Unit]:
    stmt = (sa.select(Unit).where(Unit.id.in_(owned_unit_ids(owner_id)))
            .options(joinedload(Unit.building), joinedload(Unit.batch).joinedload(Batch.project),
                     joinedload(Unit.contract)))
    return list(db.session.scalars(stmt))


def owner_window_end(owner_id: int):
    """The end of the latest handover window among the owner's units (None: no window set)."""
    return db.session.scalar(
        sa.select(sa.func.max(Batch.window_end)).select_from(Contract)
        .join(Unit, Unit.id == Contract.unit_id).join(Batch, Batch.id == Unit.batch_id)
        .where(Contract.owner_id == owner_id))


accounts_service.answer_owner_window_end_with(owner_window_end)
