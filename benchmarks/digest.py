"""Digest benchmark: 10,000 subscribers with varied interests over the 74,728 shared arXiv papers, their
digests for one announcement day composed and delivered to a local SMTP server (aiosmtpd).

1. Prepares (once, cached under benchmarks/.cache/digest/): the hub of web_load.py (`paperwire import`
   of the corpus, 2,000 members casting 60,000 upvotes), migrated to the newest schema, every paper
   embedded (`--vectors-from` seeds the vectors from another hub of the same corpus; the indexer still
   checks each one's text hash). Then, in a copy of it, --subscribers active subscriptions, seeded:
   mostly daily, some weekly; topics from a pool of frequent title phrases with Zipf-like popularity,
   authors of the corpus weighted by their paper count, categories by their frequency; a share of
   the subscribers are the members, so "close to a paper you upvoted" is exercised.
2. The day: the busiest announcement day of the corpus's last 30 days. Weekly subscribers keep the
   form's default weekday, set to that day's, so that all of them are due too: every subscriber has a
   digest composed on that day (the heaviest day the hub can have).
3. Starts aiosmtpd in a process of its own (it must not take the sender's GIL) that counts what it
   accepts and checks a sample: Message-ID, List-Unsubscribe, a text/plain and a text/html part.
4. Each round, on a fresh copy of the subscribed hub: DigestSender.run(day=D), as `paperwire digest
   send --date D` does, with PAPERWIRE_SMTP_RATE=0, timed end to end and by phase. The server must
   have received one mail per digest with papers. Medians over --rounds.

Prints a table and writes JSON; exit status 1 when the median total exceeds 60 s (issue 6), 0 with
"skipped: ..." when the shared data is absent.

    .venv/bin/python benchmarks/digest.py --concurrency 1,4,8
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import web_load
from digest_hub import (
    CACHE,
    fresh_copy,
    fresh_database,
    prepare_hub,
    prepare_postgres,
    prepare_subscribers,
    settings_for,
)
from smtp_sink import SmtpServer

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "digest.json"
TARGET_S = 60.0


def main() -> int:
    from paperwire.settings import Settings

    default_concurrency = Settings.model_fields["smtp_concurrency"].default  # the target is judged there
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=web_load.DEFAULT_DATA)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--concurrency",
        default=str(default_concurrency),
        help=f"PAPERWIRE_SMTP_CONCURRENCY values, comma-separated (default {default_concurrency})",
    )
    parser.add_argument("--day", type=date.fromisoformat, help="the announcement day (default: see above)")
    parser.add_argument("--vectors-from", type=Path, help="a paperwire.db of the same corpus to seed vectors")
    parser.add_argument("--profile", action="store_true", help="one more round under cProfile, printed")
    parser.add_argument(
        "--database-url",
        help="run on PostgreSQL: a server URL, or `private` (benchmarks/private_postgres.py)",
    )
    parser.add_argument("--json-out", type=Path, help=f"default {DEFAULT_JSON}, or -postgresql.json")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"skipped: the shared corpus {args.data} is absent")
        return 0
    for name in [k for k in os.environ if k.startswith("PAPERWIRE_")]:
        del os.environ[name]
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    kind = "postgresql" if args.database_url else "sqlite"
    args.json_out = args.json_out or DEFAULT_JSON.with_stem(
        "digest" if kind == "sqlite" else "digest-postgresql"
    )

    hub = prepare_hub(args.data, args.vectors_from)
    subscribed, population = prepare_subscribers(hub, args)
    day = date.fromisoformat(population["day"])
    print(
        f"day {day} ({population['day_papers']} papers; its week {population['week_papers']}); "
        f"{args.subscribers:,} subscribers, setup {population['create_s']:.1f} s",
        flush=True,
    )

    postgres = prepare_postgres(subscribed, args.database_url) if args.database_url else None
    server = SmtpServer().start()
    bench = Bench(subscribed, hub, day, server, postgres)
    runs: dict[int, list[dict]] = {c: [] for c in concurrencies}
    profile_text = None
    try:
        for r in range(args.rounds):
            for c in concurrencies:  # interleaved, so the machine's noise spreads over every setting
                result = measure(bench, c)
                runs[c].append(result)
                print(
                    f"round {r + 1}, concurrency {c}: {result['total_s']:.1f} s "
                    f"(compose {result['compose_s']:.1f} s, deliver {result['deliver_s']:.1f} s), "
                    f"{result['received']:,} mails received; CPU: sender {result['sender_cpu_s']:.1f} s, "
                    f"server {result['server_cpu_s']:.1f} s",
                    flush=True,
                )
        if args.profile:
            profile_text = profile_round(bench, concurrencies[0])
    finally:
        server.stop()

    rows = [summary(c, runs[c]) for c in concurrencies]
    default = next((r for r in rows if r["concurrency"] == default_concurrency), rows[0])
    print_table(args, kind, population, rows, default)
    if profile_text:
        print(profile_text)
    met = default["total_s"] <= TARGET_S
    print(
        f"\ntarget (<= {TARGET_S:.0f} s for {args.subscribers:,} subscribers, concurrency "
        f"{default['concurrency']}): {'met' if met else 'MISSED'}"
    )
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "database": kind,
                "rounds": args.rounds,
                "smtp_rate": 0,
                "population": population,
                "target_s": TARGET_S,
                "met": met,
                "results": rows,
                "runs": {str(c): runs[c] for c in concurrencies},
            },
            indent=2,
        )
        + "\n"
    )
    return 0 if met else 1


# -- one measured run ---------------------------------------------------------------------------------

PHASES = [  # (label, depth) in the order printed; times summed over calls (and threads when delivering)
    ("plan", 0),
    ("active subscriptions", 1),
    ("due periods", 1),
    ("keyword index sync", 1),
    ("compose periods", 1),
    ("pool of papers", 2),
    ("members' profiles", 2),
    ("trending", 2),
    ("for-you model", 2),
    ("for-you ranking", 2),
    ("sent papers", 2),
    ("compose (per subscriber)", 2),
    ("write the ledger", 1),
    ("deliver", 0),
    ("due deliveries", 1),
    ("ranked papers", 1),
    ("claim (thread-s)", 1),
    ("render (thread-s)", 1),
    ("SMTP send (thread-s)", 1),
    ("mark sent (thread-s)", 1),
]


class Phases:
    """Wraps the sender's steps to sum the time spent in each; restore() undoes it."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._undo: list = []

    def wrap(self, owner, name: str, label: str, *, on_result=None) -> None:
        original = getattr(owner, name)
        had_own = isinstance(owner, type) or name in getattr(owner, "__dict__", {})

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                result = original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                with self._lock:
                    self.seconds[label] += elapsed
                    self.calls[label] += 1
            if on_result is not None:
                on_result(args, result)
            return result

        setattr(owner, name, timed)
        self._undo.append((owner, name, original if had_own else None))

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            if original is None:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        self._undo.clear()


def _instrument(sender, store, search, ledger, items: Counter) -> Phases:
    from paperwire.digests import plan, send
    from paperwire.mail import MailSession

    def written(args, _result) -> None:
        for d in args[0]:
            ledger.update(
                repr(
                    (d.subscription_id, d.period, [(i.paper_id, i.section, i.reason) for i in d.items])
                ).encode()
            )
            items["digests"] += 1
            items["papers"] += len(d.items)
            items["with papers"] += bool(d.items)
            reasons = {i.reason.split(" ", 1)[0] if i.reason else i.section for i in d.items}
            for reason, kind in (("trending", "trending"), ("matches", "topic"), ("by", "author"),
                                 ("close", "upvoted"), ("in", "category")):  # fmt: skip
                items[f"with {kind}"] += reason in reasons

    p = Phases()
    p.wrap(sender, "_plan", "plan")
    p.wrap(send, "active_subscriptions", "active subscriptions")
    p.wrap(send, "due_periods", "due periods")
    p.wrap(search, "sync_keyword", "keyword index sync")
    p.wrap(send, "compose_period", "compose periods")
    p.wrap(plan, "_pool", "pool of papers")
    p.wrap(plan, "_profiles", "members' profiles")
    p.wrap(plan, "_trending", "trending")
    p.wrap(plan, "model_scores", "for-you model")
    p.wrap(plan, "rank", "for-you ranking")
    p.wrap(store.digests, "sent_papers", "sent papers")
    p.wrap(plan, "compose", "compose (per subscriber)")
    p.wrap(store.digests, "add_deliveries", "write the ledger", on_result=written)
    p.wrap(sender, "_deliver", "deliver")
    p.wrap(store.digests, "due_deliveries", "due deliveries")
    p.wrap(store.papers, "ranked_papers", "ranked papers")
    p.wrap(store.digests, "claim_delivery", "claim (thread-s)")
    p.wrap(sender.renderer, "message", "render (thread-s)")
    p.wrap(MailSession, "send", "SMTP send (thread-s)")
    p.wrap(store.digests, "delivered", "mark sent (thread-s)")
    return p


@dataclass(frozen=True)
class Bench:
    subscribed: Path  # the hub with its subscribers, copied afresh for every run
    hub: Path
    day: date
    server: SmtpServer
    postgres: str | None = None  # the server's URL with --database-url


def measure(bench: Bench, concurrency: int, profiler=None, threads=None) -> dict:
    """DigestSender.run(day=day) on a fresh copy of the subscribed hub, timed; checks what arrived."""
    from paperwire.digests.send import DigestSender
    from paperwire.mail import Mailer
    from paperwire.search import open_search
    from paperwire.storage import open_store
    from paperwire.web.security import resolve_secret_key

    server, day = bench.server, bench.day
    run = fresh_copy(bench.subscribed, with_database=bench.postgres is None)
    database = {}
    if bench.postgres:
        secret = (bench.subscribed / "secret_key").read_text().strip()
        database = {"database_url": fresh_database(bench.postgres), "secret_key": secret}
    settings = settings_for(
        run, bench.hub / "models", smtp_url=server.url, smtp_rate=0, smtp_concurrency=concurrency, **database
    )
    server.stats()  # zero its counters
    ledger, items = hashlib.sha256(), Counter()
    with open_store(settings) as store:
        search = open_search(settings, store)
        sender = DigestSender(
            settings, store, Mailer.from_settings(settings), search, resolve_secret_key(settings)
        )
        phases = _instrument(sender, store, search, ledger, items)
        if profiler:
            _profile_threads(sender, threads)
        try:
            if profiler:
                profiler.enable()
            load = os.getloadavg()[0]
            started, cpu = time.perf_counter(), time.process_time()
            report = sender.run(day=day)
            total, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            if profiler:
                profiler.disable()
            phases.restore()
        ledger_counts = store.digests.delivery_counts()
    received = server.stats()
    with_papers = report.planned - report.empty
    problems = list(received["problems"])
    if report.error or report.failed or report.retried:
        problems.append(f"the run reported: {report.summary()} {report.error or ''}")
    if not (received["received"] == report.sent == with_papers == ledger_counts.get("sent", 0)):
        problems.append(
            f"{with_papers} digests with papers, {report.sent} sent, {ledger_counts.get('sent', 0)} sent in "
            f"the ledger, {received['received']} received by the server"
        )
    if received["distinct_message_ids"] != received["received"]:
        problems.append(
            f"{received['distinct_message_ids']} distinct Message-IDs in {received['received']} mails"
        )
    if problems:
        raise SystemExit("error: " + "; ".join(problems))
    compose_s, deliver_s = phases.seconds["plan"], phases.seconds["deliver"]
    return {
        "concurrency": concurrency,
        "total_s": total,
        "compose_s": compose_s,
        "deliver_s": deliver_s,
        "digests": report.planned,
        "empty": report.empty,
        "sent": report.sent,
        "received": received["received"],
        "received_mb": received["bytes"] / 1e6,
        "sampled_checked": received["sampled"],
        "sample_warnings": received["warnings"],
        "mails_per_s": report.sent / total,
        "sender_cpu_s": cpu,
        "load_before": load,
        "server_cpu_s": received["cpu_s"],
        "delivered_per_s": report.sent / deliver_s if deliver_s else 0.0,
        "periods": report.periods,
        "phases": {label: round(phases.seconds[label], 3) for label, _ in PHASES},
        "calls": {label: phases.calls[label] for label, _ in PHASES},
        "items": dict(items),
        "ledger_sha256": ledger.hexdigest(),
    }


def _profile_threads(sender, out: list) -> None:
    """The delivery threads, each under a profiler of its own (cProfile sees one thread)."""
    worker = sender._worker

    def profiled(*args):
        p = cProfile.Profile(time.thread_time)
        out.append(p)
        p.enable()
        try:
            worker(*args)
        finally:
            p.disable()

    sender._worker = profiled


def profile_round(bench: Bench, concurrency: int) -> str:
    main, threads = cProfile.Profile(time.thread_time), []
    result = measure(bench, concurrency, profiler=main, threads=threads)
    stats = pstats.Stats(main)
    for p in threads:
        stats.add(p)
    path = CACHE / "digest.pstats"
    stats.dump_stats(path)
    out = io.StringIO()
    stats.stream = out
    print(f"\nprofile: one more round, concurrency {concurrency}, {result['total_s']:.1f} s under cProfile; "
          f"CPU time of every thread (time.thread_time); {path}", file=out)  # fmt: skip
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return out.getvalue()


# -- reporting ----------------------------------------------------------------------------------------


def summary(concurrency: int, runs: list[dict]) -> dict:
    def med(key):
        return statistics.median(r[key] for r in runs)

    first = runs[0]
    return {
        "concurrency": concurrency,
        "total_s": med("total_s"),
        "compose_s": med("compose_s"),
        "deliver_s": med("deliver_s"),
        "mails_per_s": med("mails_per_s"),
        "sender_cpu_s": med("sender_cpu_s"),
        "server_cpu_s": med("server_cpu_s"),
        "load_before": [round(r["load_before"], 1) for r in runs],
        "delivered_per_s": med("delivered_per_s"),
        "total_s_runs": [round(r["total_s"], 2) for r in runs],
        "digests": first["digests"],
        "empty": first["empty"],
        "sent": first["sent"],
        "received": first["received"],
        "received_mb": round(first["received_mb"], 1),
        "sampled_checked": sum(r["sampled_checked"] for r in runs),
        "sample_warnings": {
            w: sum(r["sample_warnings"].get(w, 0) for r in runs)
            for w in {w for r in runs for w in r["sample_warnings"]}
        },
        "periods": first["periods"],
        "items": first["items"],
        "same_digests_every_round": len({r["ledger_sha256"] for r in runs}) == 1,
        "ledger_sha256": first["ledger_sha256"],
        "phases": {label: statistics.median(r["phases"][label] for r in runs) for label, _ in PHASES},
        "calls": first["calls"],
    }


def print_table(args, kind: str, population: dict, rows: list[dict], default: dict) -> None:
    p = population
    print(
        f"\n{p['subscribers']:,} subscribers ({p['daily']:,} daily, {p['weekly']:,} weekly, "
        f"{p['with_upvotes']:,} with upvotes; {p['distinct_topics']} distinct topics); "
        f"day {p['day']} ({p['day_papers']} papers, its week {p['week_papers']}); "
        f"{'SQLite' if kind == 'sqlite' else 'PostgreSQL'}, PAPERWIRE_SMTP_RATE=0, "
        f"{args.rounds} rounds (medians)"
    )
    columns = ("concurrency", "digests", "sent", "total s", "compose s", "deliver s", "mails/s", "received",
               "CPU sender", "CPU server")  # fmt: skip
    print(" ".join(f"{c:>{w}}" for c, w in zip(columns, (11, 8, 7, 8, 10, 10, 8, 9, 11, 11), strict=True)))
    for r in rows:
        print(
            f"{r['concurrency']:>11} {r['digests']:>8,} {r['sent']:>7,} {r['total_s']:>8.1f} "
            f"{r['compose_s']:>10.1f} {r['deliver_s']:>10.1f} {r['mails_per_s']:>8.0f} {r['received']:>9,} "
            f"{r['sender_cpu_s']:>11.1f} {r['server_cpu_s']:>11.1f}"
        )
    for warning, n in default["sample_warnings"].items():
        print(f"\nWARNING: {warning}: {n} of {default['sampled_checked']} sampled messages")
    items = default["items"]
    print(
        f"\ndigests: {items['papers'] / max(items['digests'], 1):.1f} papers each on average; "
        f"with a trending paper {items['with trending']:,}, a topic {items['with topic']:,}, "
        f"an author {items['with author']:,}, a paper close to an upvoted one {items['with upvoted']:,}, "
        f"a category {items['with category']:,}"
    )
    print(
        f"\nphases at concurrency {default['concurrency']} (medians, seconds; thread-s: summed over threads)"
    )
    for label, depth in PHASES:
        print(f"  {'  ' * depth}{label:<{30 - 2 * depth}} {default['phases'][label]:8.2f}  "
              f"({default['calls'][label]:,} calls)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
