"""Hugging Face daily papers: JSON in the hub's shape, served by a local replay server."""

import copy
import json
from collections import Counter
from datetime import date

import pytest

from paperwire.ingest.hf import ingest_hf
from paperwire.ingest.hf_api import parse_daily_papers
from paperwire.ingest.http import FetchError, open_fetchers
from paperwire.ingest.xmlsafe import BadResponse
from paperwire.models.ingest import HfFeature
from paperwire.storage import open_store
from tests.support.replay import (
    HF_DAY,
    HfRoute,
    Reply,
    ingest_env,
    ingest_overrides,
    sources_server,
)

DAY = HF_DAY


@pytest.fixture
def server():
    with sources_server() as s:
        yield s


@pytest.fixture
def settings(server, make_settings):
    return make_settings(**ingest_overrides(server))


def run_hf(settings, period):
    counts = Counter()
    with open_store(settings) as store, open_fetchers(settings) as f:
        ingest_hf(store, f, settings.hf_url, settings.arxiv_api_url, period, counts)
    return counts


def test_parse():
    entries, rejected = parse_daily_papers(json.dumps(DAY).encode())
    assert rejected == []
    first = entries[0]
    assert (first.paper.id, first.featured, first.submitter, first.upvotes) == (
        "2503.11677",
        date(2025, 3, 18),
        "Ada Submitter",
        42,
    )
    assert first.paper.links.code == "https://github.com/example/prima-sim"
    assert first.paper.authors == ["Jungyeon Park", "Daniel Palanker"]
    assert entries[2].submitter == "carol"  # no full name: the user name
    assert entries[3].submitter is None


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "the response body is empty"),
        (b"<!DOCTYPE html><html>Hugging Face is down</html>", "got an HTML page where JSON was expected"),
        (json.dumps(DAY).encode()[:300], "malformed or truncated JSON"),
        (b'{"error": "x"}', "expected a JSON list, got dict"),
    ],
)
def test_bad_bodies(body, message):
    with pytest.raises(BadResponse, match=message):
        parse_daily_papers(body)


def test_bad_entries_are_rejected_alone():
    bad = copy.deepcopy(DAY[:2])
    bad[0]["paper"]["id"] = "not an id"
    bad[1]["paper"]["upvotes"] = "many"
    entries, rejected = parse_daily_papers(json.dumps([*bad, {"x": 1}]).encode())
    assert entries == []
    assert rejected[0].startswith("not an id: ") and "upvotes 'many' is not a count" in rejected[1]
    assert rejected[2] == "an entry: it has no paper object"


def test_a_day(server, settings):
    counts = run_hf(settings, {"date": "2025-03-18"})
    assert counts == Counter({"new": 3, "from arXiv": 2, "featured": 3, "failed": 1})
    day = date(2025, 3, 18)
    with open_store(settings) as store:
        assert store.ingest.hf_features(day) == [
            HfFeature("2503.11677", day, "Ada Submitter", 42),
            HfFeature("2503.11701", day, "Bob Builder", 7),
            HfFeature("2503.13000", day, "carol", 3),
        ]
        filled = store.papers.get_paper("2503.11701")  # no abstract on Hugging Face: arXiv's record
        assert (filled.source, filled.abstract) == ("arxiv-api", "We study sparse attention. It is fast.")
        linked = store.papers.get_paper("2503.11677")
        assert (linked.source, linked.links.code) == ("arxiv-api", "https://github.com/example/prima-sim")
        assert store.papers.get_paper("2503.13000").source == "huggingface"  # arXiv does not know it
        assert store.papers.get_paper("2503.13001") is None
    hf_requests = [r.query for r in server.requests if r.path == "/api/daily_papers"]
    assert hf_requests == [{"date": "2025-03-18", "p": "0", "limit": "100"}]
    # Again, a day later: upvotes move, nothing is fetched from arXiv but the paper it lacks.
    DAY_AFTER = copy.deepcopy(DAY)
    DAY_AFTER[0]["paper"]["upvotes"] = 50
    server.routes["/api/daily_papers"] = HfRoute({"2025-03-18": DAY_AFTER})
    server.requests.clear()
    counts = run_hf(settings, {"date": "2025-03-18"})
    assert counts == Counter({"unchanged": 0, "featured": 3, "failed": 1})
    with open_store(settings) as store:
        assert store.ingest.hf_features(paper_id="2503.11677")[0].upvotes == 50
    assert [r.query["id_list"] for r in server.requests if r.path == "/api/query"] == ["2503.13001"]


def test_a_month_is_paged(server, settings):
    many = []
    for i in range(230):
        entry = copy.deepcopy(DAY[2])
        entry["paper"]["id"] = f"2503.2{i:04d}"
        many.append(entry)
    server.routes["/api/daily_papers"] = HfRoute({"2025-03-18": many})
    counts = run_hf(settings, {"month": "2025-03"})
    assert counts["new"] == 230 and counts["featured"] == 230
    pages = [r.query["p"] for r in server.requests if r.path == "/api/daily_papers"]
    assert pages == ["0", "1", "2"]
    assert [len(r.query["id_list"].split(",")) for r in server.requests if r.path == "/api/query"] == [
        100,
        100,
        30,
    ]


def test_a_server_that_ignores_paging_is_not_asked_forever(server, settings):
    many = []
    for i in range(100):
        entry = copy.deepcopy(DAY[2])
        entry["paper"]["id"] = f"2503.2{i:04d}"
        many.append(entry)
    server.routes["/api/daily_papers"] = lambda q: Reply(json.dumps(many).encode())
    counts = run_hf(settings, {"date": "2025-03-18"})
    assert counts["featured"] == 100
    assert [r.query["p"] for r in server.requests if r.path == "/api/daily_papers"] == ["0", "1"]


def test_a_bad_date_is_a_clear_error(server, settings):
    with pytest.raises(FetchError, match="HTTP 400"):
        run_hf(settings, {"date": "2025-3-18"})


def test_cli_hf(server, run_cli):
    env = ingest_env(server)
    r = run_cli("ingest", "hf", "--date", "2025-03-18", env=env)
    assert r.returncode == 1  # one entry could not be stored
    assert r.stdout.strip() == "3 new, 2 from arXiv, 3 featured, 1 failed"
    r = run_cli("ingest", "hf", "--week", "2025-W60", env=env)
    assert r.returncode == 2 and "'2025-W60' is not YYYY-Www" in r.stderr
    r = run_cli("ingest", "hf", "--date", "2025-03-18", "--month", "2025-03", env=env)
    assert r.returncode == 2 and "give one of --date, --week and --month" in r.stderr
    server.routes["/api/daily_papers"] = lambda q: Reply(reset=True)
    r = run_cli("ingest", "hf", "--month", "2025-03", env={**env, "PAPERWIRE_HTTP_RETRIES": "1"})
    assert r.returncode == 1 and "gave up after 2 attempts" in r.stderr.splitlines()[-1]
