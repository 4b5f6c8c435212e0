"""Compare two commits on the import, web load and digest benchmarks, side by side in one run.

Issue 19 (a refactor of storage, CLI, web and tests) must leave every figure where it was. This runs
each benchmark script of both commits in turn, A B, B A, A B ... (so a drift in the machine's speed
falls on both), each commit's own script on its own code: a git worktree of each under
benchmarks/.cache/compare/, imported through PYTHONPATH. Each tree
keeps its own benchmark caches (hubs are built on a tree's first run, not timed in the figures).

Prints, per figure, the median of each commit and the median of the pairwise ratios HEAD/base, and
writes JSON. Skips with a message when ../shared is absent.

    .venv/bin/python benchmarks/compare_commits.py --base 081c0ac --pairs 3
    .venv/bin/python benchmarks/compare_commits.py --base 081c0ac --only cached_pages --pairs 5
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "arxiv-cs" / "papers.jsonl.gz"
WORK = ROOT / "benchmarks" / ".cache" / "compare"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "compare_commits.json"
VECTORS = ROOT / "benchmarks" / ".cache" / "known-item-all" / "paperwire.db"  # the same corpus, embedded


def figures(name: str, result: dict) -> dict[str, float]:
    """The figures of one benchmark run worth comparing, by name (seconds, ms, requests/s)."""
    if name == "import":
        phases = result["phases"]
        return {
            "import s": phases["import"]["median_s"],
            "re-import s": phases["reimport"]["median_s"],
            "import peak RSS MiB": phases["import"]["peak_rss_mib"],
        }
    if name == "cached_pages":
        return {f"{r['name']} cached us": r["median_us"] for r in result["results"]}
    if name == "digest":
        r = result["results"][0]
        return {"digests total s": r["total_s"], "compose s": r["compose_s"], "deliver s": r["deliver_s"]}
    out = {}
    for r in result["results"]:
        out[f"{r['name']} p50 ms"] = r["p50_ms"]
        out[f"{r['name']} p99 ms"] = r["p99_ms"]
        out[f"{r['name']} req/s"] = r["rps"]
    return out


def command(tree: Path, name: str, json_out: Path) -> list[str]:
    script = tree / "benchmarks" / f"{'import' if name == 'import' else name}.py"
    if not script.exists():  # a benchmark newer than the commit: this tree's script on its code
        script = ROOT / "benchmarks" / f"{name}.py"
    args = [sys.executable, str(script), "--json-out", str(json_out), "--data", str(DATA)]
    if name == "import":
        return [*args, "--runs", "1"]
    if name == "cached_pages":
        return [*args, "--rounds", "3"]
    if name == "digest":
        return [*args, "--rounds", "1", "--vectors-from", str(VECTORS)]
    # The indexing phase (newer commits only) is not compared.
    extra = ["--indexing", "off"] if "--indexing" in help_of(script) else []
    return [*args, "--rounds", "1", *extra]


@functools.cache
def help_of(script: Path) -> str:
    """A benchmark script's --help, read once per script (which options its commit has)."""
    tree = script.parents[1]
    return subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, env=env_for(tree)
    ).stdout


def run(cmd: list[str], tree: Path, out: Path, quiet: bool = True) -> dict:
    """One benchmark run's JSON. Its exit status is not checked: a benchmark exits 1 when it misses its
    own target, which a busy machine may make it do; the JSON it wrote is what counts."""
    out.unlink(missing_ok=True)
    done = subprocess.run(cmd, env=env_for(tree), cwd=tree, capture_output=quiet, text=True)
    if not out.exists():
        tail = (done.stderr or "")[-500:]
        raise SystemExit(f"{' '.join(cmd)} wrote no {out} (exit {done.returncode}): {tail}")
    return json.loads(out.read_text())


def env_for(tree: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERWIRE_")}
    env["PYTHONPATH"] = str(tree / "src")
    return env


def _short(rev: str) -> str:
    return subprocess.check_output(["git", "-C", str(ROOT), "rev-parse", "--short", rev], text=True).strip()


def worktree(rev: str) -> Path:
    sha = _short(rev)
    path = WORK / sha
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), sha], check=True)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the commit before the change")
    parser.add_argument("--head", default="HEAD", help="the commit after it (default: HEAD)")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument(
        "--only",
        default="import,web_load,digest",
        help="comma-separated: import, web_load, digest, cached_pages",
    )
    parser.add_argument("--json-out", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"skipped: the shared corpus {DATA} is absent")
        return 0
    head = _short(args.head)
    trees = {"base": worktree(args.base), "head": worktree(args.head)}  # snapshots: edits here stay out
    names = args.only.split(",")
    runs: dict[str, dict[str, list[dict]]] = {n: {"base": [], "head": []} for n in names}
    for name in [n for n in names if n != "import"]:  # a tree's first run builds its hub: not counted
        for side, tree in trees.items():
            out = WORK / f"warmup-{name}-{side}.json"
            print(f"{name} {side}: warm-up (builds caches) ...", flush=True)
            run(command(tree, name, out), tree, out, quiet=False)
    for i in range(args.pairs):
        order = ["base", "head"] if i % 2 == 0 else ["head", "base"]
        for name in names:
            for side in order:
                out = WORK / f"{name}-{side}-{i}.json"
                started = time.time()
                result = run(command(trees[side], name, out), trees[side], out)
                runs[name][side].append({"figures": figures(name, result), "load": os.getloadavg()})
                print(f"pair {i + 1} {name} {side}: {time.time() - started:.0f} s", flush=True)
    table = []
    for name in names:
        keys = runs[name]["base"][0]["figures"]
        for key in keys:
            a = [r["figures"][key] for r in runs[name]["base"]]
            b = [r["figures"][key] for r in runs[name]["head"]]
            ratios = [y / x for x, y in zip(a, b, strict=True) if x]
            table.append(
                {
                    "benchmark": name,
                    "figure": key,
                    "base": statistics.median(a),
                    "head": statistics.median(b),
                    "ratio": statistics.median(ratios) if ratios else None,
                    "ratio_range": [min(ratios), max(ratios)] if ratios else None,
                }
            )
    print(f"\n{'figure':<40} {'base ' + args.base:>14} {'HEAD ' + head:>14} {'HEAD/base':>10}  (range)")
    for row in table:
        lo, hi = row["ratio_range"] or (0, 0)
        print(
            f"{row['figure']:<40} {row['base']:>14.2f} {row['head']:>14.2f} {row['ratio'] or 0:>10.2f}"
            f"  ({lo:.2f}-{hi:.2f})"
        )
    loads = [r["load"][0] for n in names for s in ("base", "head") for r in runs[n][s]]
    print(f"load average (1 min) after each run: {min(loads):.1f} to {max(loads):.1f}")
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(
        json.dumps(
            {
                "base": args.base,
                "head": head,
                "pairs": args.pairs,
                "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
                "table": table,
                "runs": runs,
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
