"""The digest benchmark's hub (benchmarks/digest.py): web_load's hub of the shared corpus, embedded, and
a copy of it with subscribers whose interests are drawn from the corpus. Built once, cached under
benchmarks/.cache/digest/ (hub/ and subscribed/)."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import web_load

CACHE = Path(__file__).resolve().parent / ".cache" / "digest"
RECENT_DAYS = 30
TOPIC_POOL = 300
ZIPF = 1.1
TIMEZONES = ["UTC", "Europe/Paris", "Europe/London", "America/New_York", "America/Los_Angeles",
             "Asia/Shanghai", "Asia/Tokyo", "Asia/Kolkata"]  # fmt: skip
_STOP_WORDS = """a an and are as at based be by can do does for from how in into is it its of on or our over
the their to toward towards under using via vs we what when where which while why with within without"""
_STOP = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
STATE_FILES = ("web-load-state.json", "digest-state.json", "digest-subscribers.json", "digest-postgres.json")
BASE_DB, RUN_DB = "digest_base", "digest_run"  # with --database-url: the subscribed hub, and each run's copy


# -- the hub ----------------------------------------------------------------------------------------


def settings_for(data_dir: Path, model_dir: Path | None = None, **overrides):
    """Settings for a hub in data_dir, with nothing running in the background."""
    from paperwire.settings import load_settings

    return load_settings(
        data_dir=data_dir,
        model_dir=model_dir or data_dir / "models",
        search_indexer=False,
        ingest_schedule=False,
        digest_schedule=False,
        **overrides,
    )


def prepare_hub(data: Path, vectors_from: Path | None) -> Path:
    """web_load's hub (import + upvotes), at the newest schema, with every paper embedded."""
    hub = CACHE / "hub"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERWIRE_")}
    env.update(
        PAPERWIRE_DATA_DIR=str(hub), PAPERWIRE_INGEST_SCHEDULE="false", PAPERWIRE_SEARCH_INDEXER="false"
    )
    web_load.prepare_hub(data, env)
    for name in env:
        if name.startswith("PAPERWIRE_"):
            os.environ.pop(name, None)  # prepare_hub exports them; settings are passed explicitly below
    state_file = hub / "digest-state.json"
    if state_file.exists():
        return hub
    from paperwire.search import open_search
    from paperwire.search.indexer import embed_pending
    from paperwire.storage import migrate_database, open_store

    settings = settings_for(hub)
    before, after = migrate_database(settings)
    if before != after:
        print(f"schema migrated from {before} to {after}", flush=True)
    with open_store(settings) as store:
        if vectors_from is not None:
            print(f"seeded {_seed_vectors(store, vectors_from):,} vectors from {vectors_from}", flush=True)
        pending = store.embeddings.count_unembedded()
        if pending:
            print(f"embedding {pending:,} papers (once; about 30/s on 2 cores) ...", flush=True)
            # No extracts: digests do not show them, and making them for 74,728 papers takes ~20 minutes.
            report = embed_pending(open_search(settings, store), extracts=False)
            print(f"embedded {report.embedded:,}, kept {report.unchanged_text:,} seeded vectors", flush=True)
        state = {"papers": store.papers.count_papers(), "embedded": store.embeddings.count_embeddings()}
    state_file.write_text(json.dumps(state))
    return hub


def _seed_vectors(store, source: Path) -> int:
    """Copy vectors of the papers that have none from another hub. They are stored as older than
    their paper, so embed_pending compares each text hash and embeds again any that differs."""
    import sqlite3

    from paperwire.storage import EmbeddingRow

    missing, after = [], (0, "")
    while batch := store.embeddings.unembedded_papers(after, 5_000):
        missing += [paper.id for _seq, paper, old in batch if old is None]
        after = (batch[-1][0], batch[-1][1].id)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    copied = 0
    try:
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT paper_id, text_hash, vector FROM embeddings WHERE paper_id IN ({marks})"
            rows = src.execute(sql, chunk).fetchall()
            store.embeddings.save_embeddings(
                [EmbeddingRow(pid, 0, digest, vector) for pid, digest, vector in rows]
            )
            copied += len(rows)
    finally:
        src.close()
    return copied


# -- the subscribers ----------------------------------------------------------------------------------


def prepare_subscribers(hub: Path, args) -> tuple[Path, dict]:
    """A copy of the hub with the subscribers; rebuilt when the options that shape it change."""
    folder = CACHE / "subscribed"
    key = {"subscribers": args.subscribers, "seed": args.seed, "day": args.day and args.day.isoformat()}
    state_file = folder / "digest-subscribers.json"
    if state_file.exists():
        state = json.loads(state_file.read_text())
        if state["key"] == key:
            return folder, state["population"]
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(hub, folder, ignore=shutil.ignore_patterns("models", *STATE_FILES))
    from paperwire.storage import open_store

    with open_store(settings_for(folder, hub / "models")) as store:
        day = args.day or busiest_recent_day(store)
        day_papers = store.periods.day_papers(day, day, limit=1)[1]
        week_papers = store.periods.day_papers(day - timedelta(days=6), day, limit=1)[1]
        print(f"collecting interests from the corpus for {args.subscribers:,} subscribers ...", flush=True)
        pool = corpus_interests(store)
        population = create_subscribers(store, args.subscribers, random.Random(args.seed), pool, day)
    population.update(day=day.isoformat(), day_papers=day_papers, week_papers=week_papers)
    state_file.write_text(json.dumps({"key": key, "population": population}, indent=2))
    return folder, population


def busiest_recent_day(store) -> date:
    """The announcement day with the most papers among the last RECENT_DAYS days of the corpus."""
    days = store.periods.announced_days(date(1991, 1, 1), date(2100, 1, 1))
    recent = [d for d in days if d > days[-1] - timedelta(days=RECENT_DAYS)]
    return max(recent, key=lambda d: (store.periods.day_papers(d, d, limit=1)[1], d))


def corpus_interests(store) -> dict:
    """Topics (frequent title phrases), authors and categories of the corpus, most popular first."""
    grams: list[Counter] = [Counter(), Counter()]  # 2- and 3-word phrases, by papers whose title has them
    authors: Counter = Counter()
    categories: Counter = Counter()
    for paper in store.papers.iter_papers():
        words = _WORD.findall(paper.title.lower())
        for n, counter in ((2, grams[0]), (3, grams[1])):
            found = {
                " ".join(words[i : i + n])
                for i in range(len(words) - n + 1)
                if words[i] not in _STOP and words[i + n - 1] not in _STOP
            }
            counter.update(found)
        authors.update({" ".join(a.split()) for a in paper.authors})
        categories.update(paper.categories)
    # A pair that is nearly always part of one longer phrase ("large language" of "large language
    # models") is not what anyone types: the longer phrase stands for it.
    partial = set()
    for phrase, n in grams[1].most_common(5_000):
        words = phrase.split()
        for pair in (" ".join(words[:2]), " ".join(words[1:])):
            if n >= 0.6 * grams[0][pair]:
                partial.add(pair)
    phrases = Counter({p: n for p, n in grams[0].items() if p not in partial})
    phrases.update(grams[1])
    return {
        "topics": [p for p, _n in phrases.most_common(TOPIC_POOL)],
        "authors": authors.most_common(),
        "categories": categories.most_common(),
    }


def _pick(rng: random.Random, values: list, cum: list[float], k: int) -> list:
    out: list = []
    for _ in range(k * 10):
        if len(out) == k:
            break
        value = rng.choices(values, cum_weights=cum)[0]
        if value not in out:
            out.append(value)
    return out


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def create_subscribers(store, n: int, rng: random.Random, pool: dict, day: date) -> dict:
    """n active subscriptions with varied interests; the members among them have upvotes."""
    from paperwire.digests.links import new_nonce
    from paperwire.models.subscriptions import Preferences
    from paperwire.subscriptions import clean

    topics = pool["topics"]
    topic_cum = _cumulative(1 / (rank + 1) ** ZIPF for rank in range(len(topics)))
    author_names = [a for a, _ in pool["authors"]]
    author_cum = _cumulative(c for _, c in pool["authors"])
    category_names = [c for c, _ in pool["categories"]]
    category_cum = _cumulative(c for _, c in pool["categories"])
    members = set(rng.sample(range(n), min(web_load.MEMBERS, n // 5)))  # a fifth of them upvote papers
    counts: Counter = Counter()
    used_topics: Counter = Counter()
    started = time.perf_counter()
    member = 0
    for i in range(n):
        if i in members:
            email, member = web_load.MEMBER_EMAIL.format(member), member + 1
        else:
            email = f"subscriber{i}@example.net"
        weekly = rng.random() < 0.15
        k_topics = rng.choices(range(6), weights=[15, 25, 25, 20, 10, 5])[0]
        k_authors = rng.choices(range(6), weights=[55, 20, 12, 7, 4, 2])[0]
        k_categories = rng.choices(range(4), weights=[50, 30, 15, 5])[0]
        if not (k_topics or k_authors or k_categories or i in members):
            k_topics = 1
        prefs = clean(
            Preferences(
                frequency="weekly" if weekly else "daily",
                # the form's default weekday, which the benchmark sets to the day's: every weekly one is due
                weekday=day.weekday() if weekly else rng.randrange(7),
                send_time=f"{rng.randrange(5, 10):02d}:{rng.choice(['00', '15', '30', '45'])}",
                timezone=rng.choice(TIMEZONES),
                trending=rng.randint(0, 10),
                for_you=rng.random() < 0.97,
                max_papers=rng.randint(10, 30),
                topics=_pick(rng, topics, topic_cum, k_topics),
                authors=_pick(rng, author_names, author_cum, k_authors),
                categories=_pick(rng, category_names, category_cum, k_categories),
            )
        )
        store.subscriptions.create_subscription(email, prefs, status="active", nonce=new_nonce())
        counts[prefs.frequency] += 1
        counts["members"] += i in members
        counts["topics"] += len(prefs.topics)
        counts["authors"] += len(prefs.authors)
        counts["categories"] += len(prefs.categories)
        counts["for_you"] += prefs.for_you
        used_topics.update(prefs.topics)
        if (i + 1) % 2_000 == 0:
            print(f"  {i + 1:,} subscribers", flush=True)
    return {
        "subscribers": n,
        "daily": counts["daily"],
        "weekly": counts["weekly"],
        "with_upvotes": counts["members"],
        "for_you": counts["for_you"],
        "mean_topics": round(counts["topics"] / n, 2),
        "mean_authors": round(counts["authors"] / n, 2),
        "mean_categories": round(counts["categories"] / n, 2),
        "distinct_topics": len(used_topics),
        "topic_pool": len(topics),
        "top_topics": [t for t, _ in used_topics.most_common(10)],
        "create_s": round(time.perf_counter() - started, 2),
    }


def fresh_copy(subscribed: Path, with_database: bool = True) -> Path:
    """The subscribed hub copied to run/, for one measured run: no ledger yet, nothing sent."""
    run = CACHE / "run"
    if run.exists():
        shutil.rmtree(run)
    skip = STATE_FILES if with_database else (*STATE_FILES, "paperwire.db*")
    shutil.copytree(subscribed, run, ignore=shutil.ignore_patterns(*skip))
    return run


def prepare_postgres(subscribed: Path, url: str) -> str:
    """The subscribed hub copied into database BASE_DB of url's server (`private`: a private server
    under the cache), once; returns the server's URL."""
    import private_postgres
    from paperwire.storage import copy_to

    if url == "private":
        url = private_postgres.private_server(CACHE / "postgresql")
    base = private_postgres.database(url, BASE_DB)
    state_file = subscribed / "digest-postgres.json"
    if not state_file.exists():
        print("copying the subscribed hub into PostgreSQL (once) ...", flush=True)
        started = time.perf_counter()
        report = copy_to(settings_for(subscribed, CACHE / "hub" / "models"), base)
        rows = sum(t.source for t in report.tables)
        print(f"  {rows:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
        state_file.write_text(json.dumps({"rows": rows}))
    return url


def fresh_database(url: str) -> str:
    """A copy of BASE_DB for one measured run (CREATE DATABASE ... TEMPLATE)."""
    import private_postgres

    return private_postgres.database(url, RUN_DB, fresh=True, template=BASE_DB)
