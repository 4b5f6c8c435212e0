"""The user model and the rules for email addresses and usernames. No I/O."""

from __future__ import annotations

import re
import unicodedata

MAX_EMAIL_CHARS = 254  # RFC 5321's limit on a forward path
# Deliberately simple: one @, no spaces or angle brackets, a dot in the domain. The magic link is the
# real check that an address works.
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")


class InvalidEmail(ValueError):
    """Not a usable email address; the message says why in one line."""


def normalize_email(value: str) -> str:
    """Trimmed, lower-cased and in Unicode NFC, or InvalidEmail."""
    # NFC: an address typed with a composed or a decomposed "ö" is one address, so one user and one
    # subscription. Internationalised addresses (RFC 6531) are kept; the mailer sends them with SMTPUTF8.
    email = unicodedata.normalize("NFC", (value or "").strip().lower())
    if not email:
        raise InvalidEmail("enter your email address")
    if len(email) > MAX_EMAIL_CHARS or not _EMAIL.fullmatch(email):
        raise InvalidEmail(f"{email[:60]!r} is not an email address")
    # Control, invisible and bidi-override characters (categories C* and Z*): no real address has
    # them, and they could split a mail header or show an address as another.
    if any(unicodedata.category(c)[0] in "CZ" for c in email):
        raise InvalidEmail(
            f"{email[:60]!r}: an email address cannot contain control characters (nor invisible ones)"
        )
    return email
