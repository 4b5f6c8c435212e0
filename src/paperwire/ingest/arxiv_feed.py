"""Pure parsing of arXiv's daily announcement feed (rss.arxiv.org/atom/<category>)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from paperwire.ingest.oai import split_authors
from paperwire.ingest.xmlsafe import BadResponse, parse_xml, text_of
from paperwire.models.papers import Paper
from paperwire.papers import InvalidPaper, arxiv_categories, arxiv_links, make_paper, split_arxiv_id

SOURCE = "arxiv-feed"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
ARXIV_TIME = ZoneInfo("America/New_York")
_ABSTRACT = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*Abstract:\s*", re.S)


@dataclass(slots=True)
class FeedEntry:
    paper: Paper
    announce_type: str  # new, cross, replace or replace-cross
    day: date | None  # the entry's own announcement day


@dataclass(slots=True)
class AnnouncementFeed:
    day: date  # the day the feed says it is for
    entries: list[FeedEntry] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def count(self, announce_type: str) -> int:
        return sum(e.announce_type == announce_type for e in self.entries)


def parse_announcement_feed(body: bytes) -> AnnouncementFeed:
    """The feed's claimed day and its entries; an empty feed (weekend, holiday) has no entries."""
    root = parse_xml(body, "arXiv announcement feed")
    if root.tag != f"{ATOM}feed":
        raise BadResponse("arXiv announcement feed: the root element is not an Atom feed")
    day = _day(text_of(root, f"{ATOM}updated"))
    if day is None:
        raise BadResponse("arXiv announcement feed: the feed has no <updated> date")
    feed = AnnouncementFeed(day)
    for entry in root.findall(f"{ATOM}entry"):
        entry_id = (text_of(entry, f"{ATOM}id") or "").strip()
        try:
            feed.entries.append(_entry(entry, entry_id))
        except (InvalidPaper, BadResponse) as exc:
            feed.rejected.append(f"{entry_id or 'an entry'}: {exc}")
    return feed


def _entry(entry, entry_id: str) -> FeedEntry:
    kind = (text_of(entry, f"{ARXIV}announce_type") or "").strip()
    if kind not in ANNOUNCE_TYPES:
        raise InvalidPaper(f"announce type {kind!r} is not one of {', '.join(ANNOUNCE_TYPES)}")
    arxiv_id, version = split_arxiv_id(entry_id.removeprefix("oai:arXiv.org:"))
    summary = _ABSTRACT.sub("", text_of(entry, f"{ATOM}summary") or "", count=1)
    paper = make_paper(
        id=arxiv_id,
        title=text_of(entry, f"{ATOM}title"),
        source=SOURCE,
        abstract=summary,
        authors=split_authors(text_of(entry, f"{DC}creator")),
        categories=arxiv_categories([c.get("term", "") for c in entry.findall(f"{ATOM}category")]),
        version=version or 1,
        license=text_of(entry, f"{DC}rights"),
        links=arxiv_links(arxiv_id),
    )
    return FeedEntry(paper, kind, _day(text_of(entry, f"{ATOM}published")))


def _day(value: str | None) -> date | None:
    """The announcement day of a timestamp: its date in US Eastern time, arXiv's own.

    The feed is rebuilt just after midnight there ('2025-08-20T04:00:19.866337+00:00'), and entries
    are dated at that midnight ('2025-08-20T00:00:00-04:00').
    """
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadResponse(f"arXiv announcement feed: {value!r} is not an ISO date") from None
    return when.astimezone(ARXIV_TIME).date() if when.tzinfo else when.date()
