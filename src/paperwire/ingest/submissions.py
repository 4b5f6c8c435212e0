"""Submitted papers the hub lacks, fetched from arXiv's API off the request path.

`POST /api/papers` with an id the hub does not have queues the submission (storage: submission_fetches)
and answers 202 at once. The fetch worker inside `paperwire serve` takes the queued ones, oldest first,
up to 100 ids in one request to arXiv, under a job lock so that one process fetches at a time however
many serve the database; queued rows are in the database, so a restart picks them up again. Each
submission ends done (the paper is stored and put on its day's page) or failed with arXiv's reason,
which its submitter sees. With PAPERWIRE_SUBMISSION_FETCHER=false, cron runs `paperwire ingest
submissions` instead.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable

from paperwire import PaperwireError
from paperwire.ingest.arxiv_api import MAX_IDS
from paperwire.ingest.http import Fetcher
from paperwire.jobs import SUBMISSIONS, Ticker, exclusive
from paperwire.settings import Settings
from paperwire.storage import Store

log = logging.getLogger("paperwire.ingest")
TICK_S = 1.0


def fetch_queued(store: Store, fetcher: Fetcher, api_url: str, limit: int = MAX_IDS) -> int:
    """Settle up to `limit` queued submissions (one request to arXiv for the ids the hub still lacks);
    returns how many were settled. The caller holds the SUBMISSIONS job lock."""
    from paperwire.ingest.byid import ingest_ids

    queued = store.submissions.queued_submissions(limit)
    if not queued:
        return 0
    wanted = list(dict.fromkeys(q.paper_id for q in queued))
    stored = {pid: pid for pid in store.papers.get_papers(wanted)}  # another way may have brought some in
    missing = [pid for pid in wanted if pid not in stored]
    errors: dict[str, str] = {}
    if missing:
        try:
            for result in ingest_ids(store, fetcher, api_url, missing, Counter()):
                if result.paper is None:
                    errors[result.ref] = f"{result.ref}: {result.error}"
                else:
                    stored[result.ref] = result.paper.id
        except PaperwireError as exc:  # arXiv out of reach, or an answer that is not a feed
            reason = f"could not fetch from arXiv; submit it again later ({exc})"
            errors.update({pid: reason for pid in missing})
    done = 0
    for q in queued:
        if q.paper_id not in stored:
            store.submissions.finish_queued_submission(
                q.id, "failed", errors.get(q.paper_id, "not found on arXiv")
            )
            continue
        store.submissions.add_submission(
            stored[q.paper_id], q.user_id, q.day
        )  # a paper's first submission stays
        store.submissions.finish_queued_submission(q.id, "done")
        done += 1
    log.info("submissions: %d fetched and submitted, %d failed", done, len(queued) - done)
    return len(queued)


def drain(store: Store, fetcher: Fetcher, api_url: str, stop: threading.Event | None = None) -> int | None:
    """Work the queue until it is empty (or `stop` is set); None if another process holds the lock."""
    settled = 0
    with exclusive(store, SUBMISSIONS) as got:
        if not got:
            return None
        while not (stop and stop.is_set()):
            n = fetch_queued(store, fetcher, api_url)
            if not n:
                break
            settled += n
    return settled


class SubmissionFetcher(Ticker):
    """The fetch worker: one thread, so at most one request to arXiv at a time per process, and the
    job lock makes it one across processes. `fetcher` opens the arXiv client on first use."""

    failure = "fetching submitted papers failed"
    stop_timeout = 2.0  # a fetch under way is abandoned: its submissions stay queued for the next start

    def __init__(
        self, settings: Settings, store: Store, fetcher: Callable[[], Fetcher], tick: float = TICK_S
    ):
        super().__init__(tick, "paperwire-submissions", log, backoff=tick * 5)
        self.settings, self.store, self.fetcher = settings, store, fetcher

    def tick(self) -> None:
        if self.store.submissions.count_queued_submissions():
            drain(self.store, self.fetcher(), self.settings.arxiv_api_url, self._stop)


def start_submission_fetcher(settings: Settings, store: Store) -> SubmissionFetcher | None:
    """Start the worker if PAPERWIRE_SUBMISSION_FETCHER is on; the caller stops it."""
    if not settings.submission_fetcher:
        return None
    from paperwire.ingest.http import open_fetchers

    opened = []

    def fetcher() -> Fetcher:
        if not opened:
            opened.append(open_fetchers(settings))
        return opened[0].arxiv

    return SubmissionFetcher(settings, store, fetcher).start()
