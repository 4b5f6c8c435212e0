"""Which typed words are typos, on PostgreSQL: what each search pays to decide it ("did you mean").

Every search with words asks the store which of them no paper has (search/suggest.py). Side by side in
one run, interleaved query by query, on one database:

- `gin`: the way it was first written: one GIN look-up per word (`NOT EXISTS (... search @@ word)`),
  which builds the bitmap of the word's whole postings, so common words cost the most;
- `stats`: `PostgresSearch.typos` today, as keyword search decides it: a word whose lexemes pg_stats
  tracks is in papers, and only the others (short postings) are looked up.

The queries are fragments of 2 to 6 words of random papers' titles and abstracts (as
search_latency.py draws them) and, as many again, the same with one word misspelt (a letter dropped),
so that both kinds of answer are checked: the two must agree on every query.

    # a private server with the 74,728 shared papers imported (once; then reused):
    .venv/bin/python benchmarks/typo_lookup.py
    # any database a hub uses, e.g. search_latency.py's 1,000,000-paper one:
    .venv/bin/python benchmarks/typo_lookup.py --database-url "postgresql://postgres:@/scale?host=..."

Prints a table and writes JSON; 0 with "skipped: ..." when the shared data is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "arxiv-cs" / "papers.jsonl.gz"
CACHE = ROOT / "benchmarks" / ".cache" / "typo_lookup"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "typo_lookup.json"
# The first way: every word of 4+ letters asked of the GIN index.
GIN = (
    "SELECT w FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) "
    "CROSS JOIN LATERAL phraseto_tsquery('english', w) q WHERE numnode(q) = 1 AND "
    "NOT EXISTS (SELECT 1 FROM papers WHERE search @@ (q || phraseto_tsquery('simple', w))) ORDER BY n"
)
_WORD = re.compile(r"[A-Za-z]+")


def queries(n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    with gzip.open(DATA, "rt") as f:
        texts = [f"{p['title']} {p['abstract']}" for p in map(json.loads, f)]
    out = []
    for _ in range(n):
        words = _WORD.findall(rng.choice(texts))
        size = rng.randint(2, 6)
        start = rng.randrange(max(1, len(words) - size))
        out.append(words[start : start + size])
    for q in list(out):  # the same, one word of 5+ letters misspelt
        long = [i for i, w in enumerate(q) if len(w) >= 5]
        if long:
            i = rng.choice(long)
            j = rng.randrange(1, len(q[i]))
            out.append([*q[:i], q[i][:j] + q[i][j + 1 :], *q[i + 1 :]])
    return out


def hub_settings(url: str):
    from paperwire.settings import load_settings

    return load_settings(data_dir=CACHE / "hub", database_url=url, secret_key="benchmark-secret-" + "x" * 32)


def hub_url() -> str:
    """The private server's `typo_lookup` database, with the shared papers imported once."""
    from paperwire.ingest.bulk import import_files
    from paperwire.storage import migrate_database, open_store
    from private_postgres import database, private_server

    url = database(private_server(CACHE / "postgresql"), "typo_lookup")
    settings = hub_settings(url)
    migrate_database(settings)
    with open_store(settings) as store:
        if store.papers.count_papers() == 0:
            print("importing the shared papers ...", flush=True)
            import_files(store, [DATA])
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE papers")
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a hub's PostgreSQL database (default: a private one)")
    parser.add_argument("--queries", type=int, default=300, help="fragments drawn (and as many misspelt)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(f"skipped: {DATA} is not here (../shared is needed)")
        return 0
    from paperwire.storage import open_store

    url = args.database_url or hub_url()
    settings = hub_settings(url)
    sample = queries(args.queries, args.seed)
    times: dict[str, list[float]] = {"gin": [], "stats": []}
    disagree = typos = 0
    with open_store(settings, create=False) as store, psycopg.connect(url, autocommit=True) as conn:
        papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        for q in sample[:20]:  # warm both
            store.typos(q)
            conn.execute(GIN, ([w for w in q if len(w) >= 4 and w.isalpha()],)).fetchall()
        for q in sample:
            typed = [w for w in q if len(w) >= 4 and w.isalpha()]
            start = time.perf_counter()
            old = [r[0] for r in conn.execute(GIN, (typed,)).fetchall()] if typed else []
            times["gin"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            new = store.typos(q)
            times["stats"].append((time.perf_counter() - start) * 1000)
            disagree += old != new
            typos += bool(new)

    def pct(values: list[float], p: float) -> float:
        values = sorted(values)
        return round(values[min(len(values) - 1, int(p * len(values)))], 2)

    rows = {
        name: {"p50_ms": round(statistics.median(v), 2), "p90_ms": pct(v, 0.9), "p99_ms": pct(v, 0.99)}
        for name, v in times.items()
    }
    ratio = round(rows["gin"]["p50_ms"] / rows["stats"]["p50_ms"], 1)
    print(f"{papers:,} papers, {len(sample)} queries ({typos} with a typo found), disagreements: {disagree}")
    print(f"{'way':<6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
    for name, r in rows.items():
        print(f"{name:<6} {r['p50_ms']:>8} {r['p90_ms']:>8} {r['p99_ms']:>8}")
    print(f"p50 ratio gin / stats: {ratio}x")
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "papers": papers,
        "queries": len(sample),
        "with_typo": typos,
        "disagreements": disagree,
        "ways": rows,
        "p50_ratio": ratio,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
