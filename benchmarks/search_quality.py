"""Search quality on a BEIR folder: nDCG@10 and Recall@100 of keyword, semantic and hybrid search.

Imports the folder's corpus.jsonl(.gz) into a fresh Paperwire data dir through the real import and
index code, then runs every query of the split through `SearchEngine.search` (the code behind the CLI
and the API), once per mode, and scores the rankings against qrels/<split>.tsv as trec_eval does.

    .venv/bin/python benchmarks/search_quality.py ../shared/data/beir/scifact
    .venv/bin/python benchmarks/search_quality.py ../shared/data/beir/scifact --split train --tune
    .venv/bin/python benchmarks/search_quality.py ../shared/data/beir/scifact --database-url private
    .venv/bin/python benchmarks/search_quality.py ../shared/data/beir/scifact --database-url private \
        --in-database none,semantic,all

--database-url runs the same queries on PostgreSQL too, beside SQLite in the same run, once per
PAPERWIRE_SEARCH_IN_DATABASE choice in --in-database (default `semantic,all`: pgvector beside tantivy,
and full text + pgvector; `none` is the index files on a PostgreSQL store): a server URL (a database
`beir_<dataset>` is created on it), or `private` for a private PostgreSQL 18 + pgvector under
benchmarks/.cache/pg (benchmarks/private_postgres.py). The PostgreSQL copy gets the SQLite copy's
embeddings (same model, same text), not new ones.

--tune prints a grid of fusion weights and title boosts on the chosen split (use train or dev: the
constants in paperwire/search/fusion.py and keyword.py were picked that way); reporting is on test.
The embedded corpus is kept under benchmarks/.cache/ so that later runs skip the embedding.
Exit status 0, or 0 with "skipped: ..." when the folder is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from paperwire import PaperwireError
from paperwire.ingest.bulk import import_files
from paperwire.search import feedback, open_search
from paperwire.search.engine import IN_DATABASE, SearchEngine
from paperwire.search.indexer import embed_pending, rebuild
from paperwire.search.keyword import FieldWeights
from paperwire.settings import load_settings
from paperwire.storage import open_store

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
RESULTS = ROOT / "benchmarks" / "results"
# hybrid-no-feedback: the query's vector as it is, not moved toward its first results (engine.py)
MODES = ("keyword", "semantic", "hybrid", "hybrid-no-feedback", "hybrid-rrf")


def _open(path: Path):
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")


def _find(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz"):
        if (folder / name).exists():
            return folder / name
    raise SystemExit(f"error: {folder} has no {stem}(.gz)")


def load_queries(folder: Path, split: str) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / f"{split}.tsv").open() as f:
        next(f)
        for line in f:
            qid, did, score = line.rstrip("\n").split("\t")
            qrels.setdefault(qid, {})[did] = int(score)
    queries = {}
    with _open(_find(folder, "queries.jsonl")) as f:
        for line in f:
            q = json.loads(line)
            if q["_id"] in qrels:
                queries[q["_id"]] = q["text"]
    return queries, qrels


def ndcg_at_10(ranking: list[str], rels: dict[str, int]) -> float:
    dcg = sum((2 ** rels.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranking[:10]))
    ideal = sorted(rels.values(), reverse=True)[:10]
    idcg = sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at_100(ranking: list[str], rels: dict[str, int]) -> float:
    relevant = {d for d, r in rels.items() if r > 0}
    return len(relevant & set(ranking[:100])) / len(relevant) if relevant else 0.0


def prepare(folder: Path) -> tuple[SearchEngine, float]:
    """The corpus imported, keyword-indexed and embedded in a cached data dir; the embedding rate."""
    data_dir = CACHE / folder.name
    settings = load_settings(data_dir=data_dir)
    store = open_store(settings)
    report = import_files(store, [_find(folder, "corpus.jsonl")])
    if report.rejected:
        print(f"warning: {report.rejected} corpus records rejected", file=sys.stderr)
    engine = open_search(settings, store)
    engine.sync_keyword()
    try:
        embedded = embed_pending(engine)
    except PaperwireError:  # cached embeddings of an earlier model or recipe
        embedded = rebuild(engine)
    return engine, embedded.rate


def prepare_postgres(
    folder: Path, url: str, sqlite: SearchEngine, choices: list[str]
) -> dict[str, SearchEngine]:
    """The corpus imported into PostgreSQL, with the SQLite copy's embeddings and fresh statistics; an
    engine per PAPERWIRE_SEARCH_IN_DATABASE choice, on one store, its index files built."""
    import psycopg

    from paperwire.storage import EmbeddingRow
    from private_postgres import database, private_server

    server = private_server(CACHE / "pg") if url == "private" else url
    db_url = database(server, f"beir_{folder.name}")
    settings = load_settings(data_dir=CACHE / f"{folder.name}-pg", database_url=db_url)
    store = open_store(settings)
    import_files(store, [_find(folder, "corpus.jsonl")])
    engine = open_search(settings, store)
    if store.embeddings.count_unembedded():
        store.embeddings.set_search_meta(
            "embedding_model", sqlite.store.embeddings.get_search_meta("embedding_model")
        )
        after: tuple[int, str] = (0, "")
        while batch := store.embeddings.unembedded_papers(after, 2_000):
            theirs = sqlite.store.embeddings.embeddings_for([p.id for _, p, _ in batch])
            store.embeddings.save_embeddings(
                [
                    EmbeddingRow(p.id, seq, theirs[p.id].text_hash, theirs[p.id].vector)
                    for seq, p, _ in batch
                    if p.id in theirs
                ]
            )
            after = (batch[-1][0], batch[-1][1].id)
        embed_pending(engine)  # any paper the SQLite copy lacks
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ANALYZE papers")  # the lexeme frequencies that keyword ranking weighs words by
    engines = {}
    for choice in choices:
        each = open_search(settings.model_copy(update={"search_in_database": choice}), store)
        each.sync_keyword()
        each.catch_up_vectors()
        engines[f"postgres-{choice}"] = each
    return engines


def run(engine: SearchEngine, queries: dict[str, str], qrels: dict, mode: str) -> dict[str, float]:
    engine.fuse = "rrf" if mode == "hybrid-rrf" else "weighted"
    engine.feedback = 0.0 if mode == "hybrid-no-feedback" else feedback.WEIGHT
    search_mode = "hybrid" if mode.startswith("hybrid") else mode
    nd, rc = [], []
    for qid, text in queries.items():
        results = engine.search(text, limit=100, mode=search_mode)
        ranking = [h.paper.id for h in results.hits]
        nd.append(ndcg_at_10(ranking, qrels[qid]))
        rc.append(recall_at_100(ranking, qrels[qid]))
    return {"ndcg@10": sum(nd) / len(nd), "recall@100": sum(rc) / len(rc)}


def tune(engine: SearchEngine, queries: dict[str, str], qrels: dict) -> list[dict]:
    rows = []
    for title in (0.2, 0.3, 0.5):
        engine.keyword.weights = FieldWeights(title=title)
        for weight in (0.3, 0.4, 0.45, 0.5, 0.55, 0.6):
            engine.semantic_weight = weight
            score = run(engine, queries, qrels, "hybrid")
            rows.append({"title_boost": title, "semantic_weight": weight, **score})
            print(f"title {title:<4} semantic {weight:<5} nDCG@10 {score['ndcg@10']:.4f}", flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a BEIR folder (corpus, queries, qrels/)")
    parser.add_argument("--split", default="test")
    parser.add_argument("--tune", action="store_true", help="grid of fusion weight x title boost on --split")
    parser.add_argument(
        "--database-url", help="also run on PostgreSQL: a server URL, or `private` (see the docstring)"
    )
    parser.add_argument(
        "--in-database",
        default="semantic,all",
        help="with --database-url: the PAPERWIRE_SEARCH_IN_DATABASE choices to run, comma-separated",
    )
    args = parser.parse_args()
    if not args.folder.is_dir():
        print(f"skipped: {args.folder} is absent (it lives in ../shared/data/beir)")
        return 0
    queries, qrels = load_queries(args.folder, args.split)
    started = time.perf_counter()
    engine, rate = prepare(args.folder)
    print(f"embedding rate this run: {rate:.1f} papers/s" if rate else "embeddings reused from the cache")
    print(
        f"{args.folder.name}: {engine.store.papers.count_papers():,} documents ready in "
        f"{time.perf_counter() - started:.0f} s; {len(queries)} {args.split} queries",
        flush=True,
    )
    out: dict = {
        "dataset": args.folder.name,
        "split": args.split,
        "queries": len(queries),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "model": json.loads(engine.info.to_json()),
    }
    engines = {"sqlite": engine}
    if args.database_url:
        choices = [c.strip() for c in args.in_database.split(",") if c.strip()]
        bad = [c for c in choices if c not in IN_DATABASE]
        if bad:
            raise SystemExit(f"error: --in-database takes {', '.join(IN_DATABASE)}, not {bad[0]!r}")
        started = time.perf_counter()
        engines.update(prepare_postgres(args.folder, args.database_url, engine, choices))
        print(f"PostgreSQL copy ready in {time.perf_counter() - started:.0f} s", flush=True)
    table = {}
    for name, each in engines.items():
        # SQLite's figures where they always were; PostgreSQL's under "postgres", by choice.
        where = out if name == "sqlite" else out.setdefault("postgres", {}).setdefault(name[9:], {})
        print(f"-- {name}")
        if args.tune:
            where["grid"] = tune(each, queries, qrels)
            best = max(where["grid"], key=lambda r: r["ndcg@10"])
            print(f"best: {best}")
        else:
            print(f"{'mode':<19} {'nDCG@10':>8} {'R@100':>8}")
            where["results"] = table[name] = {}
            for mode in MODES:
                score = run(each, queries, qrels, mode)
                table[name][mode] = score
                print(f"{mode:<19} {score['ndcg@10']:>8.4f} {score['recall@100']:>8.4f}", flush=True)
    if len(table) > 1:
        print(f"\nnDCG@10 (R@100)     {''.join(f'{m:>19}' for m in MODES)}")
        for name, scores in table.items():
            cells = "".join(f"{s['ndcg@10']:>11.3f} ({s['recall@100']:.3f})" for s in scores.values())
            print(f"{name:<20}{cells}")
    RESULTS.mkdir(exist_ok=True)
    suffix = ("-tune" if args.tune else "") + ("-postgres" if args.database_url else "")
    path = RESULTS / f"search_quality-{args.folder.name}-{args.split}{suffix}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")
    for store in {id(each.store): each.store for each in engines.values()}.values():
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
