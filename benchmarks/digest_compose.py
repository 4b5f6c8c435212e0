"""Composing digests on a small hub, timed per subscriber: the "for you" section through the shared
ranking (recommend/foryou.py) without the 20-minute embedding build of digest.py.

Imports the papers first listed on the corpus's last --days listing days, embeds them, adds --subscribers
subscriptions drawn as digest.py draws them (topics from frequent title phrases, authors, categories;
a fifth are members, who get saved, upvoted and dismissed papers of the days before the last), then
times plan.compose_period for the last day: a first run (the recommender's caches cold) and --rounds
more, and reports milliseconds per subscriber and per call of the model.

    .venv/bin/python benchmarks/digest_compose.py --subscribers 500
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import web_load
from digest_hub import corpus_interests, create_subscribers, settings_for


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=web_load.DEFAULT_DATA)
    parser.add_argument("--days", type=int, default=3, help="listing days of papers imported")
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hub", type=Path, help="a folder to keep the hub in (default: a temporary one)")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"skipped: the shared corpus {args.data} is absent")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        return run(args, args.hub or Path(tmp))


def run(args, folder: Path) -> int:
    from paperwire.digests import plan
    from paperwire.ingest.bulk import import_files
    from paperwire.recommend.service import Recommender
    from paperwire.search import open_search
    from paperwire.search.indexer import embed_pending
    from paperwire.storage import open_store
    from paperwire.subscriptions import daily_period

    with gzip.open(args.data, "rt") as lines:
        records = [json.loads(line) for line in lines]
    days = sorted({r["first_listed_date"] for r in records if r.get("first_listed_date")})[-args.days :]
    chosen = [r for r in records if r.get("first_listed_date") in days]
    day = date.fromisoformat(days[-1])
    path = folder / "papers.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in chosen))
    settings = settings_for(folder / "hub")
    with open_store(settings) as store:
        if not store.periods.day_papers(day, day, limit=1)[1]:
            started = time.perf_counter()
            import_files(store, [path])
            engine = open_search(settings, store)
            embed_pending(engine, extracts=False)
            print(f"{len(chosen):,} papers of {days[0]}..{days[-1]} imported and embedded in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
            rng = random.Random(args.seed)
            population = create_subscribers(store, args.subscribers, rng, corpus_interests(store), day)
            _members(store, rng, [r["id"] for r in chosen if r["first_listed_date"] != days[-1]])
            print(f"{args.subscribers} subscribers: {population['with_upvotes']} members", flush=True)
        engine = open_search(settings, store)
        subs = plan.active_subscriptions(store)
        period = daily_period(day)
        calls = Counter()
        model_scores = plan.model_scores

        def counted(*a, **kw):
            calls["model"] += 1
            started = time.perf_counter()
            try:
                return model_scores(*a, **kw)
            finally:
                calls["model_s"] += time.perf_counter() - started

        plan.model_scores = counted
        times = []
        for r in range(args.rounds + 1):
            calls.clear()
            recommender = Recommender(store, engine)  # as a sender holds one for its life
            started = time.perf_counter()
            digests = plan.compose_period(store, engine, period, subs, "bench", recommender)
            elapsed = time.perf_counter() - started
            times.append(elapsed)
            with_for_you = sum(1 for d in digests if any(i.section == "for_you" for i in d.items))
            empty = sum(1 for d in digests if not d.items)
            print(
                f"{'first' if r == 0 else f'round {r}'}: {elapsed:.2f} s for {len(subs)} subscribers, "
                f"{elapsed / len(subs) * 1000:.1f} ms each; the model {calls['model']} times, "
                f"{calls['model_s'] / max(calls['model'], 1) * 1000:.0f} ms a call "
                f"({calls['model_s']:.2f} s); {with_for_you} digests with for-you papers, {empty} empty",
                flush=True,
            )
        plan.model_scores = model_scores
        warm = statistics.median(times[1:]) if len(times) > 1 else times[0]
        print(f"median of the warm rounds: {warm / len(subs) * 1000:.1f} ms a subscriber; "
              f"day {day}: {store.periods.day_papers(day, day, limit=1)[1]} papers")  # fmt: skip
    return 0


def _members(store, rng: random.Random, earlier: list[str]) -> None:
    """Members' libraries: 5 saved, 5 upvoted and 2 dismissed papers of the days before, each."""
    for i in range(web_load.MEMBERS):
        email = web_load.MEMBER_EMAIL.format(i)
        if store.subscriptions.find_subscription(email) is None:
            continue
        user = store.users.get_or_create_user(email)
        picks = rng.sample(earlier, 12)
        for pid in picks[:5]:
            store.library.set_saved(user.id, pid, True)
        for pid in picks[5:10]:
            store.votes.set_vote(user.id, pid, True)
        for pid in picks[10:]:
            store.library.set_mark(user.id, pid, "not_interested", True)


if __name__ == "__main__":
    raise SystemExit(main())
