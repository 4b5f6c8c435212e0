"""What extracts cost the index build: the same papers embedded with and without extracts, side by side.

A slice of --papers (default 3,000, drawn with a fixed seed) of ../shared/data/arxiv-cs is imported once
into a fresh data dir; then, --rounds times, every embedding and extract is dropped and the real indexer
(`embed_pending`) builds them again, once without extracts and once with, the order alternating between
rounds so that a machine that slows down or speeds up favours neither. For the runs with extracts it
also reports the CPU time spent choosing extracts on the extracting thread (the model pass that gives
the token vectors is shared with embedding; this is the rest), and for every run the whole process's
CPU time a paper, which a shared machine's other load sways less than the wall clock. Writes
benchmarks/results/extracts-N.json; 0 with "skipped: ..." when ../shared is absent.

    .venv/bin/python benchmarks/extracts.py                  # 3,000 papers, 2 rounds
    .venv/bin/python benchmarks/extracts.py --papers 5000 --rounds 3
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-cs" / "papers.jsonl.gz"
RESULTS = ROOT / "benchmarks" / "results"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent")
        return 0

    from paperwire.ingest.bulk import import_files
    from paperwire.search import indexer, open_search
    from paperwire.settings import load_settings
    from paperwire.storage import open_store

    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    lines = random.Random(args.seed).sample(lines, min(args.papers, len(lines)))
    chosen = [0.0]  # CPU seconds spent in extract() on the thread that runs it
    real_extract = indexer.extract

    def timed_extract(*a, **k):
        started = time.thread_time()
        try:
            return real_extract(*a, **k)
        finally:
            chosen[0] += time.thread_time() - started

    indexer.extract = timed_extract
    runs, sample = [], {}
    with tempfile.TemporaryDirectory(prefix="paperwire-extracts-") as tmp:
        data = Path(tmp)
        source = data / "papers.jsonl.gz"
        with gzip.open(source, "wt", encoding="utf-8") as f:
            f.writelines(lines)
        settings = load_settings(data_dir=data, model_dir=ROOT / "benchmarks" / ".cache" / "model")
        store = open_store(settings)
        import_files(store, [source])
        engine = open_search(settings, store)
        engine.sync_keyword()
        for round_no in range(args.rounds):
            for with_extracts in (False, True) if round_no % 2 == 0 else (True, False):
                store.embeddings.clear_embeddings()
                store.extracts.clear_extracts()
                engine.vectors.clear()
                chosen[0] = 0.0
                cpu = time.process_time()
                report = indexer.embed_pending(engine, extracts=with_extracts)
                cpu = time.process_time() - cpu
                run = {
                    "round": round_no + 1,
                    "extracts": with_extracts,
                    "papers": report.embedded,
                    "seconds": round(report.seconds, 2),
                    "papers_per_s": round(report.rate, 1),
                    "tokens_per_paper": round(report.tokens / max(report.embedded, 1), 1),
                    # CPU seconds of the whole process (every thread): less swayed by other load than
                    # the wall clock on a shared machine
                    "cpu_ms_per_paper": round(cpu * 1000 / max(report.embedded, 1), 1),
                }
                if with_extracts:
                    sample = store.extracts.paper_extracts([json.loads(line)["id"] for line in lines[:5]])
                    run["extracted"] = report.extracted
                    run["extract_cpu_ms_per_paper"] = round(chosen[0] * 1000 / max(report.extracted, 1), 3)
                runs.append(run)
                label = "with extracts   " if with_extracts else "without extracts"
                extra = f", {run['cpu_ms_per_paper']} ms CPU/paper"
                if with_extracts:
                    extra += f", of which choosing extracts {run['extract_cpu_ms_per_paper']}"
                print(
                    f"round {round_no + 1} {label}: {run['papers_per_s']} papers/s "
                    f"({run['seconds']} s){extra}"
                )
        store.close()
    out = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "papers": len(lines),
        "seed": args.seed,
        "runs": runs,
        "sample": {pid: {"summary": x.summary, "keywords": x.keywords} for pid, x in sample.items()},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"extracts-{len(lines)}.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
