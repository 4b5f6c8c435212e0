"""Safe XML parsing of untrusted responses, with one-line errors that say what was wrong."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as _ExpatError

import defusedxml
from defusedxml.ElementTree import fromstring

from paperwire import PaperwireError


class BadResponse(PaperwireError):
    """A response that is not what the source should send (empty, HTML, malformed, an error element)."""


def parse_xml(body: bytes, what: str) -> Element:
    """The root element of an XML body; BadResponse for an empty body, an HTML page or broken XML."""
    text = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise BadResponse(f"{what}: the response body is empty")
    head = text[:200].lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise BadResponse(f"{what}: got an HTML page where XML was expected")
    try:
        return fromstring(body)
    except _ExpatError as exc:
        raise BadResponse(f"{what}: malformed or truncated XML ({exc})") from None
    except defusedxml.DefusedXmlException as exc:
        raise BadResponse(f"{what}: refused unsafe XML ({type(exc).__name__})") from None


def text_of(parent: Element, tag: str) -> str | None:
    node = parent.find(tag)
    return node.text if node is not None and node.text is not None else None


def rfc2822_date(value: str | None):
    """'Fri, 14 Mar 2025 17:59:59 GMT' -> date, or None when absent or unreadable."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value.strip()).date()
    except (TypeError, ValueError):
        return None
