"""Background indexing runs at the lowest CPU priority; requests, and the query embedding they do,
keep normal priority. Read from the kernel (getpriority on each thread) during a real embed run."""

import contextlib
import os
import sys
import time

import pytest
from fastapi.testclient import TestClient

from paperwire.search import open_search
from paperwire.search.background import BackgroundIndexer
from paperwire.search.model import Embedder
from paperwire.search.priority import LOWEST, thread_priority
from paperwire.web import create_app
from tests.support.search_corpus import CORPUS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")


def _threads() -> set[int]:
    return {int(t) for t in os.listdir("/proc/self/task")}


def _priorities(threads: set[int]) -> set[int]:
    """The niceness of each of these threads still alive (one may end between listing and asking)."""
    found = set()
    for native_id in threads:
        with contextlib.suppress(ProcessLookupError):
            found.add(thread_priority(native_id))
    return found


@pytest.fixture
def seen(monkeypatch):
    """(what, niceness of the thread doing it) for each batch the model runs and each indexer tick:
    the real code runs, and reports the priority it ran at."""
    found: list[tuple[str, int]] = []
    run = Embedder._run

    def spied_run(session, batch, keep=False):
        found.append(("model", thread_priority()))
        return run(session, batch, keep)

    monkeypatch.setattr(Embedder, "_run", staticmethod(spied_run))
    read_papers = Embedder.read_papers  # embed_papers calls it too; the indexer calls it for extracts

    def spied_read_papers(self, papers, recipe=None, tokens=True, bulk=False):
        found.append(("bulk caller" if bulk else "caller", thread_priority()))
        if recipe is None:
            return read_papers(self, papers, tokens=tokens, bulk=bulk)
        return read_papers(self, papers, recipe, tokens, bulk)

    monkeypatch.setattr(Embedder, "read_papers", spied_read_papers)
    tick = BackgroundIndexer.tick

    def spied_tick(self):
        found.append(("tick", thread_priority()))
        return tick(self)

    monkeypatch.setattr(BackgroundIndexer, "tick", spied_tick)
    return found


def test_the_background_indexer_runs_low_and_requests_stay_normal(settings, store, seen):
    store.papers.upsert_papers(CORPUS)
    engine = open_search(settings, store)
    before = _threads()
    indexer = BackgroundIndexer(engine, tick_s=0.05).start()
    try:
        deadline = time.monotonic() + 120
        while store.embeddings.count_unembedded() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.embeddings.count_unembedded() == 0
    finally:
        indexer.stop()
    assert not indexer._thread.is_alive()
    # Every thread the indexer started and that is still there (the model's worker pool, tokenizers'
    # pool when this process had none yet) runs low, while this (request-side) thread is untouched.
    started = _threads() - before
    assert started, "the indexer left no worker threads to look at"
    assert _priorities(started) == {LOWEST}
    assert thread_priority() == 0
    kinds = {kind for kind, _ in seen}
    assert {"tick", "bulk caller", "model"} <= kinds
    assert {nice for _, nice in seen} == {LOWEST}, seen

    # A search by meaning: the query is embedded in the request's thread and onnxruntime's threads of
    # the query session, which the first query makes, at normal priority.
    seen.clear()
    before = _threads()
    with TestClient(create_app(settings, store, engine)) as client:
        r = client.get("/api/search", params={"q": "molecules on graphs", "mode": "semantic"})
        assert r.status_code == 200 and r.json()["results"]
        request_threads = _threads() - before
        assert request_threads
        assert _priorities(request_threads) == {0}
    assert ("model", 0) in seen
    assert all(nice == 0 for _, nice in seen), seen


def test_a_worker_thread_of_a_plain_embed_run_is_low_but_its_caller_is_not(settings, store, seen):
    """`paperwire index` embeds from the main thread: the embedding threads go low, the caller stays."""
    from paperwire.search.indexer import embed_pending

    store.papers.upsert_papers(CORPUS)
    engine = open_search(settings, store)
    report = embed_pending(engine)
    assert report.embedded == len(CORPUS)
    assert thread_priority() == 0
    assert ("bulk caller", LOWEST) in seen
    assert {nice for kind, nice in seen if kind == "model"} == {LOWEST}
