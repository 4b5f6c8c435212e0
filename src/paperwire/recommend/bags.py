"""The words' view of the model as arrays: each text's tf-idf bag (`words.bag`) kept as sorted word
numbers and weights, per paper and per vocabulary, so that a request scores its shortlist with one
matrix product instead of building bags and walking dictionaries in Python (docs/recommendations.md).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from paperwire.recommend.words import Vocabulary, bag

BAGS_KEPT = 20_000  # bags in memory (about 1 KB each)
WORDS_KEPT = 500_000  # distinct words numbered before the numbering starts again (with the bags)


@dataclass(frozen=True, slots=True)
class Bag:
    """An L2-normalised tf-idf bag of words: word numbers (ascending) and their weights."""

    keys: np.ndarray  # int64
    weights: np.ndarray  # float32


class Bags:
    """Bags of words for one vocabulary, by a key the caller gives (a paper's id and text hash, a
    topic), the BAGS_KEPT used last. Word numbers mean something only within one Bags: a request
    takes one and uses it throughout."""

    def __init__(self, vocabulary: Vocabulary, kept: int = BAGS_KEPT):
        self.vocabulary, self.kept = vocabulary, kept
        self._numbers: dict[str, int] = {}
        self._bags: OrderedDict[Hashable, Bag] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._bags)

    def full(self) -> bool:
        """Numbered words past WORDS_KEPT: time for a new Bags."""
        return len(self._numbers) > WORDS_KEPT

    def of(self, text: str, key: Hashable | None = None) -> Bag:
        """The bag of `text`, kept under `key` (the text itself when None)."""
        key = text if key is None else key
        with self._lock:
            found = self._bags.get(key)
            if found is not None:
                self._bags.move_to_end(key)
                return found
        weights = bag(text, self.vocabulary)  # outside the lock: the slow part
        with self._lock:
            numbers = self._numbers
            keys = np.array([numbers.setdefault(w, len(numbers)) for w in weights], dtype=np.int64)
            order = np.argsort(keys)
            made = Bag(keys[order], np.array(list(weights.values()), dtype=np.float32)[order])
            self._bags[key] = made
            while len(self._bags) > self.kept:
                self._bags.popitem(last=False)
        return made


def centroid(bags: Sequence[Bag]) -> Bag:
    """The bags' sum, L2-normalised."""
    if not bags:
        return Bag(np.zeros(0, np.int64), np.zeros(0, np.float32))
    keys, at = np.unique(np.concatenate([b.keys for b in bags]), return_inverse=True)
    sums = np.bincount(at, weights=np.concatenate([b.weights for b in bags]).astype(np.float64))
    norm = float(np.sqrt(np.sum(sums * sums))) or 1.0
    return Bag(keys, (sums / norm).astype(np.float32))


def similarities(rows: Sequence[Bag], queries: Sequence[Bag]) -> np.ndarray:
    """Cosine similarities (rows x queries) of the bags `rows` to each query bag: one matrix product
    over the words both sides have."""
    out = np.zeros((len(rows), len(queries)), dtype=np.float32)
    if not rows or not queries:
        return out
    row_keys = np.concatenate([b.keys for b in rows])
    query_keys = np.concatenate([b.keys for b in queries])
    shared = np.intersect1d(row_keys, query_keys)
    if not len(shared):
        return out
    return _dense(rows, row_keys, shared) @ _dense(queries, query_keys, shared).T


def _dense(bags: Sequence[Bag], keys: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The bags as rows over `columns` (sorted word numbers); their other words left out."""
    owner = np.repeat(np.arange(len(bags)), [len(b.keys) for b in bags])
    at = np.minimum(np.searchsorted(columns, keys), len(columns) - 1)
    hit = columns[at] == keys
    out = np.zeros((len(bags), len(columns)), dtype=np.float32)
    out[owner[hit], at[hit]] = np.concatenate([b.weights for b in bags])[hit]
    return out
