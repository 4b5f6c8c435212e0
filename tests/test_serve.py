"""`paperwire serve` as a spawned process, answered through the real huggingface_hub client."""

import os
import socket
import subprocess
import time

import httpx
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from paperwire.ingest.formats import export_record
from tests.conftest import LISTING, PAPERWIRE_BIN
from tests.search_corpus import CORPUS, paper


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(records: list[dict], write_jsonl, cli_env):
    sample = write_jsonl("papers.jsonl", records)
    subprocess.run([PAPERWIRE_BIN, "import", "-q", sample], env=cli_env, check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(
        [PAPERWIRE_BIN, "serve", "--port", str(port)],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"serve did not start: {proc.stdout.read()}")
        time.sleep(0.1)
    return proc, url


@pytest.fixture
def server(write_jsonl, cli_env):
    proc, url = start_server([LISTING], write_jsonl, cli_env)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def corpus_server(write_jsonl, cli_env):
    proc, url = start_server([export_record(p) for p in CORPUS], write_jsonl, cli_env)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


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
