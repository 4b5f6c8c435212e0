"""The search indexer that runs inside `paperwire serve`: a tick that keeps both indexes current."""

from __future__ import annotations

import logging
import threading
import time

from paperwire import PaperwireError
from paperwire.jobs import Ticker
from paperwire.search.engine import SearchEngine
from paperwire.search.indexer import IndexerBusy, embed_pending
from paperwire.search.priority import lower_this_thread

log = logging.getLogger("paperwire.search")
TICK_S = 2.0


class BackgroundIndexer(Ticker):
    """Every tick: apply store changes to the keyword index, pick up vectors other processes stored,
    and (when `embed` is on) embed new papers until none is left or the server stops."""

    stop_timeout = 30.0

    def __init__(self, engine: SearchEngine, embed: bool = True, tick_s: float = TICK_S):
        super().__init__(tick_s, "search-indexer", log, backoff=tick_s * 5)
        self.failure = f"search indexing failed; retrying in {tick_s * 6:.0f} s"
        self.engine, self.embed = engine, embed
        # Papers embedded before extracts existed (or by another version of them) get theirs from the
        # first run; afterwards every embedding run makes its papers' extracts as it goes.
        self.extracts_due = True

    def starting(self) -> None:
        # Everything this thread does is background work, and the threads it starts (the embed-ahead
        # thread, tantivy's writers) start at its priority: requests come first.
        lower_this_thread()

    def tick(self) -> None:
        engine = self.engine
        added = engine.sync_keyword(wait=False)
        if added:
            log.info("keyword index: %d papers applied", added)
        try:
            engine.catch_up_vectors()
        except PaperwireError as exc:  # embeddings of another model: say so, keep serving keyword search
            log.error("%s", exc)
            self._stop.wait(60)
            return
        if not self.embed or not (engine.store.embeddings.count_unembedded() or self.extracts_due):
            return
        pending = engine.store.embeddings.count_unembedded()
        done = [0, time.perf_counter()]

        def progress(n: int) -> None:
            if not done[0]:  # said once the job lock is held: a busy tick says nothing
                log.info("embedding %d papers for search by meaning", pending)
            done[0] += n
            if done[0] % 2048 < n:
                rate = done[0] / max(time.perf_counter() - done[1], 1e-9)
                log.info("embedded %d of %d papers (%.1f papers/s)", done[0], pending, rate)

        try:
            report = embed_pending(engine, progress, stop=self._stop)
        except IndexerBusy:
            return  # another process is embedding (`index`, or a `serve` elsewhere): its vectors arrive
            # through catch_up_vectors
        self.extracts_due = False
        if report.embedded:
            log.info("embedded %d papers (%.1f papers/s)", report.embedded, report.rate)
        if report.extracted > report.embedded:
            log.info(
                "extracted summaries and key phrases of %d embedded papers",
                report.extracted - report.embedded,
            )


class VectorFollower(Ticker):
    """In a worker process of `serve --workers N`: every tick, add to this process's vector index the
    vectors the supervisor's indexer stored since (the keyword index follows other processes' commits by
    itself). Without it a worker would search by meaning only what its vector file held when it first
    searched. Nothing to do when PostgreSQL answers meaning (pgvector)."""

    failure = "following the vector index failed"

    def __init__(self, engine: SearchEngine, tick_s: float = TICK_S):
        super().__init__(tick_s, "search-follower", log, backoff=tick_s * 5)
        self.engine = engine

    def starting(self) -> None:
        lower_this_thread()  # a chunk's insert waits for the index lock like a search; requests first

    def tick(self) -> None:
        if self.engine.vectors_in_database:
            return
        try:
            self.engine.catch_up_vectors()
        except PaperwireError:  # another model's vectors: the engine answers by words and says why
            self._stop.wait(60)


def warm_up(engine: SearchEngine) -> threading.Thread:
    """Run one search in a daemon thread, so that the first researcher to search does not wait for what
    a search loads once per process: the keyword index, the vector index (about 1 GB at a million
    papers), the model (built from its package the first time, about 5 s) and the query's onnxruntime
    session. The thread keeps its caller's priority: the query session's threads start at it, and they
    answer requests (priority.py). Nothing is loaded that search would not load: a hub with nothing
    embedded does not load the model."""

    def run() -> None:
        started = time.perf_counter()
        try:  # no keyword sync here: a first build of that index is the niced indexer's work
            engine.search("warm up", limit=1)
        except Exception:  # a search that fails here fails for the request too, which says why
            log.exception("warming up search failed")
            return
        log.info("search warmed up in %.1f s", time.perf_counter() - started)

    thread = threading.Thread(target=run, name="search-warm-up", daemon=True)
    thread.start()
    return thread
