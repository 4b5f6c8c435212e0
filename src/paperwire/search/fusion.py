"""Fusing keyword and semantic rankings into one. Pure functions over (id, score) lists.

Weighted min-max fusion scored 0.733 nDCG@10 on SciFact test against 0.707 for reciprocal-rank fusion
in the study recorded in docs/search.md; both are kept so that the quality benchmark reports them side
by side.
"""

from __future__ import annotations

from collections.abc import Sequence

Ranked = Sequence[tuple[str, float]]
# Tuned on SciFact train, NFCorpus dev and the known-item queries (benchmarks/search_quality.py --tune,
# benchmarks/known_item.py): with the 2-window recipe 0.5 ties 0.45 on SciFact train (0.733), is best on
# NFCorpus dev (0.338 against 0.336) and finds more described papers (docs/search.md).
SEMANTIC_WEIGHT = 0.5
RRF_K = 60


def _min_max(ranked: Ranked) -> dict[str, float]:
    if not ranked:
        return {}
    scores = [s for _, s in ranked]
    low, high = min(scores), max(scores)
    span = high - low
    return {pid: (s - low) / span if span > 0 else 1.0 for pid, s in ranked}


def weighted(
    keyword: Ranked, semantic: Ranked, semantic_weight: float = SEMANTIC_WEIGHT
) -> list[tuple[str, float]]:
    """Each list's scores scaled to [0, 1], then mixed; a paper missing from a list scores 0 there."""
    kw, sem = _min_max(keyword), _min_max(semantic)
    fused = {
        pid: (1 - semantic_weight) * kw.get(pid, 0.0) + semantic_weight * sem.get(pid, 0.0)
        for pid in kw.keys() | sem.keys()
    }
    return ordered(fused)


def rrf(keyword: Ranked, semantic: Ranked, k: int = RRF_K) -> list[tuple[str, float]]:
    fused: dict[str, float] = {}
    for ranked in (keyword, semantic):
        for rank, (pid, _score) in enumerate(ranked, start=1):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (k + rank)
    return ordered(fused)


def ordered(scores: dict[str, float]) -> list[tuple[str, float]]:
    """Best score first; equal scores by paper id, descending (for arXiv ids: the newer paper first)."""
    by_id = sorted(scores.items(), reverse=True)
    return sorted(by_id, key=lambda item: -item[1])  # sorted() is stable: ties keep the id order
