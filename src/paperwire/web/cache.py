"""A cache of rendered pages for visitors who are not signed in (web/pages.py `cached` fills it)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from threading import Lock

from fastapi.responses import Response

from paperwire.storage import Store


class PageCache:
    """Rendered pages for visitors who are not signed in, valid while neither the papers nor the
    community's votes, comments and submissions have changed. Each worker keeps its own; the
    database's counters tell every worker when its copy is stale.

    When a page goes stale, one request renders it again while the others get the stale copy: a change
    under load (a vote, the indexer publishing extracts) costs one render, not one per waiting visitor
    (16 visitors rendering /trending at once took its p99 from 60 ms to 3 s while the hub indexed)."""

    def __init__(self, size: int = 256):
        self.size = size
        self._pages: OrderedDict[str, tuple[tuple, bytes, str]] = OrderedDict()
        self._building: set[str] = set()
        self._lock = Lock()

    @staticmethod
    def version(store: Store, today: date) -> tuple:
        return (*store.papers.counters(), today)

    def get(self, key: str, version: tuple) -> Response | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None or found[0] != version:
                return None
            self._pages.move_to_end(key)
        return Response(found[1], media_type=found[2])

    def claim(self, key: str) -> tuple[bool, Response | None]:
        """Whether this caller renders `key` afresh (no one else is: then `release` it), and the copy
        it has, stale or not."""
        with self._lock:
            found = self._pages.get(key)
            stale = Response(found[1], media_type=found[2]) if found is not None else None
            if key in self._building:
                return False, stale
            self._building.add(key)
            return True, stale

    def release(self, key: str) -> None:
        with self._lock:
            self._building.discard(key)

    def put(self, key: str, version: tuple, response: Response) -> None:
        with self._lock:
            self._pages[key] = (version, response.body, response.media_type or "text/html")
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
