"""Ingested papers are searchable by keyword at once, and announcement dates reach the search filters."""

import json

import pytest

from tests.support.ingest import TUESDAY
from tests.support.replay import ReplayServer, Reply, api_route, ingest_env, oai_route


@pytest.fixture
def server():
    with ReplayServer() as s:
        s.routes["/oai"] = oai_route
        s.routes["/api/query"] = api_route
        s.routes["/atom/cs.LG"] = lambda q: Reply(TUESDAY)
        yield s


def search_ids(run_cli, *args) -> list[str]:
    r = run_cli("search", *args, "--mode", "keyword", "--json")
    assert r.returncode == 0, r.stderr
    return [hit["id"] for hit in json.loads(r.stdout)["results"]]


def test_harvested_then_announced_papers_are_found(server, run_cli):
    env = ingest_env(server)
    assert run_cli("ingest", "arxiv", env=env).returncode == 0
    assert search_ids(run_cli, "sparse attention") == ["2503.11701"]  # no indexing step in between
    tuesday = ("--from", "2025-03-18", "--until", "2025-03-18")
    assert search_ids(run_cli, "sparse attention", *tuesday) == []  # not announced yet
    assert run_cli("ingest", "daily", "--categories", "cs.LG", env=env).returncode == 0
    assert search_ids(run_cli, "sparse attention", *tuesday) == ["2503.11701"]
