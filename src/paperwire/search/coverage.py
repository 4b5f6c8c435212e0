"""How much of the hub meaning search reaches ("meaning search covers 17,152 of 74,728 papers").

The count is kept per process: made at the first search, and made again after `forget()` (this process
embedded papers). A count older than TTL_S is answered while a new one is made in the background: on
PostgreSQL a count scans two tables, which no search should wait for at a million papers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

log = logging.getLogger("paperwire.search")
TTL_S = 10.0


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of the hub meaning search reaches, and what a searcher should know about it."""

    embedded: int
    papers: int
    note: str | None = None  # "meaning search covers 17,152 of 74,728 papers", or why it is off


class CoverageCount:
    """The last count of `count()`, made again in the background when older than `ttl_s`."""

    def __init__(self, count: Callable[[], Coverage], ttl_s: float = TTL_S):
        self.count, self.ttl_s = count, ttl_s
        self._last: tuple[float, Coverage] | None = None
        self._recounting = threading.Lock()  # held while a new count is made in the background
        self._recounter = ThreadPoolExecutor(1, "paperwire-coverage")  # its thread starts when first used

    def get(self) -> Coverage:
        last = self._last
        if last is None:
            return self._made()
        if time.monotonic() - last[0] >= self.ttl_s and self._recounting.acquire(blocking=False):
            self._recounter.submit(self._recount)
        return last[1]

    def forget(self) -> None:
        """Count again at the next search."""
        self._last = None

    def wait(self) -> None:
        """Until a count made in the background is done (for tests)."""
        self._recounter.submit(lambda: None).result()

    def _made(self) -> Coverage:
        now = time.monotonic()
        found = self.count()
        self._last = (now, found)
        return found

    def _recount(self) -> None:
        try:
            self._made()
        except Exception:  # the last count stands; the next search tries again
            log.exception("counting the papers meaning search reaches failed")
        finally:
            self._recounting.release()
