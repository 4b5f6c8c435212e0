"""OAI-PMH harvests against a real local HTTP server replaying arXiv's format, into a real SQLite store."""

import itertools
import time
from collections import Counter
from datetime import date

import pytest

from paperwire.ingest.formats import export_record
from paperwire.ingest.harvest import harvest
from paperwire.ingest.http import FetchError, open_fetchers
from paperwire.ingest.oai import OaiError
from paperwire.ingest.xmlsafe import BadResponse
from paperwire.storage import open_store
from tests.support.replay import OAI_DATA, ReplayServer, Reply, ingest_env, ingest_overrides, oai_route

ALL_IDS = ["2503.11677", "2503.11701", "2503.11720", "2503.11800", "2503.11801", "2503.11900"]


@pytest.fixture
def server():
    with ReplayServer() as s:
        s.routes["/oai"] = oai_route
        yield s


@pytest.fixture
def settings_for(server, make_settings):
    """settings_for(data_dir=None, **env) -> Settings pointing at the replay server, on the run's backend."""
    return lambda data_dir=None, **env: make_settings(
        **ingest_overrides(server, **env), **({"data_dir": data_dir} if data_dir else {})
    )


def run_harvest(settings, **kw):
    counts = Counter()
    with open_store(settings) as store, open_fetchers(settings) as fetchers:
        state = harvest(store, fetchers.arxiv, settings.arxiv_oai_url, counts, set_spec="cs", **kw)
    return state, counts


def dump(settings) -> list[dict]:
    with open_store(settings) as store:
        return [export_record(p) for p in store.papers.iter_papers()]


def test_three_pages_with_a_503_retry_after_between_them(server, tmp_path, settings_for):
    server.fail_once("/oai", {"resumptionToken": "6960524|1001"}, Reply(b"busy", 503, {"Retry-After": "1"}))
    settings = settings_for()
    started = time.monotonic()
    state, counts = run_harvest(settings)
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert counts == Counter(new=6, pages=3, deleted=1)
    assert [p["id"] for p in dump(settings)] == ALL_IDS
    assert state.cursor == date(2025, 3, 19) and state.pending_token is None
    tokens = [r.query.get("resumptionToken") for r in server.requests]
    assert tokens == [None, "6960524|1001", "6960524|1001", "6960524|2001"]
    first = server.requests[0].query
    assert first == {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs"}
    agent = server.requests[0].headers["User-Agent"]
    assert agent.startswith("Paperwire/") and "mailto:ops@example.org" in agent


def test_a_later_run_continues_from_the_cursor_and_versions_update(server, tmp_path, settings_for):
    settings = settings_for()
    run_harvest(settings)
    state, counts = run_harvest(settings)
    assert server.requests[-1].query["from"] == "2025-03-19"
    assert counts == Counter(new=1, updated=1, pages=1)
    assert state.cursor == date(2025, 3, 21)
    with open_store(settings) as store:
        revised = store.papers.get_paper("2503.11701")
    assert (revised.version, revised.title) == (2, "Sparse attention for long sequence models (revised)")
    assert [v.version for v in revised.versions] == [1, 2]


def test_requests_to_arxiv_are_spaced_by_the_interval(server, tmp_path, settings_for):
    settings = settings_for(PAPERWIRE_ARXIV_INTERVAL="0.4")
    run_harvest(settings)
    arrivals = [r.at for r in server.requests]
    assert len(arrivals) == 3
    assert min(b - a for a, b in itertools.pairwise(arrivals)) >= 0.4


def _page2(reply: Reply):
    def route(query):
        if query.get("resumptionToken") == "6960524|1001":
            return reply
        return oai_route(query)

    return route


PAGE2 = (OAI_DATA / "page2.xml").read_bytes()
BAD_PAGE2 = {
    "malformed": (
        Reply(PAGE2.replace(b"</title>", b"</titel>", 1)),
        BadResponse,
        "malformed or truncated XML",
    ),
    "truncated": (Reply(PAGE2[: len(PAGE2) // 2]), BadResponse, "malformed or truncated XML"),
    "html": (
        Reply(b"<!DOCTYPE html><html><body>Oops</body></html>", headers={"Content-Type": "text/html"}),
        BadResponse,
        "got an HTML page where XML was expected",
    ),
    "empty": (Reply(b""), BadResponse, "the response body is empty"),
    "http-500": (Reply(b"boom", 500), FetchError, "HTTP 500 .gave up after 3 attempts"),
    "reset": (Reply(reset=True), FetchError, "gave up after 3 attempts"),
    "badResumptionToken": (
        Reply((OAI_DATA / "badResumptionToken.xml").read_bytes()),
        OaiError,
        "badResumptionToken",
    ),
}


@pytest.mark.parametrize("case", list(BAD_PAGE2))
def test_a_bad_second_page_stops_cleanly_and_a_rerun_completes(server, tmp_path, case, settings_for):
    reply, error, message = BAD_PAGE2[case]
    server.routes["/oai"] = _page2(reply)
    settings = settings_for()
    with pytest.raises(error, match=message):
        run_harvest(settings)
    # Page one is stored, nothing of page two is, and the state is not ahead of the store.
    assert [p["id"] for p in dump(settings)] == ALL_IDS[:3]
    with open_store(settings) as store:
        state = store.ingest.get_harvest("oai:cs")
    assert state.cursor is None
    assert state.pending_token in ("6960524|1001", None)  # None: the next run starts over
    server.routes["/oai"] = oai_route
    final, _ = run_harvest(settings)
    assert final.cursor == date(2025, 3, 19)
    reference = settings_for(data_dir=tmp_path / "reference")
    run_harvest(reference)
    assert dump(settings) == dump(reference)


def test_a_token_that_comes_back_unchanged_stops_the_harvest(server, tmp_path, settings_for):
    page2_again = (OAI_DATA / "page2.xml").read_bytes().replace(b"6960524|2001<", b"6960524|1001<")
    server.routes["/oai"] = _page2(Reply(page2_again))
    settings = settings_for()
    with pytest.raises(BadResponse, match=r"resumption token '6960524\|1001' came back unchanged"):
        run_harvest(settings)
    assert len(server.requests) == 2


def test_no_records_match_is_an_error_and_moves_nothing(server, tmp_path, settings_for):
    settings = settings_for()
    with pytest.raises(OaiError, match="noRecordsMatch"):
        run_harvest(settings, from_=date(2030, 1, 1))
    assert dump(settings) == []
    with open_store(settings) as store:
        assert store.ingest.get_harvest("oai:cs") is None


def test_an_expired_stored_token_restarts_the_harvest(server, tmp_path, settings_for):
    settings = settings_for()
    server.routes["/oai"] = _page2(Reply(b"", reset=True))
    with pytest.raises(FetchError):
        run_harvest(settings)
    # The server has since forgotten the token it gave; the restarted harvest gets a fresh one.
    server.routes["/oai"] = oai_route
    expired = Reply((OAI_DATA / "badResumptionToken.xml").read_bytes())
    server.fail_once("/oai", {"resumptionToken": "6960524|1001"}, expired)
    state, counts = run_harvest(settings)
    assert state.cursor == date(2025, 3, 19)
    assert counts["pages"] == 3 and [p["id"] for p in dump(settings)] == ALL_IDS


def test_cli_harvest_and_errors(server, run_cli):
    env = ingest_env(server)
    r = run_cli("ingest", "arxiv", "--set", "cs", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "6 new, 3 pages, 1 deleted; cursor 2025-03-19"
    server.routes["/oai"] = _page2(Reply(b"boom", 500))
    r = run_cli("ingest", "arxiv", "--from", "2025-01-01", env=env)
    assert r.returncode == 1
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "HTTP 500 (gave up after 3 attempts)" in last
    r = run_cli("ingest", "arxiv", "--from", "2025-13-01", env=env)
    assert r.returncode == 2 and "is not a YYYY-MM-DD date" in r.stderr
    r = run_cli("ingest", "arxiv", env={**env, "PAPERWIRE_CONTACT_EMAIL": ""})
    assert r.returncode == 1 and "HTTP 500 (gave up after 3 attempts)" in r.stderr  # it did fetch
    agents = {q.headers["User-Agent"] for q in server.requests}
    assert agents == {
        "Paperwire/0.1.0 (+http://127.0.0.1:8000; mailto:ops@example.org)",
        "Paperwire/0.1.0 (+http://127.0.0.1:8000)",
    }
