"""Read side of the key ledger, scoped like units."""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from handover.accounts.models import Role, User
from handover.core.errors import NotFound
from handover.core.timeutil import today_local
from handover.extensions import db
from handover.keys import rules
from handover.keys.models import Key, KeyStatus
from handover.projects.models import Batch, Unit
from handover.projects.queries import owned_unit_ids, visible_project_ids


def scope_keys(stmt: sa.Select, user: User) -> sa.Select:
    if user.role == Role.OWNER:
        return stmt.where(Key.unit_id.in_(owned_unit_ids(user.owner_id)))
    if user.role == Role.CONTRACTOR:
        return stmt.where(sa.false())
    ids = visible_project_ids(user)
    if ids is None:
        return stmt
    return stmt.where(Key.batch_id.in_(sa.select(Batch.id).where(Batch.project_id.in_(ids))))


def overdue_clause(today):
    return sa.and_(Key.status.in_(list(rules.OUT)), Key.due_back_on < today)


def keys_query(user: User, *, batch_id=None, unit_id=None, status: KeyStatus | None = None,
               overdue: bool | None = None, q: str | None = None) -> sa.Select:
    stmt = (sa.select(Key).options(joinedload(Key.unit).joinedload(Unit.building))
            .order_by(Key.batch_id, Key.unit_id, Key.kind, Key.id))
    if batch_id:
        stmt = stmt.where(Key.batch_id == batch_id)
    if unit_id:
        stmt = stmt.where(Key.unit_id == unit_id)
    if status is not None:
        stmt = stmt.where(Key.status == status)
    if overdue is True:
        stmt = stmt.where(overdue_clause(today_local()))
    elif overdue is False:
        stmt = stmt.where(sa.not_(overdue_clause(today_local())))
    if q:
        stmt = stmt.where(sa.or_(Key.label.like(f"%{q}%"), Key.code == q.strip().upper()))
    return scope_keys(stmt, user)


def get_key(user: User, key_id: int, *, for_update: bool = False) -> Key:
    stmt = sa.select(Key).where(Key.id == key_id).options(selectinload(Key.events))
    if for_update:
        stmt = stmt.with_for_update(of=Key)
    key = db.session.scalar(scope_keys(stmt, user))
    if key is None:
        raise NotFound(_("Key not found."))
    return key


def key_by_code(user: User, code: str) -> Key:
    key = db.session.scalar(scope_keys(sa.select(Key).where(Key.code == (code or "").strip().upper()), user))
    if key is None:
        raise NotFound(_("No key has the code %(code)s.", code=code))
    return key


def overdue_count(user: User, batch_id: int | None = None) -> int:
    stmt = keys_query(user, batch_id=batch_id, overdue=True).with_only_columns(sa.func.count()).order_by(None)
    return db.session.scalar(stmt) or 0
