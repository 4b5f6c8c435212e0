"""GitHub stars: the REST API's recorded answers (tests/data/github/) replayed by a local server."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from paperwire.ingest.github import parse_repo
from paperwire.ingest.http import FetchError
from paperwire.ingest.stars import GithubOff, due_repos, ingest_github, open_github
from paperwire.ingest.xmlsafe import BadResponse
from paperwire.papers import make_paper
from paperwire.settings import load_settings
from tests.support.replay import GithubRoute, ReplayServer, ingest_env, ingest_overrides, recorded_http

TOKEN = "ghp_test"
LINKS = {
    "2503.00001": ("Code: https://github.com/octocat/Hello-World.", date(2025, 3, 20)),
    "2503.00002": ("Code: https://github.com/Old-Owner/old-name.git", date(2025, 3, 19)),
    "2503.00003": ("Code: github.com/gone/away", date(2025, 3, 18)),
    "2503.00004": ("Code: https://github.com/riaa/blocked", date(2025, 3, 17)),
    "2503.00005": ("Code: https://gitlab.com/g/p and no GitHub", date(2025, 3, 20)),
    "2503.00006": ("Again https://github.com/OCTOCAT/hello-world/tree/main", date(2025, 3, 1)),
}


def _papers():
    return [
        make_paper(id=pid, title=f"Paper {pid}", source="test", abstract=text, announced=day)
        for pid, (text, day) in LINKS.items()
    ]


@pytest.fixture
def route():
    return GithubRoute(
        {"octocat/Hello-World": 3181, "new-owner/new-name": 42},
        renamed={"old-owner/old-name": "new-owner/new-name"},
        blocked={"riaa/blocked"},
    )


@pytest.fixture
def server(route):
    with ReplayServer() as s:
        route.install(s)
        yield s


@pytest.fixture
def github_settings(server, make_settings):
    return make_settings(**ingest_overrides(server, PAPERWIRE_GITHUB_TOKEN=TOKEN))


def _run(store, settings, **kw) -> Counter:
    counts = Counter()
    fetcher = open_github(settings)
    try:
        ingest_github(store, fetcher, settings, counts, **kw)
    finally:
        fetcher.close()
    return counts


def test_parse_the_recorded_repository():
    status, headers, body = recorded_http("repo")
    assert status == 200 and headers["x-ratelimit-remaining"] == "4999" and headers["etag"].startswith('W/"')
    assert parse_repo(body) == ("octocat/Hello-World", 3181)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "malformed or truncated JSON"),
        (b"[]", "expected a repository object, got list"),
        (b'{"full_name": "a/b"}', "a/b has no stargazers_count"),
        (b'{"stargazers_count": 3}', "has no owner/name full_name"),
    ],
)
def test_bad_bodies(body, message):
    with pytest.raises(BadResponse, match=message):
        parse_repo(body)


def test_stars_are_recorded_with_renamed_missing_and_blocked_repositories(store, server, github_settings):
    store.papers.upsert_papers(_papers())
    counts = _run(store, github_settings)
    assert counts == Counter({"due": 4, "stars recorded": 2, "renamed": 1, "missing": 1, "unavailable": 1})
    repos = store.repos.github_repos()
    assert {k: (r.full_name, r.status, r.stars) for k, r in repos.items()} == {
        "octocat/hello-world": ("octocat/Hello-World", "ok", 3181),
        "old-owner/old-name": ("new-owner/new-name", "ok", 42),  # followed the 301
        "gone/away": ("gone/away", "missing", None),
        "riaa/blocked": ("riaa/blocked", "unavailable", None),
    }
    asked = [r for r in server.requests if r.path.startswith("/repos/")]
    # Newest papers first; one request for the two links to octocat/Hello-World.
    assert [r.path for r in asked] == [
        "/repos/octocat/Hello-World",
        "/repos/Old-Owner/old-name",
        "/repos/gone/away",
        "/repos/riaa/blocked",
    ]
    first = {k.lower(): v for k, v in asked[0].headers.items()}
    assert first["authorization"] == f"Bearer {TOKEN}"
    assert first["accept"] == "application/vnd.github+json"
    assert first["x-github-api-version"] == "2022-11-28"
    assert first["user-agent"].startswith("Paperwire/") and "mailto:ops@example.org" in first["user-agent"]
    assert "if-none-match" not in first

    assert _run(store, github_settings) == Counter({"due": 0})  # all checked within 20 hours

    later = datetime.now(UTC) + timedelta(hours=21)
    before = len(server.requests)
    counts = _run(store, github_settings, now=later)
    assert counts["unchanged"] == 2 and counts["stars recorded"] == 0  # 304s for the ETags sent
    again = [{k.lower(): v for k, v in r.headers.items()} for r in server.requests[before:]]
    assert again[0]["if-none-match"] == repos["octocat/hello-world"].etag
    assert store.repos.github_repos(["octocat/hello-world"])["octocat/hello-world"].stars == 3181


def test_a_spent_quota_stops_the_run_and_leaves_the_rest(store, server, route, github_settings):
    store.papers.upsert_papers(_papers())
    route.remaining = 3  # the renamed repository's 301 spends one too, as at GitHub
    counts = _run(store, github_settings)
    assert counts["stars recorded"] == 2 and counts["left for the next run"] == 2
    assert len([r for r in server.requests if r.path.startswith("/repos/")]) == 2
    now = datetime.now(UTC)
    assert [name for name, _ in due_repos(store, now)] == ["gone/away", "riaa/blocked"]


def test_a_quota_that_resets_soon_is_waited_for(store, server, route, github_settings):
    store.papers.upsert_papers(_papers())
    # The reset is a whole second: two ahead is at least one second away, whatever the clock's fraction.
    route.remaining, route.reset, route.reset_in = 1, int(time.time()) + 2, 3600
    started = time.monotonic()
    counts = _run(store, github_settings)
    assert counts["stars recorded"] == 2 and counts["missing"] == 1 and counts["unavailable"] == 1
    assert time.monotonic() - started >= 1.0


def test_a_limit_leaves_the_rest_for_the_next_run(store, server, github_settings):
    store.papers.upsert_papers(_papers())
    counts = _run(store, github_settings, limit=1)
    assert counts == Counter({"due": 4, "stars recorded": 1, "left for the next run": 3})


def test_no_token_means_off(settings):
    with pytest.raises(GithubOff, match="PAPERWIRE_GITHUB_TOKEN is not set"):
        open_github(settings)


def test_a_wrong_token_is_a_clear_error(store, server, make_settings):
    store.papers.upsert_papers(_papers())
    wrong = make_settings(**ingest_overrides(server, PAPERWIRE_GITHUB_TOKEN="ghp_wrong"))
    with pytest.raises(FetchError, match=r"HTTP 401: .*Bad credentials"):
        _run(store, wrong)


def test_cli(server, route, run_cli, tmp_path, write_jsonl):
    env = ingest_env(server)
    r = run_cli("ingest", "github", env=env)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        "Error: GitHub ingest is off: PAPERWIRE_GITHUB_TOKEN is not set (see docs/ingest.md#github)"
    ]
    records = [
        {"id": pid, "title": f"Paper {pid}", "abstract": text, "authors": ["A"], "categories": ["cs.LG"],
         "primary_category": "cs.LG", "first_listed_date": str(day), "listed_dates": [str(day)]}
        for pid, (text, day) in LINKS.items()
    ]  # fmt: skip
    assert run_cli("import", "--quiet", write_jsonl("p.jsonl", records), env=env).returncode == 0
    env["PAPERWIRE_GITHUB_TOKEN"] = TOKEN
    r = run_cli("ingest", "github", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "4 due, 2 stars recorded, 1 renamed, 1 missing, 1 unavailable"
    r = run_cli("ingest", "status", env=env)
    assert "github --limit 1000 (cli): ok; 4 due, 2 stars recorded" in r.stdout
    r = run_cli("ingest", "github", "--limit", "0", env=env)
    assert r.returncode == 2 and "--limit" in r.stderr


RECORD = {"id": "2503.00001", "title": "T", "abstract": LINKS["2503.00001"][0], "authors": ["A"],
          "categories": ["cs.LG"], "primary_category": "cs.LG", "first_listed_date": "2025-03-21",
          }  # fmt: skip


def test_cli_without_network_is_one_line(run_cli, write_jsonl):
    assert run_cli("import", "--quiet", write_jsonl("p.jsonl", [RECORD])).returncode == 0
    env = {
        "PAPERWIRE_GITHUB_TOKEN": TOKEN,
        "PAPERWIRE_GITHUB_API_URL": "http://127.0.0.1:9",  # nothing listens there
    }
    r = run_cli("ingest", "github", env=env)
    assert r.returncode == 1
    # A refused connection ends the run at once, with no retries (issue 22's offline first start).
    assert r.stderr.strip().splitlines() == ["Error: GitHub is unreachable (127.0.0.1: connection refused)"]


def test_a_quota_spent_for_long_ends_the_run_with_one_line(server, route, run_cli, write_jsonl):
    assert run_cli("import", "--quiet", write_jsonl("p.jsonl", [RECORD])).returncode == 0
    route.remaining = 0
    r = run_cli("ingest", "github", env=ingest_env(server, PAPERWIRE_GITHUB_TOKEN=TOKEN))
    assert r.returncode == 1
    assert re.search(
        r"/repos/octocat/Hello-World: HTTP 403, retry after 3\d{3} s; run it again later$", r.stderr
    )


def test_the_schedule_records_stars_after_the_days_ingest_when_a_token_is_set(
    server, tmp_path, make_settings
):
    from paperwire.ingest.schedule import Scheduler
    from paperwire.storage import open_store
    from tests.support.ingest import TUESDAY, wait_for_runs
    from tests.support.replay import HfRoute, Reply, api_route, ingest_overrides

    server.routes["/api/query"] = api_route
    server.routes["/atom/cs.LG"] = lambda q: Reply(TUESDAY)
    server.routes["/api/daily_papers"] = HfRoute({})
    for token, runs in ((None, 3), (TOKEN, 4)):
        extra = {"PAPERWIRE_GITHUB_TOKEN": token} if token else {}
        overrides = ingest_overrides(server, PAPERWIRE_INGEST_CATEGORIES="cs.LG", **extra)
        settings = make_settings(data_dir=tmp_path / str(runs), **overrides)
        with open_store(settings) as store:
            store.papers.upsert_papers(_papers())
            scheduler = Scheduler(settings, store, tick=0.05).start()
            try:
                done = wait_for_runs(store, runs)
            finally:
                scheduler.stop()
            assert len(store.ingest.recent_runs()) == runs  # without a token, no GitHub run at all
            assert [r.kind for r in reversed(done)] == ["daily", "hf", "hf", "github"][:runs]
            if token:
                assert done[0].status == "ok" and done[0].counts["stars recorded"] == 2
                assert store.repos.github_repos()["octocat/hello-world"].stars == 3181


def test_the_token_setting(tmp_path):
    from paperwire import PaperwireError

    assert load_settings(data_dir=tmp_path, github_token="  ").github_token is None
    assert (
        load_settings(data_dir=tmp_path, github_token="github_pat_11AB_cd").github_token
        == "github_pat_11AB_cd"
    )
    with pytest.raises(PaperwireError, match=r"^PAPERWIRE_GITHUB_TOKEN: must be a GitHub token"):
        load_settings(data_dir=tmp_path, github_token="Bearer ghp_x")
    assert "ghp_secret" not in repr(load_settings(data_dir=tmp_path, github_token="ghp_secret"))
