"""The user model and the rules for email addresses and usernames. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

MAX_EMAIL_CHARS = 254  # RFC 5321's limit on a forward path
MAX_USERNAME_CHARS = 30
# Deliberately simple: one @, no spaces or angle brackets, a dot in the domain. The magic link is the
# real check that an address works.
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")


class InvalidEmail(ValueError):
    """Not a usable email address; the message says why in one line."""


@dataclass(slots=True)
class User:
    id: int
    email: str
    username: str
    is_admin: bool = False
    created_at: datetime | None = None


def normalize_email(value: str) -> str:
    """Trimmed and lower-cased, or InvalidEmail."""
    email = (value or "").strip().lower()
    if not email:
        raise InvalidEmail("enter your email address")
    if len(email) > MAX_EMAIL_CHARS or not _EMAIL.fullmatch(email):
        raise InvalidEmail(f"{email[:60]!r} is not an email address")
    return email


def username_base(email: str) -> str:
    """A readable handle from the address's local part ('Jane.Doe+x@…' -> 'jane.doe'); never empty."""
    local = email.split("@", 1)[0].split("+", 1)[0]
    name = re.sub(r"[^a-z0-9._-]+", "", local.lower()).strip("._-")
    return (name or "user")[: MAX_USERNAME_CHARS - 4]
