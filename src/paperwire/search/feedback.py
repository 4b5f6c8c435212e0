"""Pseudo-relevance feedback on vectors (Rocchio's), for short queries. Pure: numbers in, a vector out.

A query of a few words names a topic ("protein folding"); its first results are papers on that topic,
and moving the query's vector toward them finds more of the kind. A longer query describes one paper,
whose first results are often its neighbours rather than it: feedback would pull the search away from
the paper sought. So only queries of at most MAX_WORDS words get it. The query's vector moves toward the
mean vector of its first PAPERS fused results, WEIGHT of it, and meaning is looked up again.

Chosen on the tuning splits only (NFCorpus dev, SciFact train) and on the known-item queries, with
benchmarks/vector_feedback.py and benchmarks/fusion_levers.py; the figures are in docs/search.md.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from paperwire.models.search import Query

if TYPE_CHECKING:
    import numpy as np

PAPERS = 3
WEIGHT = 0.35
MAX_WORDS = 4
_WORD = re.compile(r"\w+")


def applies(query: Query) -> bool:
    """Whether the query is short enough to name a topic: its words, phrases' words included."""
    return len(_WORD.findall(query.text)) <= MAX_WORDS


def moved(vector: np.ndarray, first: list[np.ndarray], weight: float = WEIGHT) -> np.ndarray:
    """The query's vector plus `weight` times its first results' mean vector, of unit length."""
    import numpy as np

    out = vector + weight * np.mean(first, axis=0)
    return (out / np.linalg.norm(out)).astype(np.float32)
