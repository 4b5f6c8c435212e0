"""PAPERWIRE_SMTP_URL and PAPERWIRE_MAIL_FROM parsed, with one-line reasons (no I/O).

Apart from mail.py so that settings.py can check both values without importing the mailer.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

_DEFAULT_PORTS = {"plain": 25, "starttls": 587, "tls": 465}
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}

Security = Literal["plain", "starttls", "tls"]


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    """Where and how to hand mail over: parsed from PAPERWIRE_SMTP_URL."""

    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = None

    def __str__(self) -> str:  # for error messages: never the password
        return f"{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://[user[:password]@]host[:port][?starttls=true], smtp+starttls://..., smtps://...

    Raises ValueError with a one-line reason that never repeats the password.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    security: Security
    if scheme == "smtp":
        security = "plain"
    elif scheme == "smtp+starttls":
        security = "starttls"
    elif scheme == "smtps":
        security = "tls"
    else:
        raise ValueError(
            f"unsupported scheme {parts.scheme + ':' if parts.scheme else 'none'}; "
            "use smtp://host, smtp+starttls://host or smtps://host"
        )
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key != "starttls":
            raise ValueError(f"unknown option {key!r} (the only option is ?starttls=true)")
        if value.lower() in _TRUE:
            if security == "tls":
                raise ValueError("smtps:// is already TLS; drop ?starttls=true")
            security = "starttls"
        elif value.lower() not in _FALSE:
            raise ValueError(f"starttls must be true or false, got {value!r}")
    if not parts.hostname:
        raise ValueError("the URL has no host; it looks like smtp://user:password@smtp.example.org:587")
    if parts.path not in ("", "/") or parts.fragment:
        raise ValueError("the URL takes no path; it looks like smtp://user:password@smtp.example.org:587")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the port must be a number from 1 to 65535") from None
    if port == 0:
        raise ValueError("the port must be a number from 1 to 65535")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not username:
        raise ValueError("a password needs a user name: smtp://user:password@host")
    return SmtpTarget(
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[security],
        security=security,
        username=username,
        password=password,
    )


def check_mail_from(value: str) -> str:
    """A From header like 'Paperwire <hub@example.org>' or a bare address; ValueError otherwise."""
    _name, address = parseaddr(value)
    if not address or address.count("@") != 1 or not all(address.split("@")) or "\n" in value:
        raise ValueError(f"must be an address like 'Paperwire <hub@example.org>', got {value!r}")
    return value.strip()
