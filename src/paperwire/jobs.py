"""Background jobs that run once across every process and host sharing one database.

A job is checked, locked, checked again, run, and recorded before its lock is released:

    if job_is_due():
        with exclusive(store, "name", wait=True) as got:
            if got and job_is_due():  # another process may have run it while we waited
                run_and_record_it()

The record (the ingest run log; the delivery ledger for digests) is what makes a second process that
took the lock next find nothing to do, and the lock is what makes a record still marked "running" a
run that was cut short: its holder would still hold the lock otherwise. The lock lives in the database
(storage/jobs.py), so `serve` processes on several hosts and cron-run commands all share it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Self

from paperwire.storage import Store

EMBED = "search.embed"  # embedding new papers: a serve's background indexer or `paperwire index`
INGEST = "ingest.schedule"  # the scheduled ingests, `paperwire ingest daily` and `paperwire ingest hf`
DIGESTS = "digests.send"  # digest sending: `serve`'s tick and `paperwire digest send`
SUBMISSIONS = (
    "ingest.submissions"  # fetching submitted papers: `serve`'s worker, `paperwire ingest submissions`
)
POLL_S = 0.5


@contextmanager
def exclusive(
    store: Store,
    name: str,
    *,
    wait: bool = False,
    stop: threading.Event | None = None,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[bool]:
    """Hold job `name`'s lock for the block; yields False if it is taken (and wait is off) or if
    `stop` is set while waiting. `on_wait` is called once, when the lock is found taken."""
    told = False
    while True:
        with store.job_lock(name) as got:
            if got or not wait:
                yield got
                return
        if not told and on_wait:
            on_wait()
            told = True
        if stop is not None:
            if stop.wait(POLL_S):
                yield False
                return
        else:
            threading.Event().wait(POLL_S)


class Ticker:
    """Background work as a tick: a daemon thread that calls `tick()` every `interval` seconds until
    stopped. A tick that raises is logged and the ticking goes on (after `backoff` seconds more), so one
    bad tick never ends the work for the life of the server. Subclasses implement `tick`."""

    failure = "a background tick failed"  # logged with the exception
    stop_timeout = 10.0  # how long `stop` waits for a tick under way

    def __init__(self, interval: float, name: str, log: logging.Logger, backoff: float = 0.0):
        self.interval, self.backoff, self._log = interval, backoff, log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def tick(self) -> None:
        raise NotImplementedError

    def starting(self) -> None:
        """Called once in the thread before its first tick (e.g. to lower the thread's priority)."""

    def _loop(self) -> None:
        self.starting()
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                self._log.exception(self.failure)
                self._stop.wait(self.backoff)
            self._stop.wait(self.interval)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._thread.join(self.stop_timeout if timeout is None else timeout)
