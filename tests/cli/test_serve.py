"""`paperwire serve` as a spawned process, answered through the real huggingface_hub client."""

import os
import subprocess
import time

import httpx
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from paperwire.ingest.formats import export_record
from tests.support.paths import PAPERWIRE_BIN
from tests.support.records import LISTING
from tests.support.search_corpus import CORPUS, paper
from tests.support.server import start_server


@pytest.fixture
def server(cli_env):
    live = start_server(cli_env, [LISTING])
    yield live.url
    live.stop()


@pytest.fixture
def corpus_server(cli_env):
    live = start_server(cli_env, [export_record(p) for p in CORPUS])
    yield live.url
    live.stop()


@pytest.fixture(autouse=True)
def offline_hf(monkeypatch, tmp_path):
    # The client must talk only to our server: no token lookups elsewhere, no telemetry.
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    os.environ.pop("HF_ENDPOINT", None)


def test_paper_info_through_huggingface_hub(server):
    info = HfApi(endpoint=server).paper_info("2503.11677")
    assert info.id == "2503.11677"
    assert info.title == "Simulation of prosthetic vision"
    assert info.summary == "Objective. Patients implanted with PRIMA."
    assert [a.name for a in info.authors] == ["Jungyeon Park", "Daniel Palanker"]
    assert info.published_at.date().isoformat() == "2025-03-18"


def test_code_link_and_stars_through_huggingface_hub(cli_env):
    from datetime import UTC, datetime

    from paperwire.models.repos import GithubRepo
    from paperwire.settings import load_settings
    from paperwire.storage import open_store

    record = {**LISTING, "comment": "12 pages. Code: https://github.com/palanker-lab/prima-sim."}
    live = start_server(cli_env, [record])
    try:
        info = HfApi(endpoint=live.url).paper_info("2503.11677")
        assert (info.github_repo, info.github_stars) == ("https://github.com/palanker-lab/prima-sim", None)
        with open_store(load_settings(data_dir=live.data_dir)) as store:
            repo = GithubRepo(
                "palanker-lab/prima-sim", "palanker-lab/prima-sim", "ok", 7, None, datetime.now(UTC)
            )
            store.repos.save_github_repo(repo)
        assert HfApi(endpoint=live.url).paper_info("2503.11677").github_stars == 7
    finally:
        live.stop()


def test_unknown_paper_through_huggingface_hub(server):
    with pytest.raises(HfHubHTTPError) as err:
        HfApi(endpoint=server).paper_info("2501.00000")
    assert err.value.response.status_code == 404


def test_serve_answers_html_and_health(server):
    assert "Simulation of prosthetic vision" in httpx.get(f"{server}/papers/2503.11677").text
    assert httpx.get(f"{server}/health").json()["papers"] == 1


def test_search_through_huggingface_hub_list_papers(corpus_server):
    api = HfApi(endpoint=corpus_server)
    found = list(api.list_papers(query="graph neural networks for molecules", limit=3))
    assert 1 <= len(found) <= 3
    assert found[0].id == "2501.00001" and found[0].title == "Graph neural networks for molecules"
    assert [a.name for a in found[0].authors] == ["Alice Smith", "Bob Jones"]
    assert len(list(api.list_papers(query="graph", limit=100))) >= 3
    assert list(api.list_papers(query="zzzzqqqq", limit=5)) == []


def test_daily_papers_through_huggingface_hub(corpus_server):
    api = HfApi(endpoint=corpus_server)
    day = list(api.list_daily_papers(date="2025-01-06"))
    assert [p.id for p in day] == ["2501.00001"]
    # The client reads upvotes with `or`, so 0 arrives as None, as it does from huggingface.co.
    assert day[0].title == "Graph neural networks for molecules" and not day[0].upvotes
    assert day[0].submitted_at.date().isoformat() == "2025-01-06"
    assert [a.name for a in day[0].authors] == ["Alice Smith", "Bob Jones"]
    week = list(api.list_daily_papers(week="2025-W02"))
    assert {p.id for p in week} == {"2501.00001", "2501.00002"}
    month = [p.id for p in api.list_daily_papers(month="2025-01", sort="trending", limit=1, p=1)]
    assert len(month) == 1 and month[0] in {"2501.00001", "2501.00002"}
    assert list(api.list_daily_papers(submitter="nobody")) == []
    assert len(list(api.list_daily_papers())) >= 1  # the latest days
    with pytest.raises(HfHubHTTPError) as err:
        list(api.list_daily_papers(date="2025-02-30"))
    assert err.value.response.status_code == 400


def test_read_paper_through_huggingface_hub(corpus_server):
    text = HfApi(endpoint=corpus_server).read_paper("2501.00001")
    assert text.startswith("# Graph neural networks for molecules\n")
    assert "**Authors:** Alice Smith, Bob Jones" in text and "## Abstract" in text
    with pytest.raises(HfHubHTTPError):
        HfApi(endpoint=corpus_server).read_paper("2501.99999")


def test_serve_indexes_in_the_background(corpus_server, write_jsonl, cli_env):
    deadline = time.monotonic() + 120
    while True:  # embedding runs in the server's background thread
        body = httpx.get(
            f"{corpus_server}/api/search", params={"q": "canine companions", "mode": "semantic"}
        ).json()
        if body["results"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert body["results"][0]["id"] in ("2503.00007", "2503.00008")
    # a paper imported by another process while the server runs is found by keyword at once
    extra = write_jsonl("extra.jsonl", [export_record(paper("2504.00001", "Zebrafish fin regeneration"))])
    subprocess.run([PAPERWIRE_BIN, "import", "-q", extra], env=cli_env, check=True, capture_output=True)
    items = httpx.get(f"{corpus_server}/api/papers/search", params={"q": "zebrafish"}).json()
    assert [x["paper"]["id"] for x in items] == ["2504.00001"]
    related = httpx.get(f"{corpus_server}/api/papers/2503.00008/similar", params={"limit": 1}).json()
    assert [x["id"] for x in related["results"]] == ["2503.00007"]


def _semantic_ids(url: str, query: str) -> list[str]:
    body = httpx.get(f"{url}/api/search", params={"q": query, "mode": "semantic"}, timeout=60).json()
    return [r["id"] for r in body["results"]]


def _found_by_every_worker(url: str, query: str, expected: list[str]) -> bool:
    """Whether 20 requests in a row (enough to reach both workers) soon all rank one of `expected` first."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if all(_semantic_ids(url, query)[:1] in ([e] for e in expected) for _ in range(20)):
            return True
        time.sleep(0.5)
    return False


def test_every_worker_searches_the_vectors_embedded_after_it_started(cli_env, write_jsonl):
    # --workers 2: the supervisor embeds; each worker must pick up what it stores, also after the
    # worker's first search by meaning has loaded its vector index.
    live = start_server(cli_env, [export_record(p) for p in CORPUS], workers=2)
    try:
        dogs = ["2503.00007", "2503.00008"]
        assert _found_by_every_worker(live.url, "canine companions", dogs)
        zebra = paper("2504.00001", "Zebrafish fin regeneration", "How zebrafish regrow their fins.")
        extra = write_jsonl("extra.jsonl", [export_record(zebra)])
        subprocess.run([PAPERWIRE_BIN, "import", "-q", extra], env=cli_env, check=True, capture_output=True)
        assert _found_by_every_worker(live.url, "fish growing back their fins", ["2504.00001"])
    finally:
        live.stop()


def test_extracts_through_huggingface_hub(corpus_server):
    """The background indexer gives each paper its extract; paper_info reads it as ai_summary and
    ai_keywords (null and [] before)."""
    api = HfApi(endpoint=corpus_server)
    deadline = time.monotonic() + 120
    while (info := api.paper_info("2501.00001")).ai_summary is None and time.monotonic() < deadline:
        assert info.ai_keywords == []
        time.sleep(0.5)
    assert (
        info.ai_summary
        == "We study message passing on molecular graphs and predict properties of small molecules."
    )
    text = f"{CORPUS[0].title} {CORPUS[0].abstract}".lower()
    assert info.ai_keywords and all(k.lower() in text for k in info.ai_keywords)
    assert len({k.lower() for k in info.ai_keywords}) == len(info.ai_keywords)


def test_links_name_the_port_serve_listens_on(cli_env):
    # start_server picks a free port, never 8000: feeds, .md twins and the HF client must all name it.
    live = start_server(cli_env, [export_record(p) for p in CORPUS])
    try:
        assert not live.url.endswith(":8000")
        feed = httpx.get(f"{live.url}/feeds/categories/cs.LG.atom").text
        assert f"<id>{live.url}/papers/" in feed and "127.0.0.1:8000" not in feed
        twin = httpx.get(f"{live.url}/papers/2501.00001.md").text
        assert f"{live.url}/papers/2501.00001" in twin
        assert f"{live.url}/papers/2501.00001" in HfApi(endpoint=live.url).read_paper("2501.00001")
        assert f"PAPERWIRE_BASE_URL is not set: links use {live.url}" in live.log.read_text()
    finally:
        live.stop()
    # A PAPERWIRE_BASE_URL that is set wins: the hub behind a proxy names its public address.
    public = start_server({**cli_env, "PAPERWIRE_BASE_URL": "https://papers.example"})
    try:
        assert (
            "https://papers.example/papers/2501.00001" in httpx.get(f"{public.url}/papers/2501.00001.md").text
        )
        assert "PAPERWIRE_BASE_URL is not set" not in public.log.read_text()
    finally:
        public.stop()


def test_the_listening_url_of_wildcard_and_ipv6_hosts():
    from paperwire.settings import listening_url

    assert listening_url("127.0.0.1", 9000) == "http://127.0.0.1:9000"
    assert listening_url("0.0.0.0", 9000) == "http://127.0.0.1:9000"
    assert listening_url("::", 9000) == "http://[::1]:9000"
    assert listening_url("papers.lab.example", 80) == "http://papers.lab.example:80"
