"""Users, their project scope, sign-in sessions, API tokens and owner activation codes."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from handover.core.timeutil import now_utc
from handover.core.types import LabelledEnum, UTCDateTime, enum_column
from handover.extensions import db

if TYPE_CHECKING:
    from handover.projects.models import Contractor, Owner, Project


class Role(LabelledEnum):
    ADMIN = "admin"
    ENGINEERING = "engineering"
    SALES = "sales"
    PROPERTY = "property"
    FINANCE = "finance"
    MANAGER = "manager"
    CONTRACTOR = "contractor"
    OWNER = "owner"

    __labels__ = {
        "admin": _l("Administrator"),
        "engineering": _l("Engineering"),
        "sales": _l("Sales"),
        "property": _l("Property management"),
        "finance": _l("Finance"),
        "manager": _l("Manager"),
        "contractor": _l("Contractor"),
        "owner": _l("Homeowner"),
    }


user_projects = sa.Table(
    "user_projects",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    """Someone who signs in: a staff member, a contractor's employee, or a homeowner.

    Homeowners sign in with their phone number as username and are linked to one Owner.
    """

    __tablename__ = "users"
    __audited__ = True
    __audit_redact__ = {"password_hash"}
    __table_args__ = (
        sa.CheckConstraint("role <> 'contractor' OR contractor_id IS NOT NULL", name="contractor_has_company"),
        sa.CheckConstraint("role <> 'owner' OR owner_id IS NOT NULL", name="owner_has_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(64), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    is_active_user: Mapped[bool] = mapped_column(default=True)
    contractor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contractors.id"))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("owners.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    projects: Mapped[list[Project]] = relationship(secondary=user_projects, lazy="selectin")
    contractor: Mapped[Contractor | None] = relationship()
    owner: Mapped[Owner | None] = relationship()

    # Flask-Login protocol. get_id() returns the sign-in session's id, not the user id,
    # so that signing out (deleting the session row) invalidates every copy of the cookie.
    login_session_id = None
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.is_active_user

    def get_id(self) -> str | None:
        return self.login_session_id

    @property
    def is_owner(self) -> bool:
        """A homeowner: sees their own units (identity, not a permission; see accounts.permissions)."""
        return self.role == Role.OWNER

    @property
    def is_contractor(self) -> bool:
        """A contractor's employee: sees their company's defects."""
        return self.role == Role.CONTRACTOR

    @property
    def scope_kind(self) -> str:
        """Which rule of a domain's visibility scope (core.scoping.Scope) applies to this user."""
        return "owner" if self.is_owner else "contractor" if self.is_contractor else "staff"

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class _SecretRow:
    """A random secret handed out once and stored only as its SHA-256, valid until `expires_at`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @declared_attr
    def user(cls) -> Mapped[User]:
        return relationship(User)


class LoginSession(_SecretRow, db.Model):
    """A server-side record of one sign-in; the cookie holds only its random id."""

    __tablename__ = "login_sessions"


class ApiToken(_SecretRow, db.Model):
    """A bearer token for the JSON API; stored hashed, shown once."""

    __tablename__ = "api_tokens"


class ActivationCode(db.Model):
    """A one-time code staff hand to an owner so they can set a portal password."""

    __tablename__ = "activation_codes"
    __audited__ = True
    __audit_redact__ = {"code_hash", "nonce"}

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    #: HMAC-SHA256 (server secret) of owner id and code; never the code itself
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    #: random; the printed code is derived from it with the server secret, so a notice downloaded
    #: again prints the same code. NULL for rows from before keyed hashes (no longer valid).
    nonce: Mapped[str | None] = mapped_column(sa.String(32))
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    owner: Mapped[Owner] = relationship()
