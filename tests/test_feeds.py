"""Atom and RSS feeds, read back by feedparser (what feed readers use) and checked element by element."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import feedparser
import pytest

from paperwire.feeds import atom_feed, paper_url, rss_feed
from paperwire.models.papers import Links, Paper
from paperwire.papers import arxiv_links

A = "{http://www.w3.org/2005/Atom}"
SITE = "https://papers.example.org"
NOW = datetime(2025, 3, 21, 6, 30, tzinfo=UTC)
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def papers() -> list[Paper]:
    return [
        Paper(
            id="2503.11677",
            title="Simulation of prosthetic vision",
            source="arxiv",
            abstract="Objective. Patients implanted with PRIMA.",
            authors=["Jungyeon Park", "Daniel Palanker"],
            categories=["cs.HC", "cs.CV"],
            version=2,
            published=date(2025, 3, 14),
            updated=date(2025, 3, 20),
            announced=date(2025, 3, 18),
            links=arxiv_links("2503.11677"),
        ),
        Paper(
            id="hep-th/9901001",
            title="An old-style identifier",
            source="arxiv",
            abstract="Strings.",
            authors=["E. Witten"],
            categories=["hep-th"],
            published=date(1999, 1, 1),
            links=arxiv_links("hep-th/9901001"),
        ),
        Paper(id="local-7", title="No authors, no dates, no links", source="import"),
    ]


def build(kind, items=None, **kwargs):
    args = dict(
        title="Paperwire: latest",
        feed_url=f"{SITE}/feeds/latest.{kind}",
        site_url=SITE,
        papers=papers() if items is None else items,
        updated=NOW,
        subtitle="New papers on this hub",
    )
    return (atom_feed if kind == "atom" else rss_feed)(**{**args, **kwargs})


def test_atom_reads_back():
    d = feedparser.parse(build("atom"))
    assert not d.bozo, d.get("bozo_exception")
    assert d.version == "atom10"
    assert d.feed.id == f"{SITE}/feeds/latest.atom"
    assert d.feed.title == "Paperwire: latest"
    assert d.feed.subtitle == "New papers on this hub"
    assert d.feed.updated == "2025-03-21T06:30:00Z"
    assert {(link.rel, link.href) for link in d.feed.links} == {
        ("self", f"{SITE}/feeds/latest.atom"),
        ("alternate", f"{SITE}/"),
    }
    assert len(d.entries) == 3
    first, old, bare = d.entries
    assert first.id == first.link == f"{SITE}/papers/2503.11677"
    assert [(link.rel, link.href) for link in first.links] == [
        ("alternate", f"{SITE}/papers/2503.11677"),
        ("related", "https://arxiv.org/abs/2503.11677"),
    ]
    assert first.title == "Simulation of prosthetic vision"
    assert [a.name for a in first.authors] == ["Jungyeon Park", "Daniel Palanker"]
    assert [t.term for t in first.tags] == ["cs.HC", "cs.CV"]
    assert first.summary == "Objective. Patients implanted with PRIMA."
    assert first.summary_detail.type == "text/plain"
    assert first.published == "2025-03-18T00:00:00Z"  # the announcement day, not the v1 date
    assert first.updated == "2025-03-20T00:00:00Z"
    assert old.id == f"{SITE}/papers/hep-th/9901001"
    assert old.published == old.updated == "1999-01-01T00:00:00Z"
    assert bare.id == f"{SITE}/papers/local-7"
    assert [link.rel for link in bare.links] == ["alternate"]
    assert "summary" not in bare


def test_atom_has_what_rfc_4287_requires():
    root = ET.fromstring(build("atom"))
    assert root.tag == f"{A}feed"

    def one(element, name):
        found = element.findall(f"{A}{name}")
        assert len(found) == 1, (name, len(found))
        return found[0]

    assert one(root, "id").text == f"{SITE}/feeds/latest.atom"
    assert one(root, "title").text
    assert RFC3339.fullmatch(one(root, "updated").text)
    feed_has_author = bool(root.findall(f"{A}author/{A}name"))
    entries = root.findall(f"{A}entry")
    assert len(entries) == 3
    for entry in entries:
        assert one(entry, "id").text.startswith(f"{SITE}/papers/")
        assert one(entry, "title").text
        assert RFC3339.fullmatch(one(entry, "updated").text)
        published = entry.find(f"{A}published")
        if published is not None:
            assert RFC3339.fullmatch(published.text)
            assert published.text <= one(entry, "updated").text
        # 4.1.1: every entry has an author, its own or the feed's.
        assert entry.findall(f"{A}author/{A}name") or feed_has_author
        alternates = [x for x in entry.findall(f"{A}link") if x.get("rel") == "alternate"]
        assert len(alternates) == 1  # 4.1.1: at most one alternate per type and language
    # The feed author appears only because one entry has none.
    assert feed_has_author
    root_one_author = ET.fromstring(build("atom", papers()[:2]))
    assert not root_one_author.findall(f"{A}author")


def test_rss_reads_back():
    d = feedparser.parse(build("rss"))
    assert not d.bozo, d.get("bozo_exception")
    assert d.version == "rss20"
    assert d.feed.title == "Paperwire: latest"
    assert d.feed.link == f"{SITE}/"
    assert d.feed.subtitle == "New papers on this hub"
    assert [(link.rel, link.href) for link in d.feed.links if link.rel == "self"] == [
        ("self", f"{SITE}/feeds/latest.rss")
    ]
    assert len(d.entries) == 3
    first, old, bare = d.entries
    assert first.id == first.link == f"{SITE}/papers/2503.11677"
    assert ("related", "https://arxiv.org/abs/2503.11677") in [(x.rel, x.href) for x in first.links]
    assert [a.name for a in first.authors] == ["Jungyeon Park", "Daniel Palanker"]
    assert [t.term for t in first.tags] == ["cs.HC", "cs.CV"]
    assert first.summary == "Objective. Patients implanted with PRIMA."
    assert first.published == "Tue, 18 Mar 2025 00:00:00 GMT"
    assert old.id == f"{SITE}/papers/hep-th/9901001"
    assert bare.id == f"{SITE}/papers/local-7"
    assert "published" not in bare


def test_rss_guid_is_a_permalink():
    root = ET.fromstring(build("rss"))
    guids = root.findall("channel/item/guid")
    assert [g.get("isPermaLink") for g in guids] == ["true"] * 3
    assert [g.text for g in guids] == [x.text for x in root.findall("channel/item/link")]


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_ids_are_stable_across_builds(kind):
    before = feedparser.parse(build(kind))
    # Another day, the other order, a trailing slash on the site URL and a new version of one paper.
    changed = papers()[::-1]
    changed[2] = replace(changed[2], version=3, updated=date(2025, 4, 2), title="Simulation, revised")
    after = feedparser.parse(
        build(kind, changed, updated=NOW + timedelta(days=12), site_url=SITE + "/", title="Renamed")
    )
    ids_before = {e.title: e.id for e in before.entries}
    ids_after = {e.id for e in after.entries}
    assert ids_after == set(ids_before.values())
    [revised] = [e for e in after.entries if e.title == "Simulation, revised"]
    assert revised.id == ids_before["Simulation of prosthetic vision"]


# Markup, a CDATA end, controls (C0, DEL, C1), non-characters, a lone surrogate, accents and emoji.
HOSTILE = (
    "R&D <b>bold</b> a<b & c>d ]]> \x00\x01\x08\x0b\x0c\x1b\x7f\x85\x9f \ufffe\uffff \ud800"
    " caf\u00e9 \U0001f9ea\U0001f600"
)


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_hostile_text_stays_well_formed(kind):
    paper = Paper(
        id="2503.00001",
        title=HOSTILE,
        source="arxiv",
        abstract=HOSTILE + " <script>alert(1)</script>",
        authors=["O'Brien & <Sons>", "Zoë \U0001f600"],
        categories=["cs.LG"],
        links=Links(abstract="https://arxiv.org/abs/2503.00001?a=1&b=<2>"),
    )
    body = build(kind, [paper], title="Feed & <friends>\x00", subtitle="a < b\x1b")
    body.decode("utf-8")  # strict: a lone surrogate would have failed here
    ET.fromstring(body)  # strict XML parser: well-formed or it raises
    d = feedparser.parse(body)
    assert not d.bozo, d.get("bozo_exception")
    assert d.encoding == "utf-8"
    [entry] = d.entries
    title, summary = entry.title, entry.summary
    if kind == "rss":  # feedparser hands RSS text over as HTML; unescaped, it is the text as written
        assert entry.title_detail.type == entry.summary_detail.type == "text/html"
        title, summary = html.unescape(title), html.unescape(summary)
    assert " ".join(title.split()) == "R&D <b>bold</b> a<b & c>d ]]> caf\u00e9 \U0001f9ea\U0001f600"
    assert "<script>alert(1)</script>" in summary
    assert " ".join(d.feed.title.split()) == "Feed & <friends>"
    assert [a.name for a in entry.authors] == ["O'Brien & <Sons>", "Zoë \U0001f600"]
    assert ("related", "https://arxiv.org/abs/2503.00001?a=1&b=<2>") in [(x.rel, x.href) for x in entry.links]


def test_rss_text_is_escaped_once_more_for_html_readers():
    paper = Paper(id="1", title="x <i>y</i> & z", source="import", abstract="a <b> c")
    root = ET.fromstring(build("rss", [paper]))
    assert root.find("channel/item/title").text == "x &lt;i&gt;y&lt;/i&gt; &amp; z"
    assert root.find("channel/item/description").text == "a &lt;b&gt; c"


def test_dates_are_utc():
    paris = timezone(timedelta(hours=1))
    d = feedparser.parse(build("atom", [], updated=datetime(2025, 3, 21, 7, 30, tzinfo=paris)))
    assert d.feed.updated == "2025-03-21T06:30:00Z"
    d = feedparser.parse(build("rss", [], updated=datetime(2025, 3, 21, 7, 30, tzinfo=paris)))
    assert d.feed.updated == "Fri, 21 Mar 2025 06:30:00 GMT"


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_naive_updated_time_is_refused(kind):
    with pytest.raises(ValueError, match="timezone-aware"):
        build(kind, updated=datetime(2025, 3, 21, 6, 30))


def test_paper_url():
    assert paper_url("https://h.example/", "2503.11677") == "https://h.example/papers/2503.11677"
    assert paper_url("https://h.example", "hep-th/9901001") == "https://h.example/papers/hep-th/9901001"
    assert paper_url("https://h.example", "a?b#c%d") == "https://h.example/papers/a%3Fb%23c%25d"
