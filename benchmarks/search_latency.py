"""Search at scale: a 1,000,000-paper hub built from ../shared/data/arxiv-cs, timed warm.

Steps (each is kept in the work folder and skipped when already done, so the script can be re-run):
1. import the 74,728 real papers and embed them with Paperwire's indexer: the build rate in papers/s;
2. add copies of them with fresh ids up to --papers (default 1,000,000). FOR THIS SCALE TEST ONLY, a
   copy's vector is its original's vector plus small Gaussian noise (sigma 0.01 per dimension,
   renormalised) instead of a new embedding; its text is the original's;
3. bring the keyword index (tantivy) and the vector index (usearch HNSW) up to date;
4. in a fresh process: warm up, then time hybrid searches (query embedding included) in-process;
5. spawn `paperwire serve` on the same folder and time the same searches through GET /api/search.

Prints a table (p50, p99, RSS, sizes on disk) and writes benchmarks/results/search_latency.json.
Exit status 1 when a target of the issue is missed; 0 with "skipped: ..." without ../shared.

    .venv/bin/python benchmarks/search_latency.py            # everything, about an hour the first time

With --database-url (a server URL, or `private` for benchmarks/private_postgres.py), the same queries
run on a PostgreSQL hub with PAPERWIRE_SEARCH_IN_DATABASE=--in-database (default `all`, the hub's:
PostgreSQL full text for words and pgvector for meaning; `semantic`: tantivy files for words). The
papers, their seqs, their float16 vectors and the search_meta rows (as `paperwire copy --to` does) are
copied from a built SQLite hub (--source, default the work folder; it is only read) into a database
`scale` (the first --papers of it, in seq order); the HNSW index, and the GIN index when full text is
timed, are built after the copy; on `semantic` the tantivy index is built from PostgreSQL as a new host
would. Then --rounds rounds, each a fresh process for PostgreSQL and one for the SQLite hub at --source
(unless --no-sqlite; opening it brings its indexes up to date, so it must be a hub you may write), in
turn. --recall 200,600 also measures the semantic candidates' recall against exact search (100 queries):
usearch's, and pgvector's at each hnsw.ef_search given. --keyword-recall 100 (with --in-database all)
measures what bounding PostgreSQL's keyword candidates costs: the top 10 of keyword and of hybrid search
for 100 of the timed queries, against the same with every matching paper scored, by paper and by text (a
copy ties with its original, so which of them fill a top 10 is arbitrary: by text, they count as one).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
COPY_ID = re.compile(r"c\d\d\.")
DATA = ROOT.parent / "shared" / "data" / "arxiv-cs" / "papers.jsonl.gz"
WORK = ROOT / "benchmarks" / ".cache" / "scale"
OUT = ROOT / "benchmarks" / "results" / "search_latency.json"
# embed_papers_s: issue 18, the whole build of the 74,728 real papers on two cores
TARGETS = {"p50_ms": 30.0, "p99_ms": 100.0, "rss_gb": 2.5, "embed_papers_s": 60.0}
TARGETS_PG = {"p50_ms": 50.0, "p99_ms": 150.0}
NOISE = 0.01
FILTERED = 100  # category-filtered queries timed after the plain ones


def settings(work: Path):
    from paperwire.settings import load_settings

    return load_settings(data_dir=work, search_indexer=False)


def state_file(work: Path) -> Path:
    return work / "benchmark-state.json"


def load_state(work: Path) -> dict:
    try:
        return json.loads(state_file(work).read_text())
    except OSError:
        return {}


def save_state(work: Path, state: dict) -> None:
    state_file(work).write_text(json.dumps(state, indent=2))


def build(work: Path, target: int, real: int | None) -> dict:
    from paperwire.ingest.bulk import import_files
    from paperwire.search import open_search
    from paperwire.search.blobs import from_blob, to_blob
    from paperwire.search.indexer import embed_pending
    from paperwire.search.model import paper_text, text_hash
    from paperwire.storage import EmbeddingRow, open_store

    state = load_state(work)
    s = settings(work)
    store = open_store(s)
    engine = open_search(s, store)
    if "real_papers" not in state:
        source = DATA
        if real:  # a smaller run, to try the script out
            source = work / "real-sample.jsonl"
            with gzip.open(DATA, "rt") as f, source.open("w") as out:
                out.writelines(line for _, line in zip(range(real), f, strict=False))
        report = import_files(store, [source])
        state["real_papers"] = store.papers.count_papers()
        print(f"imported {report.summary()}", flush=True)
        save_state(work, state)
    if "embed" not in state:
        pending = store.embeddings.count_unembedded()
        print(f"embedding {pending:,} real papers ...", flush=True)
        report = embed_pending(engine, progress=_ticker(pending))
        tokens_s = report.tokens / report.seconds if report.seconds else 0.0
        state["embed"] = {
            "papers": report.embedded,
            "seconds": report.seconds,
            "papers_s": report.rate,
            "tokens_s": tokens_s,
            "recipe": engine.info.recipe,
        }
        print(
            f"\nembedded {report.embedded:,} in {report.seconds:.0f} s: {report.rate:.1f} papers/s, "
            f"{tokens_s:,.0f} tokens/s",
            flush=True,
        )
        save_state(work, state)
    if store.papers.count_papers() < target:
        print(f"adding copies up to {target:,} papers (vectors: original + noise) ...", flush=True)
        rng = np.random.default_rng(7)
        real = {}
        after = (0, 0)
        while rows := store.embeddings.embeddings_since(after, 20_000):
            for r in rows:
                if "." in r.paper_id and not r.paper_id.startswith("c"):
                    real[r.paper_id] = r.vector
            after = (rows[-1].seq, rows[-1].key)
        originals = [p for p in store.papers.iter_papers(5_000) if not p.id.startswith("c")]
        copy_no, started = 0, time.perf_counter()
        while store.papers.count_papers() < target:
            copy_no += 1
            for start in range(0, len(originals), 5_000):
                room = target - store.papers.count_papers()
                if room <= 0:
                    break
                chunk = originals[start : start + min(5_000, room)]
                from dataclasses import replace

                copies = [replace(p, id=f"c{copy_no:02d}.{p.id}", versions=[]) for p in chunk]
                store.papers.upsert_papers(copies)
                seq = store.papers.change_seq()
                vectors = np.stack([from_blob(real[p.id]) for p in chunk])
                vectors += rng.normal(0, NOISE, vectors.shape).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                store.embeddings.save_embeddings(
                    [
                        EmbeddingRow(c.id, seq, text_hash(paper_text(c.title, c.abstract)), to_blob(v))
                        for c, v in zip(copies, vectors, strict=True)
                    ]
                )
            print(
                f"  {store.papers.count_papers():,} papers ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    if "keyword_build_s" not in state or engine.keyword.behind(store):
        started = time.perf_counter()
        applied = engine.sync_keyword()
        state["keyword_build_s"] = state.get("keyword_build_s", 0) + time.perf_counter() - started
        print(f"keyword index: {applied:,} papers in {time.perf_counter() - started:.0f} s", flush=True)
        save_state(work, state)
    started = time.perf_counter()
    added = engine.vectors.catch_up(store)
    if added:
        engine.vectors.save()
        state["vector_build_s"] = state.get("vector_build_s", 0) + time.perf_counter() - started
        print(f"vector index: {added:,} vectors in {time.perf_counter() - started:.0f} s", flush=True)
        save_state(work, state)
    state["papers"] = store.papers.count_papers()
    state["embeddings"] = store.embeddings.count_embeddings()
    store.close()
    return state


def _ticker(total: int):
    done = [0, time.perf_counter()]

    def tick(n: int) -> None:
        done[0] += n
        if done[0] % 2048 < n or done[0] == total:
            rate = done[0] / (time.perf_counter() - done[1])
            print(f"\r  {done[0]:,}/{total:,} ({rate:.1f}/s)", end="", flush=True)

    return tick


def queries(n: int, seed: int) -> list[str]:
    """Title fragments and abstract fragments of random real papers: what people type."""
    rng = random.Random(seed)
    with gzip.open(DATA, "rt") as f:
        records = [json.loads(line) for line in f]
    out = []
    for record in rng.sample(records, n):
        words = (record["title"] if rng.random() < 0.6 else record.get("abstract", "")).split()
        if len(words) < 3:
            words = record["title"].split()
        start = rng.randrange(0, max(1, len(words) - 6))
        out.append(" ".join(words[start : start + rng.randint(2, 6)]))
    return out


def filtered_queries(n: int, seed: int) -> list[tuple[str, str]]:
    """Queries as above, each with the primary category of another random real paper as a filter."""
    rng = random.Random(seed)
    with gzip.open(DATA, "rt") as f:
        categories = [json.loads(line)["primary_category"] for line in f]
    return [(q, rng.choice(categories)) for q in queries(n, seed)]


def percentiles(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {
        "p50_ms": round(statistics.median(ms), 2),
        "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 2),
        "mean_ms": round(statistics.fmean(ms), 2),
        "n": len(ms),
    }


def rss_gb(pid: int | str = "self") -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024 / 1024, 3)
    return {"rss_gb": fields["VmRSS"], "peak_rss_gb": fields["VmHWM"]}


def measure_in_process(
    work: Path, n: int, database_url: str | None = None, in_database: str = "none"
) -> dict:
    from paperwire.search import Filters, open_search
    from paperwire.storage import open_store

    s = settings(work) if database_url is None else pg_settings(work, database_url, in_database)
    store = open_store(s)
    started = time.perf_counter()
    engine = open_search(s, store)
    engine.catch_up_vectors()
    load_s = time.perf_counter() - started
    if engine.keyword.behind(store):  # e.g. an index the current code refused and started afresh
        raise SystemExit(f"the keyword index in {s.search_dir} is behind its database: build it first")
    for q in queries(50, seed=1):  # warm-up: model loaded, caches filled
        engine.search(q)
    times, steps = [], {}
    for q in queries(n, seed=2):
        t = time.perf_counter()
        results = engine.search(q, limit=10)
        times.append((time.perf_counter() - t) * 1000)
        for k, v in results.timings_ms.items():
            steps.setdefault(k, []).append(v)
    filtered = []  # with a category filter: the semantic side must check its neighbours against it
    for q, category in filtered_queries(FILTERED, seed=3):
        t = time.perf_counter()
        engine.search(q, Filters(categories=[category]), limit=10)
        filtered.append((time.perf_counter() - t) * 1000)
    return {
        **percentiles(times),
        "steps_p50_ms": {k: round(statistics.median(v), 2) for k, v in steps.items()},
        "category_filtered": percentiles(filtered),
        "open_s": round(load_s, 2),
        **rss_gb(),
    }


def measure_http(work: Path, n: int) -> dict:
    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PAPERWIRE_DATA_DIR": str(work), "PAPERWIRE_SEARCH_INDEXER": "false"}
    paperwire = Path(sys.executable).parent / "paperwire"
    proc = subprocess.Popen(
        [paperwire, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.5)
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("serve did not start")
            for q in queries(50, seed=1):
                client.get("/api/search", params={"q": q}).raise_for_status()
            times = []
            for q in queries(n, seed=2):
                t = time.perf_counter()
                client.get("/api/search", params={"q": q, "limit": 10}).raise_for_status()
                times.append((time.perf_counter() - t) * 1000)
        return {**percentiles(times), **rss_gb(proc.pid)}
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def disk_sizes(work: Path) -> dict:
    def size(path: Path) -> int:
        if path.is_file():
            return path.stat().st_size
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())

    db = sum(size(p) for p in work.glob("paperwire.db*"))
    return {
        "database_gb": round(db / 1e9, 3),
        "keyword_index_gb": round(size(work / "search" / "keyword") / 1e9, 3),
        "vector_index_gb": round(size(work / "search" / "vectors.usearch") / 1e9, 3),
    }


def pg_settings(work: Path, url: str, in_database: str = "none"):
    from paperwire.settings import load_settings

    return load_settings(
        data_dir=work / "pg-data", database_url=url, search_indexer=False, search_in_database=in_database
    )


def build_postgres(source: Path, work: Path, server: str, papers: int, full_text: bool) -> tuple[str, dict]:
    """Copy the first `papers` papers of the SQLite hub at source (with seqs, vectors and search_meta)
    into the database `scale`, then build the indexes that searching needs (the GIN index only for
    full_text); returns its URL and the build figures, kept in work/pg-state.json: a re-run copies
    and builds only what is missing."""
    import sqlite3

    import psycopg

    from paperwire.storage import open_store
    from paperwire.storage.postgres_vectors import HalfVec, _HalfVecDumper, halfvec
    from paperwire.storage.rows import PAPER_COLUMNS
    from private_postgres import database

    url = database(server, "scale")
    state = load_pg_state(work)
    if state.get("papers") != papers:
        state = {"papers": papers}
    columns = [*PAPER_COLUMNS, "added_at", "modified_at", "seq"]
    src = sqlite3.connect(f"file:{source / 'paperwire.db'}?mode=ro&immutable=1", uri=True)
    with psycopg.connect(url, autocommit=True) as conn:
        if state.get("copied") != papers:
            open_store(pg_settings(work, url)).close()  # the schema, migrated
            # Indexes are built once after the copy, not row by row.
            conn.execute("DROP INDEX IF EXISTS papers_search, embeddings_hnsw, papers_categories")
            if conn.execute("SELECT count(*) FROM papers").fetchone()[0] != papers:
                conn.execute("TRUNCATE papers CASCADE")
                started = time.perf_counter()
                with conn.cursor() as cur, cur.copy(f"COPY papers ({', '.join(columns)}) FROM STDIN") as copy:
                    rows = src.execute(
                        f"SELECT {', '.join(columns)} FROM papers ORDER BY seq, id LIMIT ?", (papers,)
                    )
                    for i, row in enumerate(rows, 1):
                        copy.write_row(row)
                        if i % 100_000 == 0:
                            print(f"  papers: {i:,} ({time.perf_counter() - started:.0f} s)", flush=True)
                state["copy_papers_s"] = round(time.perf_counter() - started, 1)
                save_pg_state(work, state)  # papers copied by a run that stopped later are kept
            conn.execute("TRUNCATE embeddings")
            started = time.perf_counter()
            oid = conn.execute("SELECT 'halfvec'::regtype::oid").fetchone()[0]
            # COPY's binary rows need a dumper registered under the type's oid in this database.
            conn.adapters.register_dumper(HalfVec, type("HalfVecDumper", (_HalfVecDumper,), {"oid": oid}))
            with (
                conn.cursor() as cur,
                cur.copy(
                    "COPY embeddings (paper_id, seq, text_hash, vector, embedding) FROM STDIN (FORMAT BINARY)"
                ) as copy,
            ):
                copy.set_types(["text", "int8", "text", "bytea", oid])
                rows = src.execute(
                    "SELECT e.paper_id, e.seq, e.text_hash, e.vector FROM embeddings e JOIN "
                    "(SELECT id FROM papers ORDER BY seq, id LIMIT ?) p ON p.id = e.paper_id",
                    (papers,),
                )
                for pid, seq, th, vec in rows:
                    copy.write_row((pid, seq, th, vec, halfvec(vec)))
            state["copy_embeddings_s"] = round(time.perf_counter() - started, 1)
            # The model and the store id, as `paperwire copy --to` copies them: index files built from
            # the source stay valid for the copy (same papers, same seqs).
            for name, value in src.execute("SELECT name, value FROM search_meta"):
                conn.execute(
                    "INSERT INTO search_meta VALUES (%s, %s) ON CONFLICT (name) DO UPDATE SET value = %s",
                    (name, value, value),
                )
            state["copied"] = papers
            save_pg_state(work, state)
            print(f"copied in {state.get('copy_papers_s')} + {state['copy_embeddings_s']} s", flush=True)
        have = {
            r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        }
        built = False
        if "embeddings_hnsw" not in have:
            started = time.perf_counter()
            conn.execute(
                "CREATE INDEX embeddings_hnsw ON embeddings USING hnsw (embedding halfvec_cosine_ops) "
                "WITH (m = 16, ef_construction = 64)"
            )
            state["hnsw_build_s"] = round(time.perf_counter() - started, 1)
            print(f"HNSW index: {state['hnsw_build_s']} s", flush=True)
            built = True
            save_pg_state(work, state)
        if full_text and "papers_search" not in have:
            started = time.perf_counter()
            conn.execute("CREATE INDEX papers_search ON papers USING gin (search)")
            state["gin_build_s"] = round(time.perf_counter() - started, 1)
            print(f"GIN index: {state['gin_build_s']} s", flush=True)
            built = True
            save_pg_state(work, state)
        if "papers_categories" not in have:  # migration 0008's, as it builds it
            started = time.perf_counter()
            conn.execute(
                "CREATE INDEX papers_categories ON papers USING gin (paperwire_categories(categories))"
            )
            state["categories_build_s"] = round(time.perf_counter() - started, 1)
            built = True
            save_pg_state(work, state)
        if built or "analyze_s" not in state:
            started = time.perf_counter()
            conn.execute("VACUUM ANALYZE papers")
            conn.execute("VACUUM ANALYZE embeddings")
            state["analyze_s"] = round(time.perf_counter() - started, 1)
        state["sizes_gb"] = {
            name: round(size / 1e9, 3)
            for name, size in conn.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "WHERE c.relname IN ('papers', 'embeddings', 'papers_search', 'embeddings_hnsw', "
                "'papers_categories')"
            )
        }
    save_pg_state(work, state)
    return url, state


def load_pg_state(work: Path) -> dict:
    path = work / "pg-state.json"
    return json.loads(path.read_text()) if path.exists() else {}


def save_pg_state(work: Path, state: dict) -> None:
    (work / "pg-state.json").write_text(json.dumps(state, indent=2))


def build_keyword_from_postgres(work: Path, url: str, in_database: str, state: dict) -> None:
    """The tantivy index in the PostgreSQL hub's data dir, built from the database as a new host does."""
    from paperwire.search import open_search
    from paperwire.storage import open_store

    s = pg_settings(work, url, in_database)
    with open_store(s) as store:
        engine = open_search(s, store)
        if not engine.keyword.behind(store):
            return
        print("keyword index: building from PostgreSQL ...", flush=True)
        started = time.perf_counter()
        applied = engine.sync_keyword()
        state["keyword_index_s"] = round(state.get("keyword_index_s", 0) + time.perf_counter() - started, 1)
        state["keyword_index_papers"] = state.get("keyword_index_papers", 0) + applied
        state["keyword_index_gb"] = disk_sizes(s.data_dir)["keyword_index_gb"]
    save_pg_state(work, state)
    print(f"keyword index: {applied:,} papers in {state['keyword_index_s']} s", flush=True)


def catch_up_sqlite(work: Path) -> None:
    """Bring the SQLite hub's indexes up to date before it is timed, saying what that took."""
    from paperwire.search import open_search
    from paperwire.storage import open_store

    s = settings(work)
    with open_store(s) as store:
        engine = open_search(s, store)
        started = time.perf_counter()
        applied = engine.sync_keyword()
        added = engine.catch_up_vectors()
        if added:
            engine.vectors.save()
        if applied or added:
            print(
                f"SQLite hub {work}: {applied:,} papers applied to its keyword index and {added:,} vectors "
                f"to its vector index in {time.perf_counter() - started:.0f} s",
                flush=True,
            )


def semantic_recall(source: Path, work: Path, url: str, n: int, ef_values: list[int]) -> dict:
    """recall@10 and @200 of the semantic candidates against exact search over every stored vector, for n
    of the timed queries: usearch (the SQLite hub's index) and pgvector at each hnsw.ef_search."""
    import paperwire.storage.postgres_vectors as pg_vectors
    from paperwire.search import open_search
    from paperwire.storage import open_store

    sq_settings, pg = settings(source), pg_settings(work, url, "semantic")
    with open_store(sq_settings) as sq_store, open_store(pg) as pg_store:
        usearch, pgvector = open_search(sq_settings, sq_store), open_search(pg, pg_store)
        usearch.catch_up_vectors()
        ids, blobs, after = [], [], (0, 0)
        while rows := sq_store.embeddings.embeddings_since(after, 50_000):
            ids += [r.paper_id for r in rows]
            blobs += [r.vector for r in rows]
            after = (rows[-1].seq, rows[-1].key)
        matrix = np.frombuffer(b"".join(blobs), "<f2").reshape(len(ids), -1)
        del blobs
        vectors = [usearch.embedder.embed_one(q) for q in queries(n, seed=2)]
        exact = []
        for v in vectors:
            sims = np.concatenate(
                [matrix[i : i + 200_000].astype(np.float32) @ v for i in range(0, len(ids), 200_000)]
            )
            top = np.argpartition(-sims, 200)[:200]
            exact.append([ids[i] for i in top[np.argsort(-sims[top])]])

        def score(nearest) -> dict:
            r10, r200, ms = [], [], []
            for v, best in zip(vectors, exact, strict=True):
                started = time.perf_counter()
                found = nearest(v)
                ms.append((time.perf_counter() - started) * 1000)
                r10.append(len(set(found[:10]) & set(best[:10])) / 10)
                r200.append(len(set(found) & set(best)) / 200)
            return {
                "recall@10": round(statistics.fmean(r10), 3),
                "recall@200": round(statistics.fmean(r200), 3),
                "p50_ms": round(statistics.median(ms), 2),
            }

        def from_usearch(v) -> list[str]:
            found = usearch.vectors.search(v, 200)
            keys = sq_store.embeddings.paper_ids_for_keys([k for k, _ in found])
            return [keys[k] for k, _ in found if k in keys]

        out = {"queries": n, "usearch": score(from_usearch)}
        default = pg_vectors.EF_SEARCH
        try:
            for ef in ef_values:
                pg_vectors.EF_SEARCH = ef
                out[f"pgvector_ef_search_{ef}"] = score(
                    lambda v: [p for p, _ in pgvector.vectors.nearest(v, 200)]
                )
        finally:
            pg_vectors.EF_SEARCH = default
    return out


def keyword_recall(work: Path, url: str, n: int) -> dict:
    """What the bound on PostgreSQL's keyword candidates costs (`all`): for n of the timed queries, the
    top 10 of keyword search and of hybrid search against the same with every matching paper scored."""
    import paperwire.storage.postgres_search as pg_search
    from paperwire.search import open_search
    from paperwire.storage import open_store

    s = pg_settings(work, url, "all")
    with open_store(s) as store:
        engine = open_search(s, store)
        texts = queries(n, seed=2)

        def run(exact: bool) -> tuple[list[list[str]], list[list[str]], list[float]]:
            saved = pg_search.CANDIDATES, pg_search.EVERY_RAREST
            if exact:
                pg_search.CANDIDATES, pg_search.EVERY_RAREST = 10**9, 10**12
            try:
                keyword, hybrid, ms = [], [], []
                for i, text in enumerate(texts, 1):
                    if i % 10 == 0:
                        how = "every match scored" if exact else "bounded"
                        print(f"  {how}: {i}/{len(texts)}", flush=True)
                    started = time.perf_counter()
                    keyword.append([h.paper.id for h in engine.search(text, limit=10, mode="keyword").hits])
                    ms.append((time.perf_counter() - started) * 1000)
                    hybrid.append([h.paper.id for h in engine.search(text, limit=10, mode="hybrid").hits])
            finally:
                pg_search.CANDIDATES, pg_search.EVERY_RAREST = saved
            return keyword, hybrid, ms

        bounded_kw, bounded_hy, bounded_ms = run(exact=False)
        exact_kw, exact_hy, exact_ms = run(exact=True)

    def overlap(found: list[list[str]], best: list[list[str]]) -> float:
        """The share of the best top 10 found (of its distinct entries)."""
        pairs = zip(found, best, strict=True)
        shares = [len(set(f) & set(b)) / len(set(b)) if b else float(not f) for f, b in pairs]
        return round(statistics.fmean(shares), 3)

    def text(paper_id: str) -> str:
        """The real paper a copy was made from: copies (cNN.<id>) tie with it and with each other."""
        return paper_id.split(".", 1)[1] if COPY_ID.match(paper_id) else paper_id

    def texts_of(lists: list[list[str]]) -> list[list[str]]:
        return [[text(p) for p in found] for found in lists]

    return {
        "queries": n,
        "keyword_recall@10": overlap(bounded_kw, exact_kw),
        "hybrid_recall@10": overlap(bounded_hy, exact_hy),
        # A copy and its original are the same paper to a reader: each text counts once.
        "keyword_recall@10_by_text": overlap(texts_of(bounded_kw), texts_of(exact_kw)),
        "hybrid_recall@10_by_text": overlap(texts_of(bounded_hy), texts_of(exact_hy)),
        "keyword_p50_ms_bounded": round(statistics.median(bounded_ms), 1),
        "keyword_p50_ms_every_match_scored": round(statistics.median(exact_ms), 1),
        "keyword_p99_ms_every_match_scored": round(percentiles(exact_ms)["p99_ms"], 1),
        "per_query": [
            {"query": q, "keyword": [b, e], "hybrid": [bh, eh]}
            for q, b, e, bh, eh in zip(texts, bounded_kw, exact_kw, bounded_hy, exact_hy, strict=True)
        ],
    }


def measure(work: Path, n: int, database_url: str | None = None, in_database: str = "none") -> dict:
    """measure_in_process in a fresh process."""
    extra = ["--database-url", database_url, "--in-database", in_database] if database_url else []
    run = subprocess.run(
        [sys.executable, __file__, "--measure", "--work", str(work), "--queries", str(n), *extra],
        capture_output=True, text=True,
    )  # fmt: skip
    if run.returncode:
        raise SystemExit(f"measuring {work} failed:\n{run.stderr.strip()[-2000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def summary(rounds: list[dict]) -> dict:
    """The median over rounds of each figure (rounds run in turn with the other store's)."""

    def med(get) -> float:
        return round(statistics.median(get(r) for r in rounds), 2)

    return {
        "p50_ms": med(lambda r: r["p50_ms"]),
        "p99_ms": med(lambda r: r["p99_ms"]),
        "category_filtered_p50_ms": med(lambda r: r["category_filtered"]["p50_ms"]),
        "category_filtered_p99_ms": med(lambda r: r["category_filtered"]["p99_ms"]),
        "steps_p50_ms": {
            k: med(lambda r, k=k: r["steps_p50_ms"].get(k, 0.0)) for k in rounds[0]["steps_p50_ms"]
        },
        "rss_gb": med(lambda r: r["rss_gb"]),
        "peak_rss_gb": med(lambda r: r["peak_rss_gb"]),
        "open_s": med(lambda r: r["open_s"]),
        "rounds": len(rounds),
    }


def main_postgres(args) -> int:
    from private_postgres import private_server

    work = args.work.parent / "scale-pg"
    work.mkdir(parents=True, exist_ok=True)
    source = args.source or args.work
    server = (
        private_server(ROOT / "benchmarks" / ".cache" / "pg")
        if args.database_url == "private"
        else args.database_url
    )
    url, state = build_postgres(source, work, server, args.papers, full_text=args.in_database == "all")
    if args.in_database != "all":
        build_keyword_from_postgres(work, url, args.in_database, state)
    if not args.no_sqlite:
        catch_up_sqlite(source)
    runs: dict[str, list[dict]] = {"postgres": [], "sqlite": []}
    for r in range(1, args.rounds + 1):
        print(f"round {r}: PostgreSQL ({args.in_database}) in a fresh process ...", flush=True)
        runs["postgres"].append(measure(work, args.queries, url, args.in_database))
        if not args.no_sqlite:
            print(f"round {r}: SQLite ({source}) in a fresh process ...", flush=True)
            runs["sqlite"].append(measure(source, args.queries))
    bound = None
    if args.keyword_recall:
        print("keyword candidates: bounded against every match scored ...", flush=True)
        bound = keyword_recall(work, url, args.keyword_recall)
        print(f"  {bound}", flush=True)
    recall = None
    if args.recall:
        print("semantic recall against exact search ...", flush=True)
        recall = semantic_recall(source, work, url, 100, [int(x) for x in args.recall.split(",")])
        for name, figures in recall.items():
            if name != "queries":
                print(f"  {name}: {figures}", flush=True)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average": os.getloadavg(),
        "backend": "PostgreSQL 18 + pgvector 0.8",
        "search_in_database": args.in_database,
        "papers": args.papers,
        "copies_note": "copied from the SQLite scale hub: copies of real papers, vectors original + noise",
        "queries": args.queries,
        "category_filtered_queries": FILTERED,
        "build": state,
        "postgres": summary(runs["postgres"]),
        "sqlite": summary(runs["sqlite"]) if runs["sqlite"] else None,
        "runs": runs,
        "semantic_recall": recall,
        "keyword_recall": bound,
        "targets": TARGETS_PG,
    }
    out = OUT.with_name(f"search_latency-postgres-{args.in_database}-{args.papers}.json")
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{args.papers:,} papers, {args.rounds} rounds (medians), hybrid, query embedding included")
    print(f"{'':<34}{'p50 ms':>8}{'p99 ms':>8}{'cat p50':>8}{'cat p99':>8}{'RSS GB':>8}")
    names = {
        "postgres": f"PostgreSQL, in database: {args.in_database}",
        "sqlite": "SQLite, tantivy + usearch",
    }
    for name, res in (("postgres", result["postgres"]), ("sqlite", result["sqlite"])):
        if res:
            print(
                f"{names[name]:<34}{res['p50_ms']:>8}{res['p99_ms']:>8}{res['category_filtered_p50_ms']:>8}"
                f"{res['category_filtered_p99_ms']:>8}{res['rss_gb']:>8}"
            )
            print(f"  steps (p50 ms): {res['steps_p50_ms']}")
    print(f"build: {state}")
    print(f"wrote {out.relative_to(ROOT)}")
    pg = result["postgres"]
    ok = pg["p50_ms"] <= TARGETS_PG["p50_ms"] and pg["p99_ms"] <= TARGETS_PG["p99_ms"]
    if not ok:
        print("MISSED: p50 or p99")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--work", type=Path, default=WORK, help=f"folder for the hub (default {WORK})")
    parser.add_argument("--real", type=int, help="import only the first N real papers (a trial run)")
    parser.add_argument("--database-url", help="time PostgreSQL search: a server URL, or `private`")
    parser.add_argument("--source", type=Path, help="the built SQLite hub to copy (default --work)")
    parser.add_argument(
        "--in-database",
        choices=["semantic", "all"],
        default="all",
        help="PAPERWIRE_SEARCH_IN_DATABASE for the PostgreSQL hub (default all)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="PostgreSQL: timed rounds of each store")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL: do not time --source too")
    parser.add_argument(
        "--recall",
        metavar="EF,EF,...",
        help="PostgreSQL: also the semantic recall of usearch and of pgvector at these hnsw.ef_search values",
    )
    parser.add_argument(
        "--keyword-recall",
        type=int,
        metavar="N",
        help="PostgreSQL, --in-database all: also the top 10 of N queries against every match scored",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the fresh process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_in_process(args.work, args.queries, args.database_url, args.in_database)))
        return 0
    if not DATA.exists():
        print(f"skipped: {DATA} is absent (../shared is not on this machine)")
        return 0
    if args.database_url:
        return main_postgres(args)
    args.work.mkdir(parents=True, exist_ok=True)
    state = build(args.work, args.papers, args.real)
    print("measuring in a fresh process ...", flush=True)
    run = subprocess.run(
        [sys.executable, __file__, "--measure", "--work", str(args.work), "--queries", str(args.queries)],
        capture_output=True,
        text=True,
        check=True,
    )
    in_process = json.loads(run.stdout.strip().splitlines()[-1])
    print("measuring through HTTP ...", flush=True)
    http = measure_http(args.work, args.queries)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "papers": state["papers"],
        "real_papers": state["real_papers"],
        "copies_note": f"copies of real papers with fresh ids; their vectors are the original's plus "
        f"N(0, {NOISE}) noise, renormalised (scale test only)",
        "embedding": state["embed"],
        "keyword_build_s": round(state.get("keyword_build_s", 0), 1),
        "vector_build_s": round(state.get("vector_build_s", 0), 1),
        "in_process": in_process,
        "http": http,
        "disk": disk_sizes(args.work),
        "targets": TARGETS,
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{result['papers']:,} papers ({result['real_papers']:,} real; {result['copies_note']})")
    print(f"{'':<22}{'p50 ms':>8}{'p99 ms':>8}{'RSS GB':>8}")
    for name, r in (("hybrid, in-process", in_process), ("hybrid, HTTP API", http)):
        print(f"{name:<22}{r['p50_ms']:>8}{r['p99_ms']:>8}{r['rss_gb']:>8}")
    print(f"steps (p50 ms): {in_process['steps_p50_ms']}")
    embed = state["embed"]
    print(f"embedding build rate: {embed['papers_s']:.1f} papers/s on {embed['papers']:,} papers")
    print(f"on disk: {result['disk']}")
    print(f"wrote {OUT.relative_to(ROOT)}")
    missed = [
        name
        for name, ok in (
            ("p50", in_process["p50_ms"] <= TARGETS["p50_ms"]),
            ("p99", in_process["p99_ms"] <= TARGETS["p99_ms"]),
            ("rss", in_process["rss_gb"] <= TARGETS["rss_gb"]),
            ("embedding rate", state["embed"]["papers_s"] >= TARGETS["embed_papers_s"]),
        )
        if not ok
    ]
    if missed:
        print(f"MISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
