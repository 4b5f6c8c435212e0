"""Recommendation latency in process, phase by phase, on benchmarks/recommend.py's hub (74,728 papers).

Whatever `paperwire` is on the path is measured, so running it once with PYTHONPATH=<one tree>/src and
once with another compares two commits on the same copy of the hub:

- request: `Recommender.recommend` as benchmarks/recommend.py asks it (an author's 20 earlier papers,
  the pool of the day of their next paper), its first --cases cases, --rounds rounds: round 1 reads
  each day's pool, the later rounds find it kept;
- for-you day / week: `for_you` for a member with 50 saved papers, over the latest announcement day
  and the 7 days ending there, --runs times each;
- candidates: a digest's calls, `recommend(..., candidates=ids)` with one list of 700 papers, 2 topics
  and each case's 20 positives in turn, --runs calls.

The hub is copied once into --work (the database through SQLite's backup, the search folder as files),
where the member and their saved papers are written; the original is only read.

    PYTHONPATH=src .venv/bin/python benchmarks/recommend_speed.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from known_item import cpu_flags  # noqa: E402
from recommend import CACHE, DATA, SEED, draw_cases, load  # noqa: E402

WORK = Path("/tmp/paperwire-recommend-speed")
MEMBER, SAVED, CANDIDATES = "speed@example.org", 50, 700
TOPICS = ["graph neural networks for molecules", "reinforcement learning for robot control"]


def copy_hub(source: Path, work: Path) -> None:
    if (work / "paperwire.db").exists():
        return
    work.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source / 'paperwire.db'}?mode=ro", uri=True)
    dst = sqlite3.connect(work / "paperwire.db")
    src.backup(dst)
    dst.close()
    src.close()
    shutil.copytree(source / "search", work / "search", ignore=shutil.ignore_patterns("*.lock"))
    (work / "models").symlink_to((source / "models").resolve())


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def phases(answers) -> dict[str, float]:
    names = sorted({k for a in answers for k in a.timings_ms})
    return {k: median([a.timings_ms.get(k, 0.0) for a in answers]) for k in names}


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    out = call()
    return (time.perf_counter() - started) * 1000, out


def solves(runs: int) -> dict:
    """The linear model alone on random unit vectors (2,000 background rows, 20 liked, 2 disliked, 384-d),
    BLAS on 2 threads then on 1: today's plain solve, and the precomputed background's (when the tree has
    it)."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    from paperwire.recommend import model

    rng = np.random.default_rng(0)
    rows = [rng.normal(size=(n, 384)).astype(np.float32) for n in (2000, 20, 2)]
    background, positives, negatives = (r / np.linalg.norm(r, axis=1, keepdims=True) for r in rows)
    a = np.eye(385) + (background.T @ background).mean()
    a32 = a.astype(np.float32)
    calls = {
        "plain ridge": lambda: model.ridge(positives, negatives, background),
        "385 x 385 solve, float64": lambda: np.linalg.solve(a, np.ones(385)),
        "385 x 385 solve, float32": lambda: np.linalg.solve(a32, np.ones(385, np.float32)),
    }
    if hasattr(model, "ridge_on"):
        pre = model.Background.of(background)
        pre.decompose()
        calls["Background.of (per pool)"] = lambda: model.Background.of(background)
        calls["eigendecomposition (per pool)"] = lambda: np.linalg.eigh(pre.gram)
        calls["ridge_on, plain solve"] = lambda: model.ridge_on(pre, positives, negatives, fast=False)
        calls["ridge_on, Woodbury"] = lambda: model.ridge_on(pre, positives, negatives)
    out = {}
    for threads in (2, 1):
        with threadpool_limits(threads, user_api="blas"):
            for name, call in calls.items():
                out[f"{name}, {threads} BLAS threads"] = median([timed(call)[0] for _ in range(runs)])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hub", type=Path, default=CACHE, help="benchmarks/recommend.py's data dir")
    parser.add_argument("--work", type=Path, default=WORK, help="where the hub is copied to (once)")
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    if not DATA.exists() or not (args.hub / "paperwire.db").exists():
        print("skipped: the shared data or benchmarks/recommend.py's hub is absent")
        return 0
    import paperwire
    from paperwire.recommend import Recommender
    from paperwire.recommend.foryou import for_you
    from paperwire.search import open_search
    from paperwire.settings import load_settings
    from paperwire.storage import open_store

    copy_hub(args.hub, args.work)
    _, cases = draw_cases(load(DATA), args.cases, SEED)
    settings = load_settings(data_dir=args.work, search_indexer=False)
    store = open_store(settings)
    engine = open_search(settings, store)
    recommender = Recommender(store, engine)
    latest = store.recommendations.latest_announced()
    member = store.users.get_or_create_user(MEMBER)
    if not store.library.signals(member.id).saved:
        earlier, _ = store.periods.day_papers(
            latest - timedelta(days=60), latest - timedelta(days=8), limit=5000
        )
        chosen = random.Random(0).sample([r.paper.id for r in earlier], SAVED)
        store.library.save_papers(member.id, chosen)
    day_rows, _ = store.periods.day_papers(latest - timedelta(days=6), latest, limit=CANDIDATES)
    candidates = [r.paper.id for r in day_rows]
    recommender.recommend(cases[0]["positives"], limit=10)  # the words' rarity sample, read once
    load_before = [round(x, 2) for x in os.getloadavg()]
    out: dict = {"paperwire": str(Path(paperwire.__file__).parents[2]), "cpu_flags": cpu_flags()}
    for r in range(1, args.rounds + 1):
        ms, answers = [], []
        for case in cases:
            day = date.fromisoformat(case["day"])
            t, a = timed(
                lambda c=case, d=day: recommender.recommend(c["positives"], start=d, end=d, limit=10)
            )
            ms.append(t)
            answers.append(a)
        out[f"request round {r}"] = {"median_ms": median(ms), "phases": phases(answers)}
        out.setdefault("top10", [[p.paper.id for p in a.papers] for a in answers])
    for name, start in (("for-you day", latest), ("for-you week", latest - timedelta(days=6))):
        ms = []
        for _ in range(args.runs):
            t, found = timed(lambda s=start: for_you(store, recommender, member.id, s, latest))
            ms.append(t)
        out[name] = {"median_ms": median(ms), "first_ms": round(ms[0], 1), "listed": len(found.papers)}
        out[f"{name} top10"] = [p.row.paper.id for p in found.papers[:10]]
    ms, answers = [], []
    for i in range(args.runs):
        positives = cases[i % len(cases)]["positives"]
        call = lambda p=positives: recommender.recommend(p, topics=TOPICS, candidates=candidates, limit=10)  # noqa: E731
        t, a = timed(call)
        ms.append(t)
        answers.append(a)
    out["candidates"] = {
        "median_ms": median(ms),
        "first_ms": round(ms[0], 1),
        "pool": answers[0].pool,
        "phases": phases(answers),
    }
    out["solves"] = solves(args.runs)
    out["load_average"] = {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]}
    print(json.dumps({k: v for k, v in out.items() if "top10" not in k}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
