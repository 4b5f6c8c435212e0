"""A harvest killed at any moment (SIGKILL) and run again ends with the same store as one never killed."""

import os
import random
import signal
import subprocess
import time

import pytest

from paperwire.ingest.formats import export_record
from paperwire.settings import load_settings
from paperwire.storage import open_store
from tests.support.paths import PAPERWIRE_BIN
from tests.support.replay import PagedOai, ReplayServer, ingest_env

PAGES = 8


@pytest.fixture
def server():
    with ReplayServer() as s:
        s.routes["/oai"] = PagedOai(PAGES, per_page=25)
        yield s


def snapshot(data_dir):
    with open_store(load_settings(data_dir=data_dir)) as store:
        papers = [export_record(p) for p in store.papers.iter_papers()]
        return papers, store.ingest.get_harvest("oai:cs")


def spawn(env, data_dir):
    return subprocess.Popen(
        [str(PAPERWIRE_BIN), "ingest", "arxiv", "--set", "cs"],
        env={**env, "PAPERWIRE_DATA_DIR": str(data_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_after_requests(proc, server, count: int, delay: float = 0.0) -> None:
    deadline = time.monotonic() + 60
    while len(server.requests) < count:
        assert proc.poll() is None, f"the harvest ended before it could be killed: {proc.stderr.read()}"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def test_killed_harvests_resume_to_the_same_store(server, cli_env, tmp_path):
    env = {**cli_env, **ingest_env(server, PAPERWIRE_ARXIV_INTERVAL="0.05")}
    reference = tmp_path / "reference"
    assert spawn(env, reference).wait() == 0
    expected = snapshot(reference)
    assert len(expected[0]) == PAGES * 25 and expected[1].pending_token is None

    killed = tmp_path / "killed"
    for kill_at in (2, 3, 2):  # killed while fetching page 2, then at the 3rd request of the resumed run, ...
        server.requests.clear()
        proc = spawn(env, killed)
        kill_after_requests(proc, server, kill_at)
        papers, state = snapshot(killed)
        # Never ahead: every page before the stored token is in the store.
        if state and state.pending_token:
            stored = {p["id"] for p in papers}
            done = int(state.pending_token.split("|")[1]) * 25
            assert {f"2504.{i:05d}" for i in range(done)} <= stored
    server.requests.clear()
    proc = spawn(env, killed)
    assert proc.wait() == 0, proc.stderr.read()
    assert snapshot(killed) == expected
    assert server.requests[0].query.get("resumptionToken")  # it resumed, it did not start over


def test_kills_at_random_moments(server, cli_env, tmp_path):
    env = {**cli_env, **ingest_env(server, PAPERWIRE_ARXIV_INTERVAL="0.1")}
    reference = tmp_path / "reference"
    assert spawn(env, reference).wait() == 0
    rng = random.Random(4)
    killed = tmp_path / "killed"
    interrupted = 0
    for _ in range(5):
        server.requests.clear()
        proc = spawn(env, killed)
        # Anywhere from the request to the commit of its page, or the wait before the next request.
        kill_after_requests(proc, server, rng.randint(1, 2), delay=rng.uniform(0, 0.12))
        state = snapshot(killed)[1]
        interrupted += bool(state and state.pending_token)
    assert interrupted >= 2  # the kills left harvests under way, not only finished ones
    assert spawn(env, killed).wait() == 0
    assert snapshot(killed) == snapshot(reference)
