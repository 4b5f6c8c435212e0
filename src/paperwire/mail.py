"""Sending mail over SMTP (PAPERWIRE_SMTP_URL): building messages and one transport with clear errors."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import TYPE_CHECKING

from paperwire import PaperwireError
from paperwire.smtp import SmtpTarget, parse_smtp_url

if TYPE_CHECKING:
    from paperwire.settings import Settings

DEFAULT_TIMEOUT = 30.0

NOT_CONFIGURED = (
    "PAPERWIRE_SMTP_URL is not set: set it to your mail server, "
    "e.g. smtp+starttls://user:password@smtp.example.org (see docs/settings.md)"
)


class MailError(PaperwireError):
    """A message could not be built or handed to the SMTP server; the message says why in one line.

    `temporary` (a 4xx reply, a lost or refused connection, a timeout): the same message may be tried
    again later. Otherwise the server refused it for good (5xx) and trying again will not help.
    `code` is the SMTP reply code when the server gave one."""

    def __init__(self, message: str, *, temporary: bool = False, code: int | None = None):
        super().__init__(message)
        self.temporary = temporary
        self.code = code


class Mailer:
    """Builds messages from PAPERWIRE_MAIL_FROM and hands them to the SMTP server, one connection each."""

    def __init__(
        self,
        target: SmtpTarget | None,
        mail_from: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.target = target
        self.mail_from = mail_from
        self.timeout = timeout
        # Injected by tests that trust their own certificate; the system's CA store otherwise.
        self._ssl_context = ssl_context

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs) -> Mailer:
        """The mailer the settings describe; without PAPERWIRE_SMTP_URL, one whose send() refuses."""
        target = parse_smtp_url(settings.smtp_url) if settings.smtp_url else None
        return cls(target, settings.mail_from, **kwargs)

    def build_message(
        self,
        to: str | Sequence[str],
        subject: str,
        text: str,
        html: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> EmailMessage:
        """A plain-text message, with `html` as its alternative when given; From, Date and Message-ID set."""
        recipients = [to] if isinstance(to, str) else list(to)
        if not recipients:
            raise MailError("a message needs at least one recipient")
        msg = EmailMessage()
        try:
            msg["From"] = self.mail_from
            msg["To"] = ", ".join(recipients)
            msg["Subject"] = subject
            msg["Date"] = formatdate(usegmt=True)
            # An explicit domain: make_msgid's default asks DNS for this machine's name.
            msg["Message-ID"] = make_msgid(domain=domain_of(self.mail_from))
            for name, value in (headers or {}).items():
                del msg[name]
                msg[name] = value
        except (ValueError, TypeError) as exc:
            raise MailError(f"cannot build the message: {_one_line(str(exc))}") from None
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
        return msg

    def send(self, message: EmailMessage) -> None:
        """Hand `message` to the SMTP server on a connection of its own; MailError when not accepted."""
        with self.session() as session:
            session.send(message)

    def session(self) -> MailSession:
        """A connection kept open for many messages (opened on first use, reopened when lost)."""
        if self.target is None:
            raise MailError(NOT_CONFIGURED)
        return MailSession(self)

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        assert target is not None
        # local_hostname is given so that EHLO does not wait on a DNS lookup of this machine's name.
        if target.security == "tls":
            return smtplib.SMTP_SSL(
                target.host,
                target.port,
                local_hostname="localhost",
                timeout=self.timeout,
                context=self._context(),
            )
        return smtplib.SMTP(target.host, target.port, local_hostname="localhost", timeout=self.timeout)

    def _context(self) -> ssl.SSLContext:
        return self._ssl_context or ssl.create_default_context()


def domain_of(mail_from: str) -> str:
    """The domain of PAPERWIRE_MAIL_FROM's address, which ends every Message-ID."""
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _reply(exc: smtplib.SMTPResponseException) -> str:
    message = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
    return f"{exc.smtp_code} {_one_line(str(message))}"


def _refusals(recipients: dict) -> str:
    parts = []
    for address, (code, message) in recipients.items():
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        parts.append(f"{address} ({code} {_one_line(text)})")
    return "the recipient " + ", ".join(parts) if len(parts) == 1 else "the recipients " + ", ".join(parts)


class MailSession:
    """One SMTP connection for a run of messages: connection reuse for digests. Not thread-safe; a
    sender with several threads gives each its own session."""

    def __init__(self, mailer: Mailer):
        self.mailer = mailer
        self.target = mailer.target
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> MailSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def send(self, message: EmailMessage) -> None:
        """Hand `message` over; MailError (temporary or not) with a one-line reason when not accepted."""
        if not any(message.get_all(h) for h in ("To", "Cc", "Bcc")):
            raise MailError("the message has no recipients (no To, Cc or Bcc header)")
        for attempt in (1, 2):
            try:
                return self._send(message)
            except _Stale:
                # The server dropped an idle connection we kept: open a new one, once.
                self.close()
                if attempt == 2:
                    raise MailError(f"{self.target} closed the connection", temporary=True) from None

    def _timed_out(self) -> MailError:
        return MailError(
            f"{self.target} did not answer within {self.mailer.timeout:g} seconds", temporary=True
        )

    def _send(self, message: EmailMessage) -> None:
        target = self.target
        reused = self._smtp is not None
        try:
            if self._smtp is None:
                self._smtp = self._open()
            refused = self._smtp.send_message(message)
        except smtplib.SMTPServerDisconnected as exc:
            self.close()
            if reused and not isinstance(exc.__context__, TimeoutError):
                raise _Stale from None
            if isinstance(exc.__context__, TimeoutError):  # smtplib reports a read timeout as a disconnect
                raise self._timed_out() from None
            raise MailError(
                f"{target} closed the connection: {_one_line(str(exc))}", temporary=True
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            codes = [code for code, _ in exc.recipients.values()]
            raise MailError(
                f"{target} refused {_refusals(exc.recipients)}",
                temporary=all(400 <= c < 500 for c in codes),
                code=codes[0] if codes else None,
            ) from None
        except smtplib.SMTPSenderRefused as exc:
            self._reset()
            hint = " (the server wants a login: add user:password@ to PAPERWIRE_SMTP_URL)"
            hint = hint if exc.smtp_code == 530 and not target.username else ""
            raise MailError(
                f"{target} refused the sender {exc.sender}: {_reply(exc)}{hint}",
                temporary=_temporary(exc.smtp_code),
                code=exc.smtp_code,
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise MailError(
                f"{target} refused the login of user {target.username!r}: {_reply(exc)} "
                "(check the user and password in PAPERWIRE_SMTP_URL)",
                temporary=_temporary(exc.smtp_code),
                code=exc.smtp_code,
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            self.close()
            what = "STARTTLS" if target.security == "starttls" else "AUTH"
            raise MailError(f"{target} does not support {what}: {_one_line(str(exc))}") from None
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise MailError(
                f"{target} did not accept the message: {_reply(exc)}",
                temporary=_temporary(exc.smtp_code),
                code=exc.smtp_code,
            ) from None
        except smtplib.SMTPException as exc:
            self.close()
            raise MailError(f"SMTP error with {target}: {_one_line(str(exc))}", temporary=True) from None
        except ssl.SSLError as exc:
            self.close()
            reason = getattr(exc, "verify_message", None) or exc.reason or str(exc)
            raise MailError(f"TLS with {target} failed: {_one_line(str(reason))}") from None
        except TimeoutError:
            self.close()
            raise self._timed_out() from None
        except OSError as exc:
            self.close()
            if reused:
                raise _Stale from None
            raise MailError(
                f"cannot connect to SMTP server {target}: {exc.strerror or exc}", temporary=True
            ) from None
        if refused:
            # The others were accepted: a retry of the whole message would send it to them twice.
            raise MailError(
                f"{target} accepted the message for some recipients but refused {_refusals(refused)}"
            )

    def _open(self) -> smtplib.SMTP:
        target, mailer = self.target, self.mailer
        smtp = mailer._connect()
        try:
            if target.security == "starttls":
                smtp.starttls(context=mailer._context())
            if target.username:
                smtp.login(target.username, target.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _reset(self) -> None:
        """After a refusal the connection stays usable for the next message once the transaction is reset."""
        if self._smtp is None:
            return
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()


class _Stale(Exception):
    """A kept connection turned out to be closed before this message was handed over."""


def _temporary(code: int) -> bool:
    return 400 <= code < 500
