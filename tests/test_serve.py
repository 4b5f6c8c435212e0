"""`paperwire serve` as a spawned process, answered through the real huggingface_hub client."""

import os
import socket
import subprocess
import time

import httpx
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from tests.conftest import LISTING, PAPERWIRE_BIN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, write_jsonl, cli_env):
    sample = write_jsonl(
        "papers.jsonl",
        [LISTING],
    )
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
    yield url
    proc.terminate()
    proc.wait(timeout=10)


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
