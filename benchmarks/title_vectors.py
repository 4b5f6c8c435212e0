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
import search_quality
from paperwire.search import fusion
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
        blobs = engine.store.embeddings.vectors_for(ids)
        have = [pid for pid in ids if pid in blobs]
        paper = blobs.from_blobs([blobs[pid] for pid in have]) @ query
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


def rank(engine, text: str, lists, titles, how) -> list[str]:
    keyword, semantic, _, rescored = lists
    if how is None:  # the engine: feedback (rescored) for short queries, the lists as they are otherwise
        side = rescored if fusion_levers.words(text) <= 4 else semantic
    else:
        side = scored(engine, text, lists, titles, how)
    return [pid for pid, _ in fusion.weighted(keyword, side, 0.5)]


def known_item_rows(ways: dict) -> dict[str, dict]:
    queries = known_item.load_queries(known_item.QUERIES)
    lines = known_item.corpus_lines()
    chosen = known_item.slice_lines(lines, {q["target"] for q in queries}, 20_000)
    (_, _, engine), _ = known_item.prepare(chosen, known_item.names(chosen, 20_000)[1])
    titles = title_vectors(engine)
    cached = {q["qid"]: fusion_levers.lists(engine, q["query"]) for q in queries}
    rows = {}
    for name, how in ways.items():
        hit = {
            q["qid"]: q["target"] in rank(engine, q["query"], cached[q["qid"]], titles, how)[:10]
            for q in queries
        }
        row = {"all": sum(hit.values()) / len(hit)}
        for batch in sorted({q["batch"] for q in queries}):
            sel = [q for q in queries if q["batch"] == batch]
            row[f"b{batch}"] = sum(hit[q["qid"]] for q in sel) / len(sel)
        for style in known_item.STYLES:
            sel = [q for q in queries if q["style"] == style]
            row[style] = sum(hit[q["qid"]] for q in sel) / len(sel)
        rows[name] = row
    return rows


def beir_rows(ways: dict, name: str, split: str) -> dict[str, float]:
    folder = fusion_levers.BEIR / name
    engine, _ = search_quality.prepare(folder)
    titles = title_vectors(engine)
    queries, qrels = search_quality.load_queries(folder, split)
    cached = {qid: fusion_levers.lists(engine, text) for qid, text in queries.items()}
    out = {}
    for variant, how in ways.items():
        scores = [
            search_quality.ndcg_at_10(rank(engine, text, cached[qid], titles, how), qrels[qid])
            for qid, text in queries.items()
        ]
        out[variant] = sum(scores) / len(scores)
    return out


def main() -> int:
    if not known_item.CORPUS.exists() or not fusion_levers.BEIR.exists():
        print("skipped: ../shared is absent (the known-item corpus and BEIR live there)")
        return 0
    ways = variants()
    ki = known_item_rows(ways)
    scifact, nfcorpus = beir_rows(ways, "scifact", "train"), beir_rows(ways, "nfcorpus", "dev")
    fusion_levers.report("title_vectors", ki, scifact, nfcorpus, width=34)
    return 0


if __name__ == "__main__":
    sys.exit(main())
