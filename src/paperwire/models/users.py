"""Users: a member of the hub, and the username an address gives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

MAX_USERNAME_CHARS = 30


@dataclass(slots=True)
class User:
    id: int
    email: str
    username: str
    is_admin: bool = False
    created_at: datetime | None = None


def username_base(email: str) -> str:
    """A readable handle from the address's local part ('Jane.Doe+x@…' -> 'jane.doe'); never empty."""
    local = email.split("@", 1)[0].split("+", 1)[0]
    name = re.sub(r"[^a-z0-9._-]+", "", local.lower()).strip("._-")
    return (name or "user")[: MAX_USERNAME_CHARS - 4]
