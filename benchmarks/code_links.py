"""Code-link extraction cost: `code_link` (paperwire/repos.py) over every abstract and comment of the
arxiv-cs corpus, as `make_paper` runs it at import.

Reads the papers first (not timed), normalises the abstracts as import does, then times the extraction
alone, `--runs` times; prints the median and per-paper cost, how many papers get a link and on which
host, and writes JSON. With `--against COMMIT`, it also runs `paperwire import` of the whole file into
fresh data dirs, alternating this checkout's code and COMMIT's (`git archive` of its src/, put first
on PYTHONPATH), `--import-runs` times each, and reports wall clock and CPU time (user + system) of
both: on a shared machine the CPU time shows the extraction's cost where the wall clock is noise.
Exit status 0 with "skipped: ..." when the evaluation data is absent.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from paperwire.papers import normalize_text
from paperwire.repos import code_link

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "arxiv-cs" / "papers.jsonl.gz"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "code_links.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="arxiv-listing JSON lines (.gz)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json-out", type=Path, default=DEFAULT_JSON)
    parser.add_argument("--against", metavar="COMMIT", help="also time imports against this commit's code")
    parser.add_argument("--import-runs", type=int, default=3)
    args = parser.parse_args()
    if not args.data.is_file():
        if args.data == DEFAULT_DATA:
            print(f"skipped: no evaluation data at {args.data} (../shared is absent)")
            return 0
        print(f"error: {args.data} does not exist", file=sys.stderr)
        return 2
    with gzip.open(args.data, "rt") as f:
        texts = [
            (normalize_text(r.get("abstract")), normalize_text(r.get("comment")) or None)
            for r in map(json.loads, f)
        ]
    seconds, links = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        links = [code_link(abstract, comment) for abstract, comment in texts]
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    hosts = Counter(link.split("/")[2] for link in links if link)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, Python {platform.python_version()}",
        "papers": len(texts),
        "with_link": sum(hosts.values()),
        "hosts": dict(hosts),
        "seconds": seconds,
        "median_s": median,
        "us_per_paper": median / len(texts) * 1e6,
    }
    print(f"{len(texts):,} papers, {result['with_link']:,} with a code link ({dict(hosts)})")
    spread = f"min {min(seconds):.3f}, max {max(seconds):.3f}"
    per_paper = f"{result['us_per_paper']:.1f} µs a paper"
    print(f"extraction: median {median:.3f} s ({spread}) over {args.runs} runs, {per_paper}")
    if args.against:
        result["imports"] = compare_imports(args.data, args.against, args.import_runs)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.json_out.relative_to(ROOT) if args.json_out.is_relative_to(ROOT) else args.json_out}")
    return 0


def compare_imports(data: Path, commit: str, runs: int) -> dict:
    """Median wall clock and CPU seconds of `paperwire import` with this code and with COMMIT's."""
    base = Path(tempfile.mkdtemp(prefix="code-links-base-"))
    archive = subprocess.run(["git", "archive", commit, "src"], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(base, filter="data")
    sources = {commit: base / "src", "this checkout": ROOT / "src"}
    runs_of: dict[str, list[dict]] = {name: [] for name in sources}
    try:
        for i in range(runs):
            for name, src in sources.items():
                runs_of[name].append(_import_once(data, src))
                r = runs_of[name][-1]
                print(
                    f"import {i + 1}/{runs} {name}: wall {r['wall_s']:.1f} s, cpu {r['cpu_s']:.1f} s",
                    flush=True,
                )
    finally:
        shutil.rmtree(base)
    out = {}
    for name, done in runs_of.items():
        wall, cpu = (statistics.median(r[k] for r in done) for k in ("wall_s", "cpu_s"))
        out[name] = {"runs": done, "median_wall_s": wall, "median_cpu_s": cpu}
        print(f"{name}: median wall {wall:.2f} s, median cpu {cpu:.2f} s")
    return out


def _import_once(data: Path, src: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="code-links-import-") as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERWIRE_")}
        env.update(PYTHONPATH=str(src), PAPERWIRE_DATA_DIR=folder)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "paperwire", "import", "--quiet", str(data)],
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode:
            raise SystemExit(f"paperwire import failed: {done.stderr.strip()}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "summary": done.stdout.strip().splitlines()[-1],
        "load": os.getloadavg()[0],
    }


if __name__ == "__main__":
    sys.exit(main())
