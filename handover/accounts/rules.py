"""Pure account rules: who sees personal data in full, password and phone shape, safe redirects."""
import re
from urllib.parse import urlsplit

from handover.accounts.permissions import can

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MIN_PASSWORD_LENGTH = 8


def is_valid_mobile(phone: str) -> bool:
    return bool(MOBILE_RE.match(phone or ""))


def mask_phone(phone: str | None) -> str | None:
    """138****0001: keeps the carrier prefix and the last four digits."""
    if not phone:
        return phone
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(id_number: str | None) -> str | None:
    """Only the last four characters stay visible."""
    if not id_number:
        return id_number
    return "*" * max(len(id_number) - 4, 4) + id_number[-4:]


def phone_for(user, phone: str | None) -> str | None:
    """The phone number as `user` may see it: in full for those who phone owners, else masked."""
    return phone if can(user, "people.view_full_phone") else mask_phone(phone)


def id_number_for(user, id_number: str | None) -> str | None:
    """The ID number as `user` may see it: in full for those who check identity documents, else masked."""
    return id_number if can(user, "people.view_full_id") else mask_id_number(id_number)


def password_problem(password: str) -> str | None:
    """An English reason the password is unacceptable, or None."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return "too_short"
    return None


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ord(ch) < 32 for ch in target)
