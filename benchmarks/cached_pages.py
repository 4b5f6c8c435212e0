"""The app's own time for a cached page: anonymous GETs answered from the page cache, in process.

A visitor who is not signed in gets the daily, trending and API listings from the page cache
(web/cache.py); what such a request costs is the app's fixed overhead: routing, the cache's version
check (a read of the database's counters), building the response. Over HTTP that overhead is a
fraction of the round trip and drowns in its noise, so this calls the ASGI app directly, with the
handlers run inline rather than in the thread pool (the same work, without the hand-over's jitter),
and reports the median microseconds per request over several rounds.

The hub is the first --papers papers of the shared corpus, imported by `paperwire import` into
`benchmarks/.cache/cached_pages/` of the tree whose code runs (so two commits with different
schemas each have their own). Only API every commit since the storage refactor has is used, so
compare_commits.py can run it against older commits too:

    .venv/bin/python benchmarks/cached_pages.py
    .venv/bin/python benchmarks/compare_commits.py --base 081c0ac --only cached_pages --pairs 5
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "arxiv-cs" / "papers.jsonl.gz"
PATHS = "/trending,/api/daily_papers,/"


def hub_dir(papers: int) -> Path:
    """The hub of the tree whose paperwire is imported (PYTHONPATH), not of this script's tree."""
    import paperwire

    tree = Path(paperwire.__file__).resolve().parents[2]
    return tree / "benchmarks" / ".cache" / "cached_pages" / str(papers)


def build(data: Path, papers: int, where: Path) -> None:
    if (where / "paperwire.db").exists():
        return
    where.mkdir(parents=True, exist_ok=True)
    source = where / "papers.jsonl"
    with gzip.open(data, "rt", encoding="utf-8") as f, source.open("w", encoding="utf-8") as out:
        for i, line in enumerate(f):
            if i >= papers:
                break
            out.write(line)
    env = {**os.environ, "PAPERWIRE_DATA_DIR": str(where)}
    subprocess.run([sys.executable, "-m", "paperwire", "import", str(source)], env=env, check=True)


def inline_handlers() -> None:
    """Run sync handlers in the calling thread: the profile and the clock see all of a request."""
    import fastapi.dependencies.utils
    import fastapi.routing

    async def inline(func, *args, **kwargs):
        return func(*args, **kwargs)

    fastapi.routing.run_in_threadpool = inline
    fastapi.dependencies.utils.run_in_threadpool = inline


async def get(app, path: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status: list[int] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


async def measure(app, paths: list[str], requests: int, rounds: int) -> dict[str, list[float]]:
    for path in paths:  # fills the cache
        for _ in range(20):
            status = await get(app, path)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}")
    medians: dict[str, list[float]] = {p: [] for p in paths}
    for _ in range(rounds):
        for path in paths:
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                await get(app, path)
                times.append((time.perf_counter() - started) * 1e6)
            medians[path].append(statistics.median(times))
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--papers", type=int, default=5_000, help="papers in the hub (default 5,000)")
    parser.add_argument("--paths", default=PATHS, help=f"comma-separated (default {PATHS})")
    parser.add_argument("--requests", type=int, default=2_000, help="per path and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--json-out", type=Path, default=ROOT / "benchmarks" / "results" / "cached_pages.json"
    )
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"skipped: the shared corpus {args.data} is absent")
        return 0
    where = hub_dir(args.papers)
    build(args.data, args.papers, where)
    inline_handlers()
    from paperwire.settings import load_settings
    from paperwire.storage import open_store
    from paperwire.web import create_app

    settings = load_settings(data_dir=where, search_indexer=False)
    app = create_app(settings, open_store(settings))
    paths = args.paths.split(",")
    medians = asyncio.run(measure(app, paths, args.requests, args.rounds))
    results = [
        {
            "name": path,
            "median_us": round(statistics.median(m), 1),
            "round_medians_us": [round(x, 1) for x in m],
        }
        for path, m in medians.items()
    ]
    print(f"{'path':<24}{'median us':>12}  rounds")
    for r in results:
        print(f"{r['name']:<24}{r['median_us']:>12.1f}  {r['round_medians_us']}")
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(
        json.dumps(
            {
                "papers": args.papers,
                "requests": args.requests,
                "load_average": os.getloadavg(),
                "results": results,
            },
            indent=1,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
