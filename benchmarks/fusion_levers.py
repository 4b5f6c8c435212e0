"""Fusion levers, side by side: how keyword and meaning are mixed, on the known-item queries and on BEIR.

For each query, Paperwire's own candidate lists (keyword and semantic, the top 200 of each, through the
search engine of a cached hub) are fetched once; then every fusion variant ranks from the same lists:
fixed weights for meaning, reciprocal-rank fusion, a weight that follows the keyword side's strength (the
top BM25 score per query word), shorter candidate lists, and pseudo-relevance feedback on vectors (the
query's vector moved 0.35 of the way toward its first 3 fused results' mean; then either the vector
index searched again, as vector_feedback.py does, or the candidates of both sides rescored, as the
engine does) for every query or only for queries of at most n words, and score normalisations other
than min-max over the whole lists (min-max from a fixed rank, z-scores, mean ± 3 standard deviations),
and a higher weight for meaning when the query is a question.
Known-item R@10 overall, by batch (and batch 3 by style) on the 20,000-paper slice that
benchmarks/known_item.py caches;
nDCG@10 on SciFact train and NFCorpus dev (tuning splits only), from the hubs
benchmarks/search_quality.py caches. Run those two first; this script reads their cached hubs and
embeds only the queries.

    .venv/bin/python benchmarks/fusion_levers.py

Prints a table and writes benchmarks/results/fusion_levers.json.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import known_item  # a sibling script: `python benchmarks/fusion_levers.py` puts benchmarks/ on the path
import search_quality
from paperwire.search import feedback, fusion
from paperwire.search.engine import MIN_SIMILARITY
from paperwire.search.query import parse_query
from vector_feedback import semantic as nearest

ROOT = Path(__file__).resolve().parents[1]

BEIR = ROOT.parent / "shared" / "data" / "beir"
DEPTH = 200
Ranked = list[tuple[str, float]]
Lists = tuple[Ranked, Ranked, Ranked, Ranked]


def moved(engine, text: str, keyword: Ranked, semantic: Ranked) -> tuple[Ranked, Ranked]:
    """After feedback: the vector index searched again from the moved vector, and the candidates of both
    sides rescored by their cosine to it (the engine's way, search/feedback.py)."""
    first = [pid for pid, _ in fusion.weighted(keyword, semantic, 0.5)[: feedback.PAPERS]]
    blobs = engine.store.embeddings.vectors_for([pid for pid, _ in semantic] + [pid for pid, _ in keyword])
    vector = engine.embedder.embed_one(text)
    done = feedback.apply(vector, first, blobs, feedback.WEIGHT, MIN_SIMILARITY, DEPTH)
    if done is None:
        return semantic, semantic
    return nearest(engine, done[0]), done[1]


def lists(engine, text: str) -> Lists:
    """The keyword and the semantic candidates, best first, as the hybrid search sees them, and the
    semantic candidates after feedback, both ways."""
    out = []
    for mode in ("keyword", "semantic"):
        ranked: list[tuple[str, float]] = []
        for offset in range(0, DEPTH, 100):
            hits = engine.search(text, limit=100, offset=offset, mode=mode).hits
            ranked += [(h.paper.id, h.keyword if mode == "keyword" else h.semantic) for h in hits]
        out.append([(pid, score) for pid, score in ranked if score is not None])
    return out[0], out[1], *moved(engine, text, out[0], out[1])


def words(text: str) -> int:
    """The words of a query as the engine counts them for feedback."""
    return feedback.words(parse_query(text))


def strength(text: str, keyword: list[tuple[str, float]]) -> float:
    """The top BM25 score per query word: high when the query's words single a paper out."""
    words = max(len(parse_query(text).words), 1)
    return (keyword[0][1] if keyword else 0.0) / words


def scaled(ranked: Ranked, how: str, anchor: int = 0) -> tuple[dict[str, float], float]:
    """A list's scores put on a common scale, and what a paper missing from it scores there. "min-max"
    (the engine's, over the whole list, or from the score at rank `anchor`, clipped at 0), "z" (minus the
    list's mean, over its standard deviation; missing: the list's lowest), "dbsf" (the mean ± 3
    standard deviations mapped to 0..1, clipped)."""
    if not ranked:
        return {}, 0.0
    scores = [x for _, x in ranked]
    if how == "min-max":
        low = scores[min(anchor or len(scores), len(scores)) - 1]
        span = scores[0] - low
        return {p: max(0.0, (x - low) / span) if span > 0 else 1.0 for p, x in ranked}, 0.0
    mean = sum(scores) / len(scores)
    sd = (sum((x - mean) ** 2 for x in scores) / len(scores)) ** 0.5 or 1.0
    if how == "z":
        return {p: (x - mean) / sd for p, x in ranked}, (scores[-1] - mean) / sd
    low, high = mean - 3 * sd, mean + 3 * sd
    return {p: min(1.0, max(0.0, (x - low) / (high - low))) for p, x in ranked}, 0.0


def normalised(keyword: Ranked, semantic: Ranked, weight: float, how: str, anchor: int = 0) -> Ranked:
    (kw, kw_missing), (sem, sem_missing) = scaled(keyword, how, anchor), scaled(semantic, how, anchor)
    mixed = {p: (1 - weight) * kw.get(p, kw_missing) + weight * sem.get(p, sem_missing) for p in {*kw, *sem}}
    return fusion.ordered(mixed)


QUESTION_WORDS = frozenset(
    "how what which why can does do is are when where who should could would will whether".split()  # noqa: SIM905
)


def question(text: str) -> bool:
    """A query in question form: it ends with "?" or starts with a question word (issue 18: a problem
    query is "often a question", and a described problem wants meaning)."""
    first = re.findall(r"[A-Za-z']+", text.lower())[:1]
    return text.strip().endswith("?") or bool(first and first[0] in QUESTION_WORDS)


def variants() -> dict[str, Callable[..., list]]:
    out: dict[str, Callable[..., list]] = {}
    for w in (0.4, 0.5, 0.6, 0.7):
        out[f"weight {w}"] = lambda t, k, s, m, r, w=w: fusion.weighted(k, s, w)
    out["reciprocal rank (k 60)"] = lambda t, k, s, m, r: fusion.rrf(k, s)
    for a, b, c in ((0.45, 0.1, 3.0), (0.5, 0.15, 2.5), (0.45, 0.2, 3.0)):

        def adaptive(t, k, s, m, r, a=a, b=b, c=c):
            return fusion.weighted(k, s, min(0.8, max(0.35, a + b * (c - strength(t, k)))))

        out[f"adaptive {a} + {b} x ({c} - strength)"] = adaptive
    for depth in (50, 100):
        out[f"weight 0.5, {depth} candidates a side"] = lambda t, k, s, m, r, d=depth: fusion.weighted(
            k[:d], s[:d], 0.5
        )
    out["feedback, index searched again, every query"] = lambda t, k, s, m, r: fusion.weighted(k, m, 0.5)
    out["feedback, index searched again, <= 4 words"] = lambda t, k, s, m, r: fusion.weighted(
        k, m if words(t) <= 4 else s, 0.5
    )
    out["feedback, rescored, every query"] = lambda t, k, s, m, r: fusion.weighted(k, r, 0.5)
    for n in (2, 3, 4, 5, 6):
        out[f"feedback, rescored, <= {n} words"] = lambda t, k, s, m, r, n=n: fusion.weighted(
            k, r if words(t) <= n else s, 0.5
        )
    # Score normalisations other than the engine's min-max over the whole lists ("calibrated fusion"),
    # each with feedback for queries of at most 4 words, as shipped.
    for anchor in (20, 50, 100):
        out[f"min-max from rank {anchor}, feedback <= 4 words"] = lambda t, k, s, m, r, a=anchor: normalised(
            k, r if words(t) <= 4 else s, 0.5, "min-max", a
        )
    for w in (0.4, 0.5, 0.6):
        out[f"z-score, weight {w}, feedback <= 4 words"] = lambda t, k, s, m, r, w=w: normalised(
            k, r if words(t) <= 4 else s, w, "z"
        )
    for w in (0.5, 0.6):
        out[f"mean +- 3 sd (DBSF), weight {w}, feedback <= 4 words"] = lambda t, k, s, m, r, w=w: normalised(
            k, r if words(t) <= 4 else s, w, "dbsf"
        )
    for w in (0.6, 0.65, 0.7, 0.8):
        out[f"questions at weight {w}, others 0.5, feedback <= 4 words"] = lambda t, k, s, m, r, w=w: (
            fusion.weighted(k, r if words(t) <= 4 else s, w if question(t) else 0.5)
        )
    return out


Bind = Callable[[object], dict[str, Callable[..., list]]]


def known_item_rows(fuse: dict, bind: Bind | None = None, styles_of: int | None = 3) -> dict[str, dict]:
    """R@10 of each variant: overall, by batch, and by style within batch `styles_of` (None: over every
    batch). `bind(engine)` makes the variants from the hub's engine, for a study that needs it."""
    queries = known_item.load_queries(known_item.QUERIES)
    lines = known_item.corpus_lines()
    chosen = known_item.slice_lines(lines, {q["target"] for q in queries}, 20_000)
    (_, _, engine), _ = known_item.prepare(chosen, known_item.names(chosen, 20_000)[1])
    fuse = bind(engine) if bind else fuse
    cached = {q["qid"]: lists(engine, q["query"]) for q in queries}
    rows = {}
    for name, f in fuse.items():
        hit = {}
        for q in queries:
            ranking = [pid for pid, _ in f(q["query"], *cached[q["qid"]])][:10]
            hit[q["qid"]] = q["target"] in ranking
        row = {"all": sum(hit.values()) / len(hit)}
        for batch in sorted({q["batch"] for q in queries}):
            sel = [q for q in queries if q["batch"] == batch]
            row[f"b{batch}"] = sum(hit[q["qid"]] for q in sel) / len(sel)
        for style in known_item.STYLES:
            sel = [q for q in queries if q["style"] == style and styles_of in (None, q["batch"])]
            row[f"b{styles_of} {style}" if styles_of else style] = sum(hit[q["qid"]] for q in sel) / len(sel)
        rows[name] = row
    return rows


def beir_rows(fuse: dict, name: str, split: str, bind: Bind | None = None) -> dict[str, float]:
    folder = BEIR / name
    engine, _ = search_quality.prepare(folder)
    fuse = bind(engine) if bind else fuse
    queries, qrels = search_quality.load_queries(folder, split)
    cached = {qid: lists(engine, text) for qid, text in queries.items()}
    out = {}
    for variant, f in fuse.items():
        scores = [
            search_quality.ndcg_at_10([pid for pid, _ in f(text, *cached[qid])], qrels[qid])
            for qid, text in queries.items()
        ]
        out[variant] = sum(scores) / len(scores)
    return out


def report(name: str, ki: dict, scifact: dict, nfcorpus: dict, width: int = 47) -> None:
    """Print a study's table (a row a variant) and write it to benchmarks/results/<name>.json."""
    cols = [*next(iter(ki.values())), "SciFact train", "NFCorpus dev"]
    print(f"{'variant':<{width}}" + "".join(f"{c:>14}" for c in cols))
    for variant in ki:
        cells = [*ki[variant].values(), scifact[variant], nfcorpus[variant]]
        print(f"{variant:<{width}}" + "".join(f"{v:>14.3f}" for v in cells))
    out = ROOT / "benchmarks" / "results" / f"{name}.json"
    result = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "known_item_r@10": ki}
    result |= {"scifact_train_ndcg@10": scifact, "nfcorpus_dev_ndcg@10": nfcorpus}
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


def main() -> int:
    if not known_item.CORPUS.exists() or not BEIR.exists():
        print("skipped: ../shared is absent (the known-item corpus and BEIR live there)")
        return 0
    fuse = variants()
    ki = known_item_rows(fuse)
    report("fusion_levers", ki, beir_rows(fuse, "scifact", "train"), beir_rows(fuse, "nfcorpus", "dev"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
