"""Title and abstract apart: does a vector of the title alone, beside the paper's vector, rank better?

Issue 18 lists "title and abstract apart" among the levers. A paper's one vector (two windows of its
title and abstract, averaged) is what the index holds; a second vector of the title alone would be kept
beside it and used only to score again the candidates a search already has (keyword and semantic, up to
400), never searched itself, so the vector index and its memory stay as they are. For each query the
candidate lists come from the engine of the cached hubs (fusion_levers.lists); then each paper of the
meaning list gets, as its meaning score,

    (1 - λ) × cos(query, paper) + λ × cos(query, title)

or max(cos(query, paper), cos(query, title)), and the lists are fused as the engine fuses them
(weight 0.5; queries of at most 4 words get feedback first, as shipped). "Shipped" is the engine's own
fusion of the same lists, where a keyword candidate outside the semantic top 200 scores 0 for meaning;
"every candidate scored" gives each keyword candidate its cosine instead (λ 0), which the title mix can
also use ("every candidate").

Known-item R@10 on the 20,000-paper slice of benchmarks/known_item.py (by batch); nDCG@10 on SciFact
train and NFCorpus dev (tuning splits only) from benchmarks/search_quality.py's cached hubs. Run those
two first. Titles are embedded by the same model and recipe, read alone (one window).

    .venv/bin/python benchmarks/title_vectors.py

Prints a table and writes benchmarks/results/title_vectors.json.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

import fusion_levers
import known_item  # a sibling script: `python benchmarks/title_vectors.py` puts benchmarks/ on the path
from paperwire.search import fusion
from paperwire.search.blobs import from_blobs
from paperwire.search.engine import MIN_SIMILARITY

ROOT = Path(__file__).resolve().parents[1]
Ranked = list[tuple[str, float]]
LAMBDAS = (0.0, 0.25, 0.4, 0.5, 0.6)


def title_vectors(engine) -> dict[str, np.ndarray]:
    """Every paper's title alone as a vector (one window, the paper recipe's reading)."""
    papers = list(engine.store.papers.iter_papers())
    started = time.perf_counter()
    out: dict[str, np.ndarray] = {}
    for at in range(0, len(papers), 256):
        chunk = papers[at : at + 256]
        made = engine.embedder.embed_papers([(p.title, "") for p in chunk], bulk=True)
        out.update({p.id: v for p, v in zip(chunk, made, strict=True)})
    print(f"  {len(out):,} titles embedded in {time.perf_counter() - started:.0f} s", flush=True)
    return out


def scored(engine, text: str, lists: fusion_levers.Lists, titles: dict, how) -> Ranked:
    """The meaning list scored by the mix above (`how`: λ, or "max"), for the papers the engine's own
    meaning list has (its semantic candidates; for a short query, after feedback, every candidate), or
    with `every` in `how`, for every candidate of both sides."""
    keyword, semantic, _, rescored = lists
    short = fusion_levers.words(text) <= 4
    base = rescored if short else semantic
    lam, every = how
    if every:
        ids = list(dict.fromkeys([pid for pid, _ in semantic] + [pid for pid, _ in keyword]))
    else:
        ids = [pid for pid, _ in base]
    if not ids:
        return base
    query = engine.embedder.embed_one(text)
    if short:  # the engine's feedback first: the moved vector's cosines, as the engine has them
        known = dict(rescored)
        have = [pid for pid in ids if pid in known]
        paper = np.array([known[pid] for pid in have])
    else:
        stored = engine.store.embeddings.vectors_for(ids)
        have = [pid for pid in ids if pid in stored]
        paper = from_blobs([stored[pid] for pid in have]) @ query
    if not have:
        return base
    title = np.stack([titles[pid] for pid in have]) @ query
    mix = np.maximum(paper, title) if lam == "max" else (1 - lam) * paper + lam * title
    ranked = [(pid, float(s)) for pid, s in zip(have, mix, strict=True) if s >= MIN_SIMILARITY]
    return sorted(ranked, key=lambda x: -x[1])


def variants() -> dict[str, object]:
    out: dict[str, object] = {"shipped": None, "every candidate scored": (0.0, True)}
    for lam in LAMBDAS[1:]:
        out[f"title λ {lam}"] = (lam, False)
    out["max(paper, title)"] = ("max", False)
    out["title λ 0.25, every candidate"] = (0.25, True)
    return out


def rank(engine, text: str, lists, titles, how) -> Ranked:
    keyword, semantic, _, rescored = lists
    if how is None:  # the engine: feedback (rescored) for short queries, the lists as they are otherwise
        side = rescored if fusion_levers.words(text) <= 4 else semantic
    else:
        side = scored(engine, text, lists, titles, how)
    return fusion.weighted(keyword, side, 0.5)


def bound(ways: dict) -> fusion_levers.Bind:
    """The variants as fusion_levers ranks them, once the hub's engine (and its titles) are known."""

    def bind(engine):
        titles = title_vectors(engine)
        return {
            name: lambda t, k, s, m, r, how=how: rank(engine, t, (k, s, m, r), titles, how)
            for name, how in ways.items()
        }

    return bind


def main() -> int:
    if not known_item.CORPUS.exists() or not fusion_levers.BEIR.exists():
        print("skipped: ../shared is absent (the known-item corpus and BEIR live there)")
        return 0
    ways, bind = variants(), bound(variants())
    ki = fusion_levers.known_item_rows(ways, bind, styles_of=None)
    scifact = fusion_levers.beir_rows(ways, "scifact", "train", bind)
    nfcorpus = fusion_levers.beir_rows(ways, "nfcorpus", "dev", bind)
    fusion_levers.report("title_vectors", ki, scifact, nfcorpus, width=34)
    return 0


if __name__ == "__main__":
    sys.exit(main())
