"""Papers by id from the arXiv query API (Atom), against a local server replaying the real format."""

from collections import Counter
from datetime import date

import pytest

from paperwire.ingest.arxiv_api import parse_query_feed
from paperwire.ingest.byid import fetch_by_id, ingest_ids
from paperwire.ingest.http import open_fetchers
from paperwire.ingest.xmlsafe import BadResponse
from paperwire.models.papers import PaperVersion
from paperwire.storage import UpsertOutcome, open_store
from tests.support.replay import ReplayServer, Reply, api_route, ingest_env, ingest_overrides


@pytest.fixture
def server():
    with ReplayServer() as s:
        s.routes["/api/query"] = api_route
        yield s


@pytest.fixture
def settings(server, make_settings):
    return make_settings(**ingest_overrides(server))


def test_parse_entries():
    feed = parse_query_feed(api_route({"id_list": "2503.11677,2504.00001v2"}).body)
    assert feed.total == 2 and feed.errors == []
    one, two = feed.papers
    assert one.id == "2503.11677" and one.version == 1
    assert (
        one.title
        == "Simulation of prosthetic vision with PRIMA system and enhancement of face representation"
    )
    assert one.categories == ["cs.HC", "cs.CV"]  # the primary first
    assert (one.authors, one.comment) == (["Jungyeon Park", "Daniel Palanker"], "12 pages, 5 figures")
    assert (one.published, one.updated) == (date(2025, 3, 14), date(2025, 3, 14))
    assert (two.version, two.published, two.updated) == (2, date(2025, 3, 31), date(2025, 4, 9))
    assert two.versions == [PaperVersion(1, date(2025, 3, 31)), PaperVersion(2, date(2025, 4, 9))]
    assert (two.doi, two.journal_ref) == ("10.1000/robot.42", "Robotics Letters 10 (2025) 1-9")


def test_error_entry_and_bad_bodies():
    feed = parse_query_feed(api_route({"id_list": "12x4"}).body)
    assert feed.papers == [] and feed.errors == ["incorrect id format for 12x4"]
    with pytest.raises(BadResponse, match="empty"):
        parse_query_feed(b"")
    with pytest.raises(BadResponse, match="not an Atom feed"):
        parse_query_feed(b"<rss/>")


def test_ids_in_batches_of_100_with_an_error_per_id(server, settings):
    refs = ["2503.11677", "arXiv:2504.00001v2", "not-an-id", "2501.99999"] + [
        f"2502.{i:05d}" for i in range(150)
    ]
    with open_fetchers(settings) as f:
        results = fetch_by_id(f.arxiv, settings.arxiv_api_url, refs)
    assert [len(r.query["id_list"].split(",")) for r in server.requests] == [100, 53]
    assert server.requests[0].query["id_list"].startswith("2503.11677,2504.00001v2,2501.99999,")
    by_ref = {r.ref: r for r in results}
    assert by_ref["2503.11677"].paper.id == "2503.11677"
    assert by_ref["arXiv:2504.00001v2"].paper.version == 2
    assert by_ref["not-an-id"].error == "'not-an-id' is not an arXiv id (like 2503.11677 or hep-th/9901001)"
    assert by_ref["2501.99999"].error == "not found on arXiv"
    assert sum(r.error is not None for r in results) == 152


def test_ingest_ids_stores_and_counts(server, settings):
    counts = Counter()
    with open_store(settings) as store, open_fetchers(settings) as f:
        results = ingest_ids(store, f.arxiv, settings.arxiv_api_url, ["2503.11701", "2501.99999"], counts)
        assert [r.outcome for r in results] == [UpsertOutcome.NEW, None]
        assert counts == Counter(new=1, failed=1)
        assert store.papers.get_paper("2503.11701").source == "arxiv-api"


def test_cli_ids(server, run_cli):
    env = ingest_env(server)
    r = run_cli("ingest", "ids", "2503.11677", "2504.00001v2", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["2503.11677: new", "2504.00001v2: new", "2 new"]
    r = run_cli("ingest", "ids", "2503.11677", "nope", env=env)
    assert r.returncode == 1
    assert r.stdout.splitlines()[:2] == [
        "2503.11677: unchanged",
        "nope: error: 'nope' is not an arXiv id (like 2503.11677 or hep-th/9901001)",
    ]
    assert (
        r.stderr.strip().splitlines()[-1]
        == "Error: not everything could be stored: 1 failed (see the log above)"
    )
    server.routes["/api/query"] = lambda q: Reply(b"<html>down</html>", 200, {"Content-Type": "text/html"})
    r = run_cli("ingest", "ids", "2503.11677", env=env)
    assert r.returncode == 1 and "got an HTML page where XML was expected" in r.stderr.splitlines()[-1]
