"""Searches by meaning filtered by one category on PostgreSQL: the committed plan against the one before
migration 0008, interleaved in one process on the same database.

"before": the category matched through its JSON (no index) and every filtered search walks the HNSW
graph (pgvector's iterative scan); "now": the category matched through the papers_categories index, and
categories with at most postgres_vectors.EXACT_ROWS papers ranked exactly. Each query is a stored paper's
vector with the primary category of another random paper, as search_latency.py's filtered queries pair
a query with a category that need not be near it. Prints p50/p90/p99 and writes JSON.

    .venv/bin/python benchmarks/category_filter.py --database-url "postgresql://postgres:@/scale?host=..."

The database is the `scale` one search_latency.py --database-url builds (1,000,000 papers).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "category_filter.json"
BEFORE = "EXISTS (SELECT 1 FROM json_array_elements_text(p.categories) c WHERE lower(c) = ANY(%s))"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="the scale database of search_latency.py")
    parser.add_argument("--queries", type=int, default=150)
    parser.add_argument("--json-out", type=Path, default=OUT)
    args = parser.parse_args()

    from paperwire.search.query import parse_query
    from paperwire.settings import load_settings
    from paperwire.storage import open_store, postgres_search, postgres_vectors

    settings = load_settings(database_url=args.database_url, secret_key="benchmark-" + "k" * 40)
    store = open_store(settings)
    rng = random.Random(5)
    rows = store._all(
        "SELECT e.embedding::text, p.primary_category FROM embeddings e JOIN papers p ON p.id = e.paper_id "
        "ORDER BY e.key LIMIT 20000"
    )
    vectors = [np.array(json.loads(v), dtype=np.float32) for v, _ in rng.sample(rows, args.queries)]
    categories = [c for _, c in rng.sample(rows, args.queries)]
    now = (postgres_search.CATEGORY_MATCH, postgres_vectors.EXACT_ROWS)
    plans = {"before": (BEFORE, 0), "now": now}
    times: dict[str, list[float]] = {name: [] for name in plans}
    for i, (vector, category) in enumerate(zip(vectors, categories, strict=True)):
        for name in sorted(plans, reverse=bool(i % 2)):  # alternate which goes first
            postgres_search.CATEGORY_MATCH, postgres_vectors.EXACT_ROWS = plans[name]
            started = time.perf_counter()
            store.nearest(vector, 200, parse_query(f"cat:{category} x"))
            times[name].append((time.perf_counter() - started) * 1000)
    postgres_search.CATEGORY_MATCH, postgres_vectors.EXACT_ROWS = now
    store.close()
    result = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "queries": args.queries, "plans": {}}
    print(f"{args.queries} searches by meaning, one category each, 200 neighbours (ms)")
    print(f"{'':8}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}")
    for name, ts in times.items():
        ts = sorted(ts)
        row = {
            "p50_ms": round(statistics.median(ts), 1),
            "p90_ms": round(ts[int(len(ts) * 0.9)], 1),
            "p99_ms": round(ts[int(len(ts) * 0.99)], 1),
            "max_ms": round(ts[-1], 1),
        }
        result["plans"][name] = row
        print(f"{name:<8}" + "".join(f"{v:>8}" for v in row.values()))
    args.json_out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
