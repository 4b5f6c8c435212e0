"""Import benchmark: the arxiv-cs corpus into a fresh store, then the same file again.

Each run makes a fresh data dir and times the real CLI as a subprocess, wall clock end to end
(process start-up, schema creation and closing the store included):

1. `paperwire import --quiet FILE` into the empty store: every paper must come out `new`;
2. the same command again: every paper must come out `unchanged`, and `paperwire stats --json` and
   the bytes of the database file must be the same before and after.

Prints a table of medians (min, max) and writes JSON; the exit status is 1 when a target is missed
or a check fails, 0 with "skipped: ..." when the evaluation data is absent (2 when --data names a
missing file). Results are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "arxiv-cs" / "papers.jsonl.gz"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "import.json"
PAPERWIRE = Path(sys.executable).parent / "paperwire"

EXPECTED_PAPERS = 74_728
TARGETS_S = {"import": 30.0, "reimport": 15.0}  # median wall-clock seconds, from the issue

_SUMMARY = re.compile(
    r"(?P<new>\d+) new, (?P<updated>\d+) updated, (?P<unchanged>\d+) unchanged, (?P<rejected>\d+) rejected"
    r"(?:, (?P<failed>\d+) files? failed)? \((?P<seconds>[\d.]+) s, [\d,]+ papers/s\)"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help=f"the file to import (default: {DEFAULT_DATA})")
    parser.add_argument("--runs", type=int, default=3, help="fresh-store runs (default: 3)")
    parser.add_argument("--json-out", type=Path, default=DEFAULT_JSON, help="where to write the results")
    parser.add_argument(
        "--expect",
        type=int,
        default=EXPECTED_PAPERS,
        help=f"papers in the file (default: {EXPECTED_PAPERS:,})",
    )
    args = parser.parse_args()
    data = args.data or DEFAULT_DATA
    if not data.is_file():
        if args.data:
            parser.error(f"--data {data}: no such file")
        print(f"skipped: no evaluation data at {data} (../shared is absent); pass --data FILE to use another")
        return 0
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not PAPERWIRE.is_file():
        parser.error(
            f"{PAPERWIRE} not found: install Paperwire in this Python's environment (pip install -e .)"
        )

    runs = []
    for n in range(1, args.runs + 1):
        run = measure_run(data, args.expect)
        runs.append(run)
        failed = [name for name, ok in run["checks"].items() if not ok]
        print(
            f"run {n}/{args.runs}: import {run['import']['wall_s']:.1f} s, "
            f"re-import {run['reimport']['wall_s']:.1f} s"
            + (f"; FAILED: {', '.join(failed)}" if failed else ""),
            file=sys.stderr,
        )
    result = summarise(data, runs, args)
    print_table(result)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {display_path(args.json_out)}")
    return 0 if result["pass"] else 1


def measure_run(data: Path, expect: int) -> dict:
    """One fresh store: import, then re-import, with every check; the store is deleted afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="paperwire-bench-"))
    # Only the data dir may decide where the store is: drop any PAPERWIRE_* the caller has set.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERWIRE_")}
    env["PAPERWIRE_DATA_DIR"] = str(data_dir)
    try:
        first = run_cli(["import", "--quiet", str(data)], env)
        on_disk = {p.name: p.stat().st_size for p in sorted(data_dir.iterdir())}
        stats_before = json.loads(run_cli(["stats", "--json"], env)["stdout"])
        digest_before = file_digest(data_dir / "paperwire.db")
        second = run_cli(["import", "--quiet", str(data)], env)
        stats_after = json.loads(run_cli(["stats", "--json"], env)["stdout"])
        digest_after = file_digest(data_dir / "paperwire.db")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    all_new = {"new": expect, "updated": 0, "unchanged": 0, "rejected": 0, "failed": 0}
    all_unchanged = {"new": 0, "updated": 0, "unchanged": expect, "rejected": 0, "failed": 0}
    return {
        "import": phase_figures(first),
        "reimport": phase_figures(second),
        "db_files_bytes": on_disk,
        "db_bytes": sum(on_disk.values()),
        "checks": {
            "import_exit_0": first["returncode"] == 0,
            "import_all_new": first["counts"] == all_new,
            "stats_papers_expected": stats_before["papers"] == expect,
            "reimport_exit_0": second["returncode"] == 0,
            "reimport_all_unchanged": second["counts"] == all_unchanged,
            "reimport_stats_unchanged": stats_before == stats_after,
            "reimport_db_bytes_unchanged": digest_before == digest_after,
        },
    }


def run_cli(args: list[str], env: dict[str, str]) -> dict:
    """Run `paperwire ARGS` to the end: wall seconds, exit status, output and the process's own peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([str(PAPERWIRE), *args], env=env, stdout=out, stderr=err)
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would be the maximum over every child so far.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0 and args[0] != "import":
        raise SystemExit(f"`paperwire {' '.join(args)}` failed ({proc.returncode}): {stderr.strip()[-500:]}")
    last = stdout.strip().splitlines()[-1:] or [""]
    match = _SUMMARY.fullmatch(last[0])
    return {
        "wall_s": wall,
        "returncode": proc.returncode,
        "stdout": stdout,
        "stderr_tail": stderr.strip()[-500:],
        "summary": last[0],
        "counts": {k: int(v or 0) for k, v in match.groupdict().items() if k != "seconds"} if match else None,
        "reported_s": float(match["seconds"]) if match else None,
        "maxrss_kib": usage.ru_maxrss,  # KiB on Linux
    }


def phase_figures(r: dict) -> dict:
    return {
        "wall_s": round(r["wall_s"], 3),
        "reported_s": r["reported_s"],  # the CLI's own figure: import_files only, no start-up
        "peak_rss_mib": round(r["maxrss_kib"] / 1024, 1),
        "returncode": r["returncode"],
        "summary": r["summary"],
        "stderr_tail": r["stderr_tail"],
    }


def summarise(data: Path, runs: list[dict], args: argparse.Namespace) -> dict:
    phases = {}
    for phase, target in TARGETS_S.items():
        walls = [r[phase]["wall_s"] for r in runs]
        median = statistics.median(walls)
        phases[phase] = {
            "median_s": round(median, 3),
            "min_s": min(walls),
            "max_s": max(walls),
            "papers_per_s": round(args.expect / median),
            "median_reported_s": statistics.median(r[phase]["reported_s"] or 0.0 for r in runs),
            "peak_rss_mib": max(r[phase]["peak_rss_mib"] for r in runs),
            "target_s": target,
            "pass": median <= target,
        }
    checks = {name: all(r["checks"][name] for r in runs) for name in runs[0]["checks"]}
    command = [display_path(Path(sys.executable)), "benchmarks/import.py"]
    if args.data:
        command += ["--data", str(args.data)]
    if args.runs != 3:
        command += ["--runs", str(args.runs)]
    if args.expect != EXPECTED_PAPERS:
        command += ["--expect", str(args.expect)]
    if args.json_out != DEFAULT_JSON:
        command += ["--json-out", str(args.json_out)]
    return {
        "benchmark": "import",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(command),
        "timing": "wall clock of the `paperwire` subprocess, start-up and closing the store included",
        "machine": machine_info(),
        "data": {"path": display_path(data), "bytes": data.stat().st_size, "sha256": file_digest(data)},
        "expected_papers": args.expect,
        "phases": phases,
        "db_bytes_median": statistics.median(r["db_bytes"] for r in runs),
        "checks": checks,
        "pass": all(p["pass"] for p in phases.values()) and all(checks.values()),
        "runs": runs,
    }


def print_table(result: dict) -> None:
    rows = [("phase", "median s", "min", "max", "papers/s", "target", "pass")]
    for phase, p in result["phases"].items():
        rows.append(
            (
                phase,
                f"{p['median_s']:.2f}",
                f"{p['min_s']:.2f}",
                f"{p['max_s']:.2f}",
                f"{p['papers_per_s']:,}",
                f"≤ {p['target_s']:.0f} s",
                "yes" if p["pass"] else "NO",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            " | ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    phases = result["phases"]
    print(
        f"\n{len(result['runs'])} runs of {result['expected_papers']:,} papers; "
        "wall clock, process start-up included."
        f"\nCLI's own figure (median): import {phases['import']['median_reported_s']:.1f} s, "
        f"re-import {phases['reimport']['median_reported_s']:.1f} s"
        f"\ndatabase on disk after import: {result['db_bytes_median'] / 2**20:,.1f} MiB"
        f"\npeak RSS: import {phases['import']['peak_rss_mib']:.0f} MiB, "
        f"re-import {phases['reimport']['peak_rss_mib']:.0f} MiB"
    )
    failed = [name for name, ok in result["checks"].items() if not ok]
    print("checks: " + (f"FAILED: {', '.join(failed)}" if failed else f"all {len(result['checks'])} passed"))


def machine_info() -> dict:
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "paperwire": paperwire_version(),
        "git_commit": git(["rev-parse", "HEAD"]),
        "src_uncommitted_changes": bool(git(["status", "--porcelain", "--", "src"])),
        "tmp_dir": tempfile.gettempdir(),
    }


def paperwire_version() -> str:
    out = subprocess.run([str(PAPERWIRE), "--version"], capture_output=True, text=True, check=False).stdout
    return out.strip().rsplit(" ", 1)[-1] or "unknown"


def cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def git(args: list[str]) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def display_path(path: Path) -> str:
    """Relative to the repository's root when inside or beside it, so the JSON has no machine paths."""
    path = path.absolute()
    for base, prefix in ((ROOT, ""), (ROOT.parent, "../")):
        if path.is_relative_to(base):
            return prefix + str(path.relative_to(base))
    return str(path)


if __name__ == "__main__":
    sys.exit(main())
