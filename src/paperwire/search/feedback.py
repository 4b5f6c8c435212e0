"""Pseudo-relevance feedback on vectors (Rocchio's), for short queries. Pure: numbers in, numbers out.

A query of a few words names a topic ("protein folding"); its first results are papers on that topic,
and moving the query's vector toward them ranks more of the kind first. A longer query describes one
paper, whose first results are often its neighbours rather than it: feedback would pull the search
away from the paper sought. So only queries of at most MAX_WORDS words get it. The query's vector
moves toward the mean vector of its first PAPERS fused results, WEIGHT of it, and every candidate of
either side (keyword and semantic, up to 400 papers) is scored again by its cosine to the moved
vector. The candidates are rescored rather than the vector index searched again: as good on the
tuning split (NFCorpus dev 0.3431 against 0.3436) without a second walk of the index, which on
PostgreSQL at a million papers costs as much as the first.

Chosen on the tuning splits only (NFCorpus dev, SciFact train) and on the known-item queries, with
benchmarks/vector_feedback.py and benchmarks/fusion_levers.py; the figures are in docs/search.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from paperwire.models.search import Query

if TYPE_CHECKING:
    import numpy as np

PAPERS = 3
WEIGHT = 0.35
MAX_WORDS = 4
_WORD = re.compile(r"\w+")


def words(query: Query) -> int:
    """The words a query searches for (letters and digits), phrases' words included."""
    return len(_WORD.findall(query.text))


def applies(query: Query) -> bool:
    """Whether the query is short enough to name a topic."""
    return words(query) <= MAX_WORDS


def apply(
    vector: np.ndarray, first: Sequence[str], blobs: dict[str, bytes], weight: float, floor: float, depth: int
) -> tuple[np.ndarray, list[tuple[str, float]]] | None:
    """The query's vector moved toward its first results' and the candidates (`blobs`: stored vectors
    by paper id) rescored by cosine to it; None when none of the first results has a vector."""
    from paperwire.search.blobs import from_blobs

    ids = list(blobs)
    vectors = from_blobs([blobs[pid] for pid in ids])
    row = {pid: i for i, pid in enumerate(ids)}
    found = [vectors[row[pid]] for pid in first if pid in row]
    if not found:
        return None
    to = moved(vector, found, weight)
    return to, rescored(to, ids, vectors, floor, depth)


def moved(vector: np.ndarray, first: list[np.ndarray], weight: float = WEIGHT) -> np.ndarray:
    """The query's vector plus `weight` times its first results' mean vector, of unit length."""
    import numpy as np

    out = vector + weight * np.mean(first, axis=0)
    return (out / np.linalg.norm(out)).astype(np.float32)


def rescored(
    vector: np.ndarray, ids: Sequence[str], vectors: np.ndarray, floor: float, depth: int
) -> list[tuple[str, float]]:
    """The candidates `ids` (rows of `vectors`, unit length like `vector`) by cosine to `vector`, best
    first, those under `floor` dropped, at most `depth`; equal cosines keep the candidates' order."""
    import numpy as np

    if not len(ids):
        return []
    cosines = vectors @ vector
    order = np.argsort(-cosines, kind="stable")[:depth]
    return [(ids[i], float(cosines[i])) for i in order if cosines[i] >= floor]
