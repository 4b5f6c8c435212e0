"""The daily announcement: each category's feed gives the day's new, cross-listed and replaced papers.

New and cross-listed papers get the feed's day as their announcement date (unless they already have an
earlier one); replacements update the paper and never re-announce it. Papers the store lacks, or has
at an older version, are fetched by id from the query API, whose records are complete (the feed has
no submission dates, comments, DOIs); the feed's own record is the fallback.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from paperwire.ingest.arxiv_feed import AnnouncementFeed, parse_announcement_feed
from paperwire.ingest.byid import fetch_by_id
from paperwire.ingest.http import Fetcher, FetchError, Unreachable
from paperwire.ingest.xmlsafe import BadResponse
from paperwire.models.announcements import AnnouncementDay
from paperwire.storage import Store

log = logging.getLogger("paperwire.ingest")
ANNOUNCING = ("new", "cross")


class StaleFeed(BadResponse):
    """A feed whose contents are older than the day it claims to be."""


@dataclass(slots=True)
class CategoryResult:
    category: str
    day: date | None = None
    counts: Counter = field(default_factory=Counter)
    error: str | None = None

    def line(self) -> str:
        if self.error:
            return f"{self.category}: error: {self.error}"
        if not self.counts["listed"]:
            return f"{self.category} {self.day}: no announcement"
        kinds = ", ".join(f"{self.counts[k]} {k}" for k in ("new", "cross", "replace", "replace-cross"))
        stored = f"stored {self.counts['stored']} (fetched {self.counts['fetched']})"
        return f"{self.category} {self.day}: {kinds}; {stored}"


def ingest_daily(
    store: Store, fetcher: Fetcher, feed_url: str, api_url: str, categories: Sequence[str], counts: Counter
) -> list[CategoryResult]:
    """Read each category's feed; a category that fails is reported and the others still run.

    An unreachable arXiv (Unreachable) ends the run at once: the other categories would fail the same way.
    """
    results = []
    for category in categories:
        result = CategoryResult(category)
        try:
            feed = parse_announcement_feed(fetcher.get(f"{feed_url}/{category}").content)
            result.day = feed.day
            _check_fresh(store, category, feed)
            _store_feed(store, fetcher, api_url, category, feed, result.counts)
        except Unreachable:
            raise
        except (FetchError, BadResponse) as exc:
            result.error = str(exc)
            counts["failed"] += 1
            log.error("daily %s: %s", category, exc)
        else:
            log.info("daily %s", result.line())
            counts.update({k: v for k, v in result.counts.items() if k in ("stored", "rejected")})
            counts["announced days" if result.counts["listed"] else "quiet days"] += 1
        results.append(result)
    return results


def _check_fresh(store: Store, category: str, feed: AnnouncementFeed) -> None:
    older = sorted({e.day for e in feed.entries if e.day and e.day < feed.day})
    if older:
        raise StaleFeed(
            f"stale feed: it claims {feed.day} but lists entries announced on {older[0]}; nothing recorded"
        )
    last = next(iter(store.announcements.recent(category, limit=1)), None)
    if last and feed.day < last.day:
        raise StaleFeed(
            f"stale feed: it is for {feed.day}, but {last.day} is already recorded; nothing recorded"
        )
    if last and feed.day == last.day and last.announced and not feed.entries:
        raise StaleFeed(
            f"stale feed: it is empty, but {feed.day} was recorded with announcements; nothing recorded"
        )
    for e in feed.entries:
        if e.announce_type == "new":
            stored = store.papers.get_paper(e.paper.id)
            if stored and stored.announced and stored.announced < feed.day:
                raise StaleFeed(
                    f"stale feed: {e.paper.id} is listed as new on {feed.day} but was announced on "
                    f"{stored.announced}; nothing recorded"
                )


def _store_feed(
    store: Store, fetcher: Fetcher, api_url: str, category: str, feed: AnnouncementFeed, counts: Counter
) -> None:
    for reason in feed.rejected:
        log.warning("daily %s: rejected %s", category, reason)
    counts["rejected"] += len(feed.rejected)
    counts["listed"] = len(feed.entries)
    for kind in ("new", "cross", "replace", "replace-cross"):
        counts[kind] = feed.count(kind)
    needed = {}
    for e in feed.entries:
        stored = store.papers.get_paper(e.paper.id)
        if stored is None or stored.version < e.paper.version:
            needed[e.paper.id] = e
    fetched = (
        {r.paper.id: r.paper for r in fetch_by_id(fetcher, api_url, list(needed)) if r.paper}
        if needed
        else {}
    )
    counts["fetched"] = len(fetched)
    papers = []
    for paper_id, e in needed.items():
        paper = fetched.get(paper_id) or e.paper
        if e.announce_type in ANNOUNCING:
            paper.announced = feed.day
        papers.append(paper)
    outcomes = store.papers.upsert_papers(papers)
    counts["stored"] = sum(o.value != "unchanged" for o in outcomes)
    announced = {e.paper.id: feed.day for e in feed.entries if e.announce_type in ANNOUNCING}
    day = AnnouncementDay(
        category,
        feed.day,
        bool(feed.entries),
        counts["new"],
        counts["cross"],
        counts["replace"],
        counts["replace-cross"],
    )
    # The papers are stored first: a crash between the two leaves the day unrecorded, and a re-run redoes it.
    store.announcements.record(day, announced)
