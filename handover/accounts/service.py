"""Account use cases: creating users, signing in and out, API tokens, owner activation."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from handover.accounts import rules
from handover.accounts.permissions import can
from handover.accounts.models import ActivationCode, ApiToken, LoginSession, Role, User
from handover.core.errors import Conflict, NotPermitted, ValidationFailed
from handover.core.timeutil import local_tz, now_utc
from handover.extensions import db

if TYPE_CHECKING:  # identity sits below master data: annotations only, never an arrow
    from handover.projects.models import Owner

#: a code stays valid this many days after the owner's batch's handover window ends (or, without a
#: window, after it was issued)
ACTIVATION_DAYS = 30
#: the last digits of the ID number an owner with an account gives to reset the password by code
RESET_ID_DIGITS = 6


def _model(relation) -> type:
    """The model at the other end of a relationship of identity's rows: accounts refers to
    projects, contractors and owners by table (foreign keys), never by importing master data."""
    return relation.property.mapper.class_


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    """Compared against when the username is unknown, so both paths take the same time."""
    return current_app.extensions.setdefault("handover_dummy_hash", hash_password("not-a-real-password"))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: Role
    display_name: str = ""
    project_ids: list[int] = field(default_factory=list)
    contractor_id: int | None = None


def create_user(info: NewUser) -> User:
    """Create a staff or contractor user.

    Raises ValidationFailed for a weak password, an unknown project or contractor, or a
    contractor without a company; Conflict when the username is taken.
    """
    problems = []
    if rules.password_problem(info.password):
        problems.append({"field": "password",
                         "message": _("Password must be at least %(n)d characters.", n=rules.MIN_PASSWORD_LENGTH)})
    if info.role == Role.OWNER:
        problems.append({"field": "role", "message": _("Homeowner accounts are created by activation.")})
    if info.role == Role.CONTRACTOR and info.contractor_id is None:
        problems.append({"field": "contractor", "message": _("A contractor user must belong to a contractor company.")})
    if info.contractor_id is not None and db.session.get(_model(User.contractor), info.contractor_id) is None:
        problems.append({"field": "contractor", "message": _("Contractor %(id)s does not exist.", id=info.contractor_id)})
    project = _model(User.projects)
    projects = list(db.session.scalars(sa.select(project).where(project.id.in_(info.project_ids))))
    if len(projects) != len(set(info.project_ids)):
        problems.append({"field": "project", "message": _("Unknown project.")})
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)
    if db.session.scalar(sa.select(User.id).where(User.username == info.username)):
        raise Conflict(_("Username %(name)s is already taken.", name=info.username))
    user = User(username=info.username, display_name=info.display_name, role=info.role,
                password_hash=hash_password(info.password), contractor_id=info.contractor_id,
                projects=projects)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (never says which part was wrong)."""
    user = db.session.scalar(sa.select(User).where(User.username == (username or "").strip()))
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user if user.is_active_user else None


def _session_hours(user: User) -> int:
    key = "OWNER_SESSION_HOURS" if user.is_owner else "STAFF_SESSION_HOURS"
    return current_app.config[key]


def start_login_session(user: User) -> str:
    """Open a server-side session for a sign-in; returns the id for the cookie."""
    raw = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token_hash=_digest(raw), user_id=user.id,
                                expires_at=now_utc() + timedelta(hours=_session_hours(user))))
    db.session.flush()
    user.login_session_id = raw
    return raw


def _holder(model, raw: str) -> User | None:
    """The active user behind an unexpired secret (login session or API token), or None."""
    row = db.session.scalar(sa.select(model).where(model.token_hash == _digest(raw)))
    if row is None or row.expires_at <= now_utc() or not row.user.is_active_user:
        return None
    return row.user


def user_for_login_session(raw: str) -> User | None:
    user = _holder(LoginSession, raw)
    if user is not None:
        user.login_session_id = raw
    return user


def end_login_session(raw: str | None) -> None:
    """Sign out: the session row goes, so any copy of the cookie stops working."""
    if raw:
        db.session.execute(sa.delete(LoginSession).where(LoginSession.token_hash == _digest(raw)))


def revoke_api_token(raw: str | None) -> None:
    """The token stops working at once (`DELETE /api/v1/auth/token`)."""
    if raw:
        db.session.execute(sa.delete(ApiToken).where(ApiToken.token_hash == _digest(raw)))


def revoke_everywhere(user: User) -> None:
    """End every session and API token of the user: after a password change or reset, whoever
    held the old password (or a copied cookie or token) is signed out."""
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id))


def set_password(user: User, password: str) -> None:
    """A new password (reset by staff, activation, or a change): every session and token ends.

    Raises ValidationFailed for a weak password.
    """
    if rules.password_problem(password):
        raise ValidationFailed(_("Password must be at least %(n)d characters.", n=rules.MIN_PASSWORD_LENGTH),
                               details=[{"field": "password", "message": "too_short"}])
    user.password_hash = hash_password(password)
    if user.id is not None:
        revoke_everywhere(user)
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    """The user changes their own password, proving the current one first.

    Raises ValidationFailed when the current password is wrong or the new one is weak.
    """
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise ValidationFailed(_("The current password is wrong."),
                               details=[{"field": "current_password", "message": "wrong_password"}])
    set_password(user, new)


def issue_api_token(user: User) -> tuple[str, ApiToken]:
    raw = secrets.token_urlsafe(32)
    token = ApiToken(token_hash=_digest(raw), user_id=user.id,
                     expires_at=now_utc() + timedelta(hours=current_app.config["API_TOKEN_HOURS"]))
    db.session.add(token)
    db.session.flush()
    return raw, token


def user_for_api_token(raw: str) -> User | None:
    return _holder(ApiToken, raw)


def _keyed(purpose: str, message: str) -> str:
    """HMAC-SHA256 with the server secret: a leaked database alone yields no code."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{message}".encode(), hashlib.sha256).hexdigest()


def _code_hash(owner_id: int, code: str) -> str:
    return _keyed("activation-code", f"{owner_id}:{code}")


def _code_from_nonce(nonce: str) -> str:
    """The printed code of a row, derived from its random nonce with the server secret, so every
    download of the same notice prints the same code while only a keyed hash is stored."""
    return f"{int(_keyed('activation-nonce', nonce), 16) % 10**8:08d}"


#: Master data, one floor up, tells identity when an owner's latest handover window ends
#: (projects.queries registers it on import; identity never imports master data).
_owner_window_end: Callable[[int], date | None] | None = None


def answer_owner_window_end_with(func: Callable[[int], date | None]) -> None:
    global _owner_window_end
    _owner_window_end = func


def activation_expiry(owner: Owner) -> datetime:
    """Until when a code issued now stays valid: the end (local time) of the latest handover
    window among the owner's units, plus ACTIVATION_DAYS; without a window, ACTIVATION_DAYS from now."""
    now = now_utc()
    window_end = _owner_window_end(owner.id) if _owner_window_end is not None else None
    if window_end is None:
        return now + timedelta(days=ACTIVATION_DAYS)
    end = datetime.combine(window_end + timedelta(days=ACTIVATION_DAYS), time(23, 59, 59), tzinfo=local_tz())
    return max(end.astimezone(now.tzinfo), now + timedelta(days=1))


def _live_code(owner: Owner) -> ActivationCode | None:
    return db.session.scalar(
        sa.select(ActivationCode)
        .where(ActivationCode.owner_id == owner.id, ActivationCode.used_at.is_(None),
               ActivationCode.expires_at > now_utc(), ActivationCode.nonce.is_not(None))
        .order_by(ActivationCode.id.desc()).limit(1))


def issue_activation_code(owner: Owner, *, actor: User) -> str:
    """The owner's portal activation code: the live one if the owner has one (every download of
    a notice prints the same code, until it is used or expires), else a new one valid until
    `activation_expiry`. Stored only as a keyed hash. Raises NotPermitted unless `actor` may issue
    codes, ValidationFailed for an owner without a mobile number. Flushes."""
    if not may_issue_activation_codes(actor):
        raise NotPermitted(_("You are not allowed to do this."))
    if not rules.is_valid_mobile(owner.phone):
        raise ValidationFailed(_("The owner has no valid mobile number to sign in with."))
    expires_at = activation_expiry(owner)
    row = _live_code(owner)
    if row is None:
        nonce = secrets.token_hex(16)
        row = ActivationCode(owner_id=owner.id, nonce=nonce, code_hash=_code_hash(owner.id, _code_from_nonce(nonce)),
                             issued_by_id=actor.id, expires_at=expires_at)
        db.session.add(row)
    elif row.expires_at < expires_at:  # the window moved later: the printed code lives on
        row.expires_at = expires_at
    db.session.flush()
    return _code_from_nonce(row.nonce)


def activation_code_expiry(owner: Owner) -> datetime | None:
    """When the owner's live code expires (None without one)."""
    row = _live_code(owner)
    return row.expires_at if row else None


def may_issue_activation_codes(user: User | None) -> bool:
    """Codes are handed to owners by the roles that meet them (the permission table)."""
    return can(user, "accounts.issue_activation_code")


def has_portal_account(owner: Owner) -> bool:
    return db.session.scalar(sa.select(User.id).where(User.owner_id == owner.id)) is not None


@dataclass(frozen=True)
class OwnerActivation:
    """Where an owner's portal account stands, for a letter to the owner: an account already, a
    freshly issued code with its expiry, or why no code could be issued."""

    code: str | None = None
    expires_at: datetime | None = None
    activated: bool = False
    problem: str = ""


def activation_for_letter(owner: Owner, *, actor: User) -> OwnerActivation:
    """The owner's activation code to print on a letter (the live one, or a new one), unless the
    owner already has a portal account: then no code. Raises NotPermitted unless `actor` may issue
    codes. Flushes; the caller commits."""
    if not may_issue_activation_codes(actor):
        raise NotPermitted(_("You are not allowed to do this."))
    if has_portal_account(owner):
        return OwnerActivation(activated=True)
    try:
        code = issue_activation_code(owner, actor=actor)
    except ValidationFailed as exc:
        return OwnerActivation(problem=exc.message)
    return OwnerActivation(code=code, expires_at=activation_code_expiry(owner))


def _matching_code(phone: str, code: str) -> ActivationCode | None:
    """The live code row for this phone number and code, locked, or None."""
    now, code = now_utc(), (code or "").strip()
    owners = _model(ActivationCode.owner)
    rows = db.session.scalars(
        sa.select(ActivationCode).join(ActivationCode.owner)
        .where(owners.phone == (phone or "").strip(), ActivationCode.used_at.is_(None),
               ActivationCode.expires_at > now, ActivationCode.nonce.is_not(None))
        .with_for_update())
    for row in rows:
        if hmac.compare_digest(row.code_hash, _code_hash(row.owner_id, code)):
            return row
    return None


def _wrong_code() -> ValidationFailed:
    return ValidationFailed(_("The phone number or activation code is wrong, used or expired."),
                            details=[{"field": "code", "message": "invalid_code"}])


def _check_password(password: str) -> None:
    if rules.password_problem(password):
        raise ValidationFailed(_("Password must be at least %(n)d characters.", n=rules.MIN_PASSWORD_LENGTH),
                               details=[{"field": "password", "message": "too_short"}])


def activate_owner(phone: str, code: str, password: str) -> User:
    """Create a homeowner's portal account with phone + one-time code; the code is then spent.

    Raises ValidationFailed for a weak password, a wrong, used or expired code, or an owner who
    already has an account (they reset the password with `reset_owner_password`, which also needs
    their ID number); Conflict when the phone is already the username of someone else's account.
    """
    _check_password(password)
    row = _matching_code(phone, code)
    if row is None:
        raise _wrong_code()
    owner = row.owner
    if db.session.scalar(sa.select(User.id).where(User.owner_id == owner.id)) is not None:
        raise ValidationFailed(_("You already have an account: reset your password with your ID number instead."),
                               details=[{"field": "phone", "message": "has_account"}])
    if db.session.scalar(sa.select(User.id).where(User.username == owner.phone)):
        raise Conflict(_("This phone number already signs in to another account."))
    user = User(username=owner.phone, display_name=owner.name, role=Role.OWNER, owner_id=owner.id)
    db.session.add(user)
    set_password(user, password)
    row.used_at = now_utc()
    db.session.flush()
    return user


def _id_tail_matches(owner: Owner, id_tail: str) -> bool:
    number = (owner.id_number or "").strip().upper()
    given = (id_tail or "").strip().upper()
    if len(number) < RESET_ID_DIGITS or len(given) != RESET_ID_DIGITS:
        return False
    return hmac.compare_digest(number[-RESET_ID_DIGITS:], given)


def reset_owner_password(phone: str, code: str, id_tail: str, password: str) -> User:
    """A homeowner who already has an account sets a new password with phone + a code staff gave
    them + the last six characters of their ID number (what only the owner has: staff issuing a
    code alone cannot take the account over). The code is spent; every session and token ends.

    Raises ValidationFailed for a weak password, a wrong/used/expired code, a wrong ID tail, or an
    owner without an account (they activate instead).
    """
    _check_password(password)
    row = _matching_code(phone, code)
    if row is None or not _id_tail_matches(row.owner, id_tail):
        raise ValidationFailed(_("The phone number, activation code or ID number is wrong, used or expired."),
                               details=[{"field": "code", "message": "invalid_code"}])
    user = db.session.scalar(sa.select(User).where(User.owner_id == row.owner_id))
    if user is None:
        raise ValidationFailed(_("You have no account yet: activate it with the code instead."),
                               details=[{"field": "phone", "message": "no_account"}])
    set_password(user, password)
    row.used_at = now_utc()
    db.session.flush()
    return user
