"""web_load.py's indexing phase: the same URLs at the same load, first idle, then while `serve`'s
background indexer embeds papers, at its lowest CPU priority (the default) and, for comparison, at
normal priority (benchmark-only: search/priority.py's ENABLED flag, set in the spawned server).

The indexing servers run on a copy of the benchmark hub, made afresh each run, in which no paper is
embedded yet: 74,728 papers to embed, far more than the timed windows can finish, so the indexer
embeds through every window. Each window records how many papers it embedded (the store's count of
embeddings, committed 256 at a time), the CPU time of the process the indexer runs in (with
--workers >= 2 that is the supervisor, where background jobs run and no request is served), and how
many papers were still waiting at its end (never 0: else the window would not be all indexing).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PHASES = {
    "idle": "idle (indexer off)",
    "low": "indexing, lowest priority (default)",
    "normal": "indexing, normal priority (benchmark-only)",
}
TARGET_RATIO = 1.5  # issue 21: the daily page's p99 while indexing, over the idle one
# A server whose indexer runs at normal priority: the module flag is benchmark-only, not a setting.
_NORMAL_PRIORITY = (
    "import sys, paperwire.search.priority as p; p.ENABLED = False; "
    "from paperwire.cli import main; sys.argv[0] = 'paperwire'; sys.exit(main())"
)


def hub_copy(data_dir: Path) -> Path:
    """A copy of the benchmark hub to embed into (the cached hub stays unembedded)."""
    target = Path(tempfile.mkdtemp(prefix="web-load-indexing-"))
    shutil.copytree(data_dir, target / "data")
    return target / "data"


def spawn(paperwire: Path, env: dict, data_dir: Path, port: int, workers: int, low: bool, log: Path):
    env = env | {"PAPERWIRE_DATA_DIR": str(data_dir), "PAPERWIRE_SEARCH_INDEXER": "true"}
    command = [str(paperwire)] if low else [sys.executable, "-c", _NORMAL_PRIORITY]
    command += ["serve", "--port", str(port), "--workers", str(workers)]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out)


class Embeddings:
    """Counts in the hub the indexing server embeds into (read through Paperwire's store)."""

    def __init__(self, env: dict, data_dir: Path):
        from paperwire.settings import Settings
        from paperwire.storage import open_store

        settings = Settings(
            data_dir=data_dir, model_dir=Path(env["PAPERWIRE_MODEL_DIR"]), search_indexer=False
        )
        self.store = open_store(settings, create=False)

    def done(self) -> int:
        return self.store.embeddings.count_embeddings()

    def waiting(self) -> int:
        return self.store.embeddings.count_unembedded()

    def wait_for_progress(self, since: int, timeout: float = 600.0) -> None:
        """Until the indexer has committed a batch beyond `since` (the model is loaded, it embeds)."""
        deadline = time.monotonic() + timeout
        while self.done() <= since:
            if time.monotonic() > deadline:
                raise SystemExit(f"error: the indexer embedded nothing in {timeout:.0f} s")
            time.sleep(1)

    def close(self) -> None:
        self.store.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads, not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(
    urls: dict[str, str], rounds: int, load: Callable[[str], dict], server=None, counts=None
) -> tuple[dict[str, list[dict]], dict]:
    """Every URL `rounds` times, interleaved; with an indexing server, what its indexer did meanwhile."""
    runs: dict[str, list[dict]] = {name: [] for name in urls}
    work = {"embedded": 0, "seconds": 0.0, "cpu_s": 0.0, "least_waiting": None}
    for _ in range(rounds):
        for name in urls:
            if counts is None:
                runs[name].append(load(name))
                continue
            done, cpu, started = counts.done(), cpu_seconds(server.pid), time.perf_counter()
            runs[name].append(load(name))
            work["seconds"] += time.perf_counter() - started
            work["cpu_s"] += cpu_seconds(server.pid) - cpu
            work["embedded"] += counts.done() - done
            waiting = counts.waiting()
            if waiting == 0:
                raise SystemExit("error: the indexer ran out of papers during a timed window")
            least = work["least_waiting"]
            work["least_waiting"] = waiting if least is None else min(least, waiting)
    return runs, (work if counts is not None else {})


def summary(runs: dict[str, list[dict]]) -> dict[str, dict]:
    return {
        name: {
            "rps": statistics.median(r["rps"] for r in rs),
            "p50_ms": statistics.median(r["p50"] for r in rs),
            "p99_ms": statistics.median(r["p99"] for r in rs),
            "p99_ms_runs": [r["p99"] for r in rs],
        }
        for name, rs in runs.items()
    }


def report(phases: dict[str, dict], connections: int, rounds: int, duration: int, workers: int) -> dict:
    """Prints the side-by-side table; returns the verdict for the JSON."""
    names = list(phases["idle"]["urls"])
    shown = [p for p in PHASES if p in phases]
    print(
        f"\nindexing phase: the same URLs at {connections} connections, wrk -d{duration}s x {rounds} rounds"
        " (medians); ratio = p99 / idle p99"
    )
    for phase in shown:
        print(f"  {phase:7} = {PHASES[phase]}")
    head = f"{'':24}" + "".join(
        f" {p + ' req/s':>13} {'p50':>6} {'p99':>6}" + (f" {'ratio':>6}" if p != "idle" else "")
        for p in shown
    )
    print(head)
    for name in names:
        line = f"{name:24}"
        idle = phases["idle"]["urls"][name]
        for phase in shown:
            r = phases[phase]["urls"][name]
            line += f" {r['rps']:13.0f} {r['p50_ms']:6.1f} {r['p99_ms']:6.1f}"
            if phase != "idle":
                line += f" {r['p99_ms'] / idle['p99_ms']:6.2f}"
        print(line)
    for phase in shown:
        work = phases[phase].get("indexer")
        if not work:
            continue
        rate = work["embedded"] / work["seconds"] if work["seconds"] else 0.0
        cpu = f", {work['cpu_s']:.1f} CPU-s in the indexer's process" if workers > 1 else ""
        print(
            f"  {phase}: the indexer embedded {work['embedded']:,} papers during the {work['seconds']:.0f} s "
            f"of timed windows ({rate:.1f} papers/s{cpu}); at least {work['least_waiting']:,} were "
            "still waiting at the end of every window, so it was embedding throughout"
        )
    print(
        "  search rows: the idle hub has no vectors, so its searches are by words alone; while indexing"
        " they also embed the query (hybrid), which costs more"
    )
    idle_p99 = phases["idle"]["urls"][names[0]]["p99_ms"]
    verdict = {"target_ratio": TARGET_RATIO, "idle_p99_ms": idle_p99}
    for phase in shown[1:]:
        ratio = phases[phase]["urls"][names[0]]["p99_ms"] / idle_p99
        verdict[f"{phase}_ratio"] = round(ratio, 3)
        if phase == "low":
            verdict["met"] = ratio <= TARGET_RATIO
        judged = f"target <= {TARGET_RATIO}x: {'met' if ratio <= TARGET_RATIO else 'MISSED'}"
        judged = judged if phase == "low" else "for comparison"
        print(f"{names[0]} p99, {PHASES[phase]}: {ratio:.2f}x idle ({judged})")
    return verdict
