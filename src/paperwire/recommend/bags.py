"""The words' view of the model as arrays: each text's tf-idf bag (`words.bag`) kept as sorted word
numbers and weights, per paper and per vocabulary, so that a request scores its shortlist with one
matrix product, and names a reason's shared words (`words.shared_words`), without reading any text
again (docs/recommendations.md#the-pool-and-speed)."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from paperwire.recommend.words import Vocabulary, terms

BAGS_KEPT = 20_000  # bags in memory (about 1.5 KB each)
WORDS_KEPT = 500_000  # distinct words numbered before the numbering starts again (with the bags)


@dataclass(frozen=True, slots=True)
class Bag:
    """A text's tf-idf bag of words: word numbers (ascending), each one's (1 + log tf) x idf, the bag's
    L2 norm, and whether the text first spells the word as its plural."""

    keys: np.ndarray  # int64
    raw: np.ndarray  # float64, not normalised: the order a reason ranks shared words in
    norm: float
    plural: np.ndarray  # bool


class Bags:
    """Bags of words for one vocabulary, by a key the caller gives (a paper's id and text hash, a
    topic), the BAGS_KEPT used last. Word numbers mean something only within one Bags: a request
    takes one and uses it throughout."""

    def __init__(self, vocabulary: Vocabulary, kept: int = BAGS_KEPT):
        self.vocabulary, self.kept = vocabulary, kept
        self._numbers: dict[str, int] = {}
        self._words: list[str] = []  # number -> word (its key: the singular)
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
        counted = terms(text)  # outside the lock: the slow part
        # The very arithmetic of words.bag and words.shared_words, so that both give the same numbers.
        frequency, documents, log = self.vocabulary.frequency, 1 + self.vocabulary.documents, math.log
        raw = [
            (1.0 + log(n)) * (log(documents / (1 + frequency.get(k, 0))) + 1.0)
            for k, (_, n) in counted.items()
        ]
        norm = math.sqrt(sum(v * v for v in raw)) or 1.0
        plural = [w != k for k, (w, _) in counted.items()]
        with self._lock:
            numbers, names = self._numbers, self._words
            keys = []
            for k in counted:
                number = numbers.get(k)
                if number is None:
                    number = numbers[k] = len(names)
                    names.append(k)
                keys.append(number)
            order = np.argsort(np.array(keys, dtype=np.int64))
            made = Bag(
                np.array(keys, dtype=np.int64)[order],
                np.array(raw, dtype=np.float64)[order],
                norm,
                np.array(plural, dtype=bool)[order],
            )
            self._bags[key] = made
            while len(self._bags) > self.kept:
                self._bags.popitem(last=False)
        return made

    def shared(self, mine: Bag, theirs: Bag, count: int = 4) -> list[str]:
        """`words.shared_words` from two bags: the words `mine` has in common with `theirs`, the rarest
        and most repeated in `mine` first, each spelled as `mine`'s text first spells it."""
        if not len(theirs.keys):
            return []
        # Both key lists are sorted and unique: a binary search of each of mine in theirs (what
        # np.intersect1d does with a sort of both, at about a third of its cost; a request names
        # the shared words of up to 100 papers, a digest run of ~600,000).
        at = np.minimum(np.searchsorted(theirs.keys, mine.keys), len(theirs.keys) - 1)
        found = np.flatnonzero(theirs.keys[at] == mine.keys).tolist()
        names, keys, raw = self._words, mine.keys, mine.raw
        ranked = sorted(found, key=lambda i: (-float(raw[i]), names[keys[i]]))
        return [names[keys[i]] + ("s" if mine.plural[i] else "") for i in ranked[:count]]


def centroid(bags: Sequence[Bag]) -> Bag:
    """The bags' normalised sum, as a bag of norm 1."""
    if not bags:
        return Bag(np.zeros(0, np.int64), np.zeros(0), 1.0, np.zeros(0, bool))
    keys, at = np.unique(np.concatenate([b.keys for b in bags]), return_inverse=True)
    sums = np.bincount(at, weights=_weights(bags))
    norm = float(np.sqrt(np.sum(sums * sums))) or 1.0
    return Bag(keys, sums / norm, 1.0, np.zeros(len(keys), bool))


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


def _weights(bags: Sequence[Bag]) -> np.ndarray:
    """The bags' normalised weights, one after the other."""
    return np.concatenate([b.raw for b in bags]) / np.repeat(
        [b.norm for b in bags], [len(b.keys) for b in bags]
    )


def _dense(bags: Sequence[Bag], keys: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The bags as rows over `columns` (sorted word numbers); their other words left out."""
    owner = np.repeat(np.arange(len(bags)), [len(b.keys) for b in bags])
    at = np.minimum(np.searchsorted(columns, keys), len(columns) - 1)
    hit = columns[at] == keys
    out = np.zeros((len(bags), len(columns)), dtype=np.float32)
    out[owner[hit], at[hit]] = _weights(bags)[hit]
    return out
