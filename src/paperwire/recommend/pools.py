"""The papers a request ranks (its pool), kept in memory per process until the store changes: a window
of announcement days, or a list of candidate papers (one period's, for every subscriber of a digest
run). With the vectors goes what never changes between requests: the linear model's background
(`model.Background`) and, for a candidate list, the papers themselves (docs/recommendations.md)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from paperwire.models.papers import Paper
from paperwire.models.recommendations import PoolStamp
from paperwire.recommend.model import Background
from paperwire.search.blobs import from_blobs
from paperwire.storage import Store

MAX_POOL = 30_000  # papers ranked at most: the newest of a wider window
BACKGROUND = 2_000  # pool papers the linear model sets the positives against, drawn with a fixed seed
POOLS_KEPT = 8  # pools each process keeps in memory
LISTS_SEEN = 64  # candidate lists remembered as asked for once (a list is kept from its second request)


@dataclass(slots=True)
class Pool:
    stamp: PoolStamp
    ids: list[str]  # the embedded papers, in the store's order (newest first, then id) or the caller's
    matrix: np.ndarray  # their vectors, one row each
    total: int  # papers in the window (more than len(ids) when cut at MAX_POOL or not all embedded)
    unembedded: int
    row: dict[str, int] = field(default_factory=dict)  # id -> row
    sample: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # (n,) rows in the background
    background: Background | None = None
    papers: dict[str, Paper] | None = None  # a candidate list's papers, read with it
    used: int = 0  # requests answered from it

    def __post_init__(self) -> None:
        self.row = {pid: i for i, pid in enumerate(self.ids)}
        self.sample = np.zeros(len(self.ids), bool)
        self.sample[_background_rows(len(self.ids))] = True
        self.background = Background.of(self.matrix[self.sample]) if len(self.ids) else None


class Pools:
    """The POOLS_KEPT pools used last, each read again once the store's pool stamp moves on."""

    def __init__(self, store: Store, kept: int = POOLS_KEPT):
        self.store, self.kept = store, kept
        self._pools: OrderedDict[tuple, Pool] = OrderedDict()
        self._seen: OrderedDict[tuple, None] = OrderedDict()
        self._lock = threading.Lock()

    def window(self, start: date, end: date, categories: Sequence[str]) -> Pool:
        """The window's papers and vectors (hidden papers left out)."""
        wanted = tuple(sorted({c.strip().lower() for c in categories if c.strip()}))
        stamp = self.store.recommendations.pool_stamp()
        key = ("window", start, end, wanted)
        cached = self._get(key, stamp)
        if cached is not None:
            return cached
        papers, total = self.store.recommendations.pool(start, end, wanted, MAX_POOL)
        embedded = [p for p in papers if p.vector is not None]
        pool = Pool(
            stamp,
            [p.paper_id for p in embedded],
            matrix([p.vector for p in embedded]),
            total,
            len(papers) - len(embedded),
        )
        return self._put(key, pool)

    def candidates(self, paper_ids: Sequence[str]) -> Pool:
        """These papers (the visible ones, once each, in the order given), with their vectors and the
        papers themselves. A list is kept from the second time it is asked for: a one-off list (the
        papers nearest one paper) never pushes out a pool that is used again."""
        key = ("candidates", tuple(paper_ids))
        stamp = self.store.recommendations.pool_stamp()
        cached = self._get(key, stamp)
        if cached is not None:
            return cached
        unique = list(dict.fromkeys(paper_ids))
        hidden = self.store.papers.hidden_papers(unique)
        papers = self.store.papers.get_papers([pid for pid in unique if pid not in hidden])
        rows = self.store.embeddings.embeddings_for([pid for pid in unique if pid in papers])
        ids = [pid for pid in unique if pid in rows and rows[pid].vector is not None]
        pool = Pool(
            stamp, ids, matrix([rows[pid].vector for pid in ids]), len(papers), len(papers) - len(ids)
        )
        pool.papers = {pid: papers[pid] for pid in ids}
        with self._lock:
            again = key in self._seen
            self._seen[key] = None
            self._seen.move_to_end(key)
            while len(self._seen) > LISTS_SEEN:
                self._seen.popitem(last=False)
        if not again:
            pool.used += 1
            return pool
        return self._put(key, pool)

    def _get(self, key: tuple, stamp: PoolStamp) -> Pool | None:
        with self._lock:
            cached = self._pools.get(key)
            if cached is None or cached.stamp != stamp:
                return None
            self._pools.move_to_end(key)
            cached.used += 1
            return cached

    def _put(self, key: tuple, pool: Pool) -> Pool:
        with self._lock:
            pool.used += 1
            self._pools[key] = pool
            self._pools.move_to_end(key)
            while len(self._pools) > self.kept:
                self._pools.popitem(last=False)
        return pool


def matrix(blobs: list[bytes]) -> np.ndarray:
    """Stored vectors (search/blobs.py) as float32 rows; none as a (0, 1) matrix."""
    if not blobs:
        return np.zeros((0, 1), np.float32)
    return from_blobs(blobs)


def _background_rows(n: int) -> np.ndarray:
    """At most BACKGROUND of n rows, the same ones for the same n."""
    if n <= BACKGROUND:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, BACKGROUND, replace=False))
