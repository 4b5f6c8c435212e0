"""Atom and RSS feeds of papers: pure functions from models to UTF-8 XML bytes. No I/O.

An entry's id is `{site_url}/papers/{id}` and nothing else (not a date, position or version), so a feed
built again, in another order or after a paper's new version, never shows a reader a duplicate.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from urllib.parse import quote

from paperwire import __version__
from paperwire.models.papers import Paper
from paperwire.papers import BIDI_CONTROLS

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"

# What XML 1.0 cannot carry at all, not even escaped (C0 controls other than tab and line ends, lone
# surrogates, U+FFFE, U+FFFF), and the DEL and C1 controls it discourages. Dropped, so one odd abstract
# cannot break a whole feed.
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def paper_url(site_url: str, paper_id: str) -> str:
    """The hub's page for a paper; also its entry id in every feed."""
    return f"{site_url.rstrip('/')}/papers/{quote(paper_id, safe='/:')}"


def atom_feed(
    *,
    title: str,
    feed_url: str,
    site_url: str,
    papers: list[Paper],
    updated: datetime,
    subtitle: str | None = None,
    notes: dict[str, str] | None = None,
) -> bytes:
    """An Atom 1.0 (RFC 4287) feed of `papers`, in the order given; `updated` must be timezone-aware.
    `notes`: a line per paper id put before its abstract in the summary (the "For you" feed's reasons)."""
    site_url = site_url.rstrip("/")
    feed = ET.Element("feed", xmlns=ATOM_NS)
    _text(feed, "id", feed_url)
    _text(feed, "title", title)
    if subtitle:
        _text(feed, "subtitle", subtitle)
    _text(feed, "updated", _atom_date(_aware(updated)))
    _link(feed, "self", feed_url, "application/atom+xml")
    _link(feed, "alternate", site_url + "/", "text/html")
    if any(not p.authors for p in papers):
        # RFC 4287 4.1.1: an entry without an author takes the feed's, and the feed must then have one.
        author = ET.SubElement(feed, "author")
        _text(author, "name", title)
        _text(author, "uri", site_url + "/")
    _text(feed, "generator", "Paperwire", version=__version__)
    for paper in papers:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", paper_url(site_url, paper.id))
        _text(entry, "title", paper.title)
        _link(entry, "alternate", paper_url(site_url, paper.id), "text/html")
        if paper.links.abstract:
            _link(entry, "related", paper.links.abstract, "text/html")
        published = _published(paper)
        if published:
            _text(entry, "published", _atom_date(published))
        # Never before `published` (a v1 date can precede the announcement); the feed's own time only
        # for a paper without any date.
        changed = max(filter(None, (published, _updated(paper))), default=None) or _aware(updated)
        _text(entry, "updated", _atom_date(changed))
        for name in paper.authors:
            _text(ET.SubElement(entry, "author"), "name", name)
        for category in paper.categories:
            ET.SubElement(entry, "category", term=_clean(category))
        note = (notes or {}).get(paper.id)
        if paper.abstract or note:
            summary = "\n\n".join(filter(None, (note, paper.abstract)))
            _text(entry, "summary", summary, type="text")
    return _serialise(feed)


def rss_feed(
    *,
    title: str,
    feed_url: str,
    site_url: str,
    papers: list[Paper],
    updated: datetime,
    subtitle: str | None = None,
) -> bytes:
    """An RSS 2.0 feed of `papers`, in the order given; guids are permalinks to the hub's pages."""
    site_url = site_url.rstrip("/")
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": DC_NS})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", title)
    _text(channel, "link", site_url + "/")
    _text(channel, "description", subtitle or title)
    # The feed's own address (the Atom feed's id), as RSS Best Practices recommend.
    ET.SubElement(channel, "atom:link", href=_clean(feed_url), rel="self", type="application/rss+xml")
    _text(channel, "lastBuildDate", _rss_date(_aware(updated)))
    _text(channel, "generator", f"Paperwire {__version__}")
    for paper in papers:
        item = ET.SubElement(channel, "item")
        # RSS readers treat title and description as HTML: the plain text is escaped once more, so that
        # "a <b> c" shows as typed instead of turning bold (feedparser and Miniflux read it that way).
        _text(item, "title", _as_html(paper.title))
        _text(item, "link", paper_url(site_url, paper.id))
        _text(item, "guid", paper_url(site_url, paper.id), isPermaLink="true")
        if paper.links.abstract:
            ET.SubElement(
                item, "atom:link", rel="related", type="text/html", href=_clean(paper.links.abstract)
            )
        # RSS <author> must be an email address; dc:creator is what readers expect for names.
        for name in paper.authors:
            _text(item, "dc:creator", name)
        for category in paper.categories:
            _text(item, "category", category)
        if paper.abstract:
            _text(item, "description", _as_html(paper.abstract))
        published = _published(paper) or _updated(paper)
        if published:
            _text(item, "pubDate", _rss_date(published))
    return _serialise(rss)


def _as_html(text: str) -> str:
    return html.escape(text, quote=False)


def _clean(value: str) -> str:
    # Bidi controls too: a title stored before import stripped them must not reorder a reader's list.
    return BIDI_CONTROLS.sub("", _NOT_XML.sub("", value))


def _text(parent: ET.Element, tag: str, value: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    element.text = _clean(value)
    return element


def _link(parent: ET.Element, rel: str, href: str, type_: str) -> None:
    ET.SubElement(parent, "link", rel=rel, type=type_, href=_clean(href))


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a feed's updated time must be timezone-aware (datetime.now(UTC))")
    return value


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=UTC) if day else None


def _published(paper: Paper) -> datetime | None:
    """When the hub's readers first saw it: its announcement day, else its first version's date."""
    return _midnight(paper.announced or paper.published)


def _updated(paper: Paper) -> datetime | None:
    return _midnight(paper.updated)


def _atom_date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rss_date(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC), usegmt=True)
