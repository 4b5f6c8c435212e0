"""Database URLs: which database one names, and how to name it (and its errors) in a one-line message."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit


def is_postgres(url: str) -> bool:
    return url.split(":", 1)[0].lower() in ("postgresql", "postgres")


def masked_url(url: str) -> str:
    """The URL with its password replaced by ***, fit for messages and logs."""
    parts = urlsplit(url)
    if parts.password is not None:
        userinfo, _, host = parts.netloc.rpartition("@")
        parts = parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{host}")
    return re.sub(r"(?i)(password=)[^&]*", r"\1***", urlunsplit(parts))


def error_line(exc: BaseException) -> str:
    """libpq's multi-line connection error as the one line that says what went wrong."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.split(r"\bfailed: ", text)[-1] if "failed: " in text else text
    text = re.sub(r"^(FATAL|ERROR):\s+", "", text).strip()
    return text[:1].lower() + text[1:]
