"""A digest as an email: an HTML part and a plain-text part from templates, with the headers that
mailbox providers ask of bulk mail (RFC 8058 one-click unsubscribe, List-Unsubscribe, Message-ID)."""

from __future__ import annotations

import binascii
import secrets
from dataclasses import dataclass
from email import policy
from email.header import Header
from email.message import Message
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from paperwire.digests.links import SubscriptionLinks
from paperwire.mail import Mailer, MailError
from paperwire.models.digests import FOR_YOU, TRENDING, Delivery
from paperwire.models.papers import RankedPaper
from paperwire.papers import paper_path
from paperwire.subscriptions import DigestPeriod

TEMPLATES = Path(__file__).parent / "templates"
MAX_AUTHORS_SHOWN = 4
# Headers as given, folded only past RFC 5322's 998 characters: the Subject comes folded already.
_POLICY = policy.compat32.clone(max_line_length=998)


@dataclass(slots=True)
class Entry:
    """One paper as the mail shows it."""

    title: str
    url: str  # its page on the hub
    arxiv_url: str
    pdf_url: str | None
    authors: str
    upvotes: int
    reason: str | None


class DigestRenderer:
    def __init__(self, mailer: Mailer, links: SubscriptionLinks, hub_name: str = "Paperwire"):
        self.mailer, self.links, self.hub_name = mailer, links, hub_name
        self.base_url = links.base_url
        loader = FileSystemLoader(TEMPLATES)
        self._html = Environment(
            loader=loader, autoescape=select_autoescape(["html"]), undefined=StrictUndefined
        )
        self._text = Environment(loader=loader, autoescape=False, undefined=StrictUndefined)
        self._html_template = self._html.get_template("digest.html")
        self._text_template = self._text.get_template("digest.txt")

    def subject(self, delivery: Delivery) -> str:
        period = DigestPeriod(delivery.frequency, delivery.start, delivery.end)
        if delivery.frequency == "daily":
            return f"{self.hub_name}: your papers for {period.label}"
        return f"{self.hub_name}: your papers for the week {period.label}"

    def message(self, delivery: Delivery, papers: dict[str, RankedPaper]) -> Message:
        period = DigestPeriod(delivery.frequency, delivery.start, delivery.end)
        sections = {TRENDING: [], FOR_YOU: []}
        for item in delivery.items:
            ranked = papers.get(item.paper_id)
            if ranked is not None:  # a paper hidden or removed since composing is left out
                sections[item.section].append(self._entry(ranked, item.reason))
        unsubscribe = self.links.unsubscribe_url(delivery.subscription_id, delivery.nonce)
        context = {
            "hub": self.hub_name,
            "base_url": self.base_url,
            "period": period,
            "daily": delivery.frequency == "daily",
            "trending": sections[TRENDING],
            "for_you": sections[FOR_YOU],
            "settings_url": self.links.manage_url(delivery.subscription_id, delivery.nonce),
            "unsubscribe_url": unsubscribe,
            "email": delivery.email,
        }
        headers = {
            "Message-ID": delivery.message_id,
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{self.hub_name} digest <digest.{_host(self.base_url)}>",
            "Auto-Submitted": "auto-generated",
        }
        return self._mime(
            delivery.email,
            self.subject(delivery),
            self._text_template.render(context),
            self._html_template.render(context),
            headers,
        )

    def _mime(self, to: str, subject: str, text: str, html: str, headers: dict[str, str]) -> Message:
        """multipart/alternative, text then HTML, each quoted-printable.

        Not Mailer.build_message: its EmailMessage parses and refolds every header and encodes the bodies
        in Python, about 5 ms of CPU a digest and half of a 10,000-digest run (docs/benchmarks.md#digests).
        Here headers are kept as given and binascii encodes the bodies. It also leaves a long
        List-Unsubscribe whole, which EmailMessage turned into RFC 2047 encoded words: no longer the
        <URL> that RFC 2369 asks for."""
        sender = formataddr(parseaddr(self.mailer.mail_from), charset="utf-8")  # a Unicode name encoded
        values = {"From": sender, "To": to, "Subject": subject, "Date": formatdate(usegmt=True), **headers}
        for header, value in values.items():
            if "\r" in value or "\n" in value or (header != "Subject" and not value.isascii()):
                raise MailError(f"cannot build the message: the {header} header must be one line of ASCII")
        if not subject.isascii():
            values["Subject"] = Header(subject, "utf-8", maxlinelen=76, header_name="Subject").encode("\r\n")
        msg = Message(policy=_POLICY)
        for header, value in values.items():
            msg[header] = value
        msg["MIME-Version"] = "1.0"
        # "=_" cannot occur in quoted-printable text, so the boundary cannot collide with a body.
        msg["Content-Type"] = f'multipart/alternative; boundary="=_{secrets.token_hex(16)}"'
        msg.attach(_text_part(text, "plain"))
        msg.attach(_text_part(html, "html"))
        return msg

    def _entry(self, ranked: RankedPaper, reason: str | None) -> Entry:
        p = ranked.paper
        authors = ", ".join(p.authors[:MAX_AUTHORS_SHOWN])
        if len(p.authors) > MAX_AUTHORS_SHOWN:
            authors += f" and {len(p.authors) - MAX_AUTHORS_SHOWN} more"
        return Entry(
            title=" ".join(p.title.split()),
            url=self.base_url + paper_path(p.id),
            arxiv_url=p.links.abstract or f"https://arxiv.org/abs/{p.id}",
            pdf_url=p.links.pdf,
            authors=authors,
            upvotes=ranked.upvotes,
            reason=reason,
        )


def _text_part(text: str, subtype: str) -> Message:
    part = Message(policy=_POLICY)
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["Content-Transfer-Encoding"] = "quoted-printable"
    body = text if text.endswith("\n") else text + "\n"
    part.set_payload(binascii.b2a_qp(body.encode("utf-8"), istext=True).decode("ascii"))
    return part


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or "localhost"
