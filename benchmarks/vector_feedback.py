"""Pseudo-relevance feedback on vectors (Rocchio), measured: does moving the query's vector toward its
first results lift hybrid search?

For each query of a BEIR split (train or dev: never test), through the engine of search_quality.py's
cached hub: the hybrid results as shipped; then the query's vector plus `beta` times the mean vector of
the first `k` hybrid results (normalised), searched again by meaning (200 neighbours, as the engine
takes), fused with the same keyword list at the shipped weight. Every variant ranks from the same
keyword list, and beta 0 is the shipped ranking rebuilt this way (a check that the study is faithful).

    .venv/bin/python benchmarks/vector_feedback.py ../shared/data/beir/nfcorpus --split dev
    .venv/bin/python benchmarks/vector_feedback.py ../shared/data/beir/scifact --split train

Prints a table of nDCG@10 and writes JSON; 0 with "skipped: ..." when the folder is absent.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from paperwire.search import fusion
from paperwire.search.blobs import from_blob
from paperwire.search.engine import DEPTH, MIN_SIMILARITY
from paperwire.search.query import parse_query
from search_quality import RESULTS, load_queries, ndcg_at_10, prepare

VARIANTS = [(0, 0.0)] + [(k, beta) for k in (2, 3, 4, 5) for beta in (0.25, 0.35, 0.5, 0.75)]


def semantic(engine, vector: np.ndarray) -> list[tuple[str, float]]:
    found = engine.vectors.search(vector, DEPTH)
    ids = engine.store.embeddings.paper_ids_for_keys([key for key, _ in found])
    return [(ids[key], sim) for key, sim in found if key in ids and sim >= MIN_SIMILARITY]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a BEIR folder (corpus, queries, qrels/)")
    parser.add_argument("--split", default="dev", choices=("train", "dev"), help="never test")
    args = parser.parse_args(argv)
    if not (args.folder / "qrels" / f"{args.split}.tsv").exists():
        print(f"skipped: {args.folder}/qrels/{args.split}.tsv is not here (../shared is needed)")
        return 0
    engine, _ = prepare(args.folder)
    queries, qrels = load_queries(args.folder, args.split)
    scores: dict[tuple[int, float], list[float]] = {v: [] for v in VARIANTS}
    shipped: list[float] = []
    for qid, text in queries.items():
        results = engine.search(text, limit=10)
        shipped.append(ndcg_at_10([h.paper.id for h in results.hits], qrels[qid]))
        keyword = engine.keyword.search(parse_query(text), DEPTH)
        query = engine.embedder.embed_one(text)
        first = fusion.weighted(keyword, semantic(engine, query), engine.semantic_weight)
        rows = engine.store.embeddings.embeddings_for([pid for pid, _ in first[:10]])
        vectors = [from_blob(rows[pid].vector) for pid, _ in first[:10] if pid in rows]
        for k, beta in VARIANTS:
            moved = query
            if beta and vectors:
                moved = query + beta * np.mean(vectors[:k], axis=0)
                moved = (moved / np.linalg.norm(moved)).astype(np.float32)
            fused = fusion.weighted(keyword, semantic(engine, moved), engine.semantic_weight)
            scores[(k, beta)].append(ndcg_at_10([pid for pid, _ in fused[:10]], qrels[qid]))
    table = [
        {"k": k, "beta": beta, "ndcg@10": round(float(np.mean(v)), 4)} for (k, beta), v in scores.items()
    ]
    print(f"{args.folder.name} {args.split}: {len(queries)} queries; shipped hybrid {np.mean(shipped):.4f}")
    print(f"{'k':>3} {'beta':>5} {'nDCG@10':>8}")
    for row in table:
        print(f"{row['k']:>3} {row['beta']:>5} {row['ndcg@10']:>8.4f}")
    out = RESULTS / f"vector_feedback-{args.folder.name}-{args.split}.json"
    out.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": platform.machine(),
                "queries": len(queries),
                "shipped_hybrid": round(float(np.mean(shipped)), 4),
                "variants": table,
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
