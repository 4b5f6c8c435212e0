"""The daily announcement feed: new, cross, replace and replace-cross; quiet days; stale feeds."""

from collections import Counter
from datetime import date

import pytest

from paperwire.ingest.announcements import ingest_daily
from paperwire.ingest.arxiv_feed import parse_announcement_feed
from paperwire.ingest.http import open_fetchers
from paperwire.ingest.xmlsafe import BadResponse
from paperwire.models.announcements import AnnouncementDay
from paperwire.papers import make_paper
from paperwire.storage import open_store
from tests.support.ingest import SATURDAY, STALE, TUESDAY
from tests.support.replay import ReplayServer, Reply, api_route, ingest_env, ingest_overrides
from tests.support.server import free_port


@pytest.fixture
def server():
    with ReplayServer() as s:
        s.routes["/api/query"] = api_route
        s.routes["/atom/cs.LG"] = lambda q: Reply(TUESDAY)
        yield s


@pytest.fixture
def settings(server, make_settings):
    return make_settings(**ingest_overrides(server))


def run_daily(settings, categories=("cs.LG",)):
    counts = Counter()
    with open_store(settings) as store, open_fetchers(settings) as f:
        results = ingest_daily(
            store, f.arxiv, settings.arxiv_feed_url, settings.arxiv_api_url, categories, counts
        )
    return results, counts


def test_parse_feed():
    feed = parse_announcement_feed(TUESDAY)
    assert feed.day == date(2025, 3, 18)
    assert [(e.paper.id, e.paper.version, e.announce_type) for e in feed.entries] == [
        ("2503.11701", 1, "new"),
        ("2503.11999", 1, "new"),
        ("2503.11677", 1, "cross"),
        ("2503.11720", 2, "replace"),
        ("2504.00001", 2, "replace-cross"),
    ]
    first = feed.entries[0].paper
    assert first.abstract == "We study sparse attention. It is fast."
    assert (first.authors, first.categories) == (["Ada Lovelace", "Alan Turing"], ["cs.LG", "stat.ML"])
    assert parse_announcement_feed(SATURDAY).entries == []
    # The day is arXiv's (US Eastern): a feed built at 04:00 UTC in summer, 05:00 UTC in winter.
    winter = TUESDAY.replace(b"2025-03-18T04:00:19.866337+00:00", b"2025-01-14T05:00:02Z", 1)
    assert parse_announcement_feed(winter).day == date(2025, 1, 14)
    with pytest.raises(BadResponse, match="HTML"):
        parse_announcement_feed(b"<html><body>maintenance</body></html>")


def test_a_day_of_announcements(server, settings):
    with open_store(settings) as store:  # a paper known at v1 since the day before
        store.papers.upsert_papers(
            [
                make_paper(
                    id="2503.11720",
                    title="Graph transformers revisited",
                    source="test",
                    announced=date(2025, 3, 17),
                )
            ]
        )
    results, counts = run_daily(settings)
    assert (
        results[0].line()
        == "cs.LG 2025-03-18: 2 new, 1 cross, 1 replace, 1 replace-cross; stored 5 (fetched 3)"
    )
    assert counts == Counter({"stored": 5, "announced days": 1})
    with open_store(settings) as store:
        new = store.papers.get_paper("2503.11701")
        assert (new.announced, new.source) == (date(2025, 3, 18), "arxiv-api")  # complete record from the API
        assert (
            store.papers.get_paper("2503.11999").source == "arxiv-feed"
        )  # unknown to the API: the feed's record
        assert store.papers.get_paper("2503.11677").announced == date(2025, 3, 18)  # cross-listed
        replaced = store.papers.get_paper("2503.11720")
        assert (replaced.version, replaced.title, replaced.announced) == (
            2,
            "Graph transformers revisited, again",
            date(2025, 3, 17),  # a replacement is not a re-announcement
        )
        assert store.papers.get_paper("2504.00001").announced is None
        assert store.announcements.recent("cs.LG") == [
            AnnouncementDay("cs.LG", date(2025, 3, 18), True, 2, 1, 1, 1)
        ]
    requested = [r.query["id_list"] for r in server.requests if r.path == "/api/query"]
    assert requested == ["2503.11701,2503.11999,2503.11677,2503.11720,2504.00001"]
    # The same feed again changes nothing and fetches nothing more.
    server.requests.clear()
    results, counts = run_daily(settings)
    assert results[0].error is None and counts["stored"] == 0
    assert [r.path for r in server.requests] == ["/atom/cs.LG"]


def test_a_weekend_is_an_explicit_quiet_day(server, settings):
    run_daily(settings)
    server.routes["/atom/cs.LG"] = lambda q: Reply(SATURDAY)
    results, counts = run_daily(settings)
    assert results[0].line() == "cs.LG 2025-03-22: no announcement"
    assert counts["quiet days"] == 1
    with open_store(settings) as store:
        assert store.announcements.recent("cs.LG")[0] == AnnouncementDay("cs.LG", date(2025, 3, 22), False)


@pytest.mark.parametrize(
    "first, then, message",
    [
        (None, STALE, "it claims 2025-03-19 but lists entries announced on 2025-03-18"),
        (SATURDAY, TUESDAY, "it is for 2025-03-18, but 2025-03-22 is already recorded"),
        (
            TUESDAY,
            TUESDAY.replace(b"<entry>", b"<!--").replace(b"</entry>", b"-->"),
            "it is empty, but 2025-03-18",
        ),
    ],
)
def test_stale_feeds_are_detected_and_record_nothing(server, settings, first, then, message):
    if first is not None:
        server.routes["/atom/cs.LG"] = lambda q: Reply(first)
        run_daily(settings)
    with open_store(settings) as store:
        before = store.announcements.recent(), [p.id for p in store.papers.iter_papers()]
    server.routes["/atom/cs.LG"] = lambda q: Reply(then)
    results, counts = run_daily(settings)
    assert results[0].error.startswith("stale feed: ") and message in results[0].error
    assert counts["failed"] == 1
    with open_store(settings) as store:
        assert (store.announcements.recent(), [p.id for p in store.papers.iter_papers()]) == before


def test_a_new_paper_announced_before_makes_the_feed_stale(server, settings):
    with open_store(settings) as store:
        store.papers.upsert_papers(
            [make_paper(id="2503.11701", title="T", source="test", announced=date(2025, 3, 17))]
        )
    results, _ = run_daily(settings)
    assert "2503.11701 is listed as new on 2025-03-18 but was announced on 2025-03-17" in results[0].error


def test_cli_daily_reports_each_category(server, run_cli):
    server.routes["/atom/cs.CV"] = lambda q: Reply(b"", 500)
    r = run_cli("ingest", "daily", "--categories", "cs.LG,cs.CV", env=ingest_env(server))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0].startswith("cs.LG 2025-03-18: 2 new, 1 cross")
    assert lines[1].startswith("cs.CV: error: ") and "HTTP 500" in lines[1]
    assert r.stderr.strip().splitlines()[-1] == "Error: the feed of cs.CV could not be used (see above)"
    r = run_cli("ingest", "daily", "--categories", "cs.LG", env=ingest_env(server))
    assert r.returncode == 0 and r.stdout.splitlines()[0].endswith("stored 0 (fetched 0)")
    r = run_cli("ingest", "daily", "--categories", "nonsense cat", env=ingest_env(server))
    assert (
        r.returncode == 2
        and "Invalid value for --categories: not an arXiv category: 'nonsense cat'" in r.stderr
    )


def test_cli_daily_stops_at_once_when_arxiv_is_unreachable(run_cli):
    closed = f"http://127.0.0.1:{free_port()}"
    env = {"PAPERWIRE_ARXIV_FEED_URL": f"{closed}/atom", "PAPERWIRE_ARXIV_API_URL": f"{closed}/api/query"}
    r = run_cli("ingest", "daily", "--categories", "cs.LG,cs.CV,cs.AI", env=env)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == "Error: arXiv is unreachable (127.0.0.1: connection refused)"
    assert "retry" not in r.stderr and "cs.CV" not in r.stderr  # one try, and the run ends there
    status = run_cli("ingest", "status", env=env)
    assert "arXiv is unreachable (127.0.0.1: connection refused)" in status.stdout
