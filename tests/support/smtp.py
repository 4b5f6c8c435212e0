"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, for the mail tests."""

from __future__ import annotations

import email
import socket
import ssl
import threading
import time
from email import policy
from email.message import EmailMessage
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port nothing listens on right now (aiosmtpd's Controller cannot bind port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpInbox:
    """Messages arrive in `.messages` (parsed) and `.envelopes` (mail_from, rcpt_tos).

    users: {name: password} turns on AUTH and makes it required; refuse: recipients answered 550;
    tls: "starttls" (required before MAIL) or "implicit", with `tls_context` as the server's certificate.
    """

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        refuse: set[str] | None = None,
        tls: str | None = None,
        tls_context: ssl.SSLContext | None = None,
        replies: dict[str, list[str]] | None = None,
    ):
        self.users = users
        self.refuse = {a.lower() for a in refuse or ()}
        # Scripted answers to RCPT for an address, one per attempt, e.g. ["451 4.7.1 Try later",
        # "550 5.1.1 No such user"]; once used up, the address is accepted.
        self.replies = {a.lower(): list(r) for a, r in (replies or {}).items()}
        self.rcpt_attempts: dict[str, int] = {}
        self.tls = tls
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # each message as it arrived, before any parsing
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[str] = []
        self._arrived = threading.Condition()
        self.port = free_port()
        kwargs: dict = {}
        if users is not None:
            # auth_required is enforced in handle_MAIL: aiosmtpd warns when it is set on a plain server, and
            # its own TLS check only knows STARTTLS, so it is switched off for implicit TLS.
            kwargs.update(authenticator=self._authenticate, auth_require_tls=tls == "starttls")
        if tls == "starttls":
            kwargs.update(tls_context=tls_context, require_starttls=True)
        elif tls == "implicit":
            kwargs.update(ssl_context=tls_context)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)

    @property
    def url(self) -> str:
        scheme = {None: "smtp", "starttls": "smtp+starttls", "implicit": "smtps"}[self.tls]
        return f"{scheme}://127.0.0.1:{self.port}"

    def url_with_login(self, user: str, password: str) -> str:
        return self.url.replace("://", f"://{quote(user, safe='')}:{quote(password, safe='')}@", 1)

    def start(self) -> SmtpInbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpInbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_for(self, n: int, timeout: float = 5.0) -> list[EmailMessage]:
        """Block until at least n messages have arrived; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = len(self.messages)
                    raise AssertionError(f"expected {n} messages within {timeout} s, got {got}")
                self._arrived.wait(left)
            return list(self.messages)

    # -- aiosmtpd handler hooks ------------------------------------------------------------------
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.users is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        key = address.lower()
        self.rcpt_attempts[key] = self.rcpt_attempts.get(key, 0) + 1
        if self.replies.get(key):
            return self.replies[key].pop(0)
        if key in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Line ends as a mailbox stores them, so that get_content() compares with the text that was sent.
        raw = envelope.original_content.replace(b"\r\n", b"\n")
        message = email.message_from_bytes(raw, policy=policy.default)
        with self._arrived:
            self.messages.append(message)
            self.raw.append(envelope.original_content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword) or self.users is None:
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode()
        ok = self.users.get(user) == auth_data.password.decode()
        if ok:
            self.logins.append(user)
        return AuthResult(success=ok, handled=False)
