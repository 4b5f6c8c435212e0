"""Harvest benchmark: what one OAI-PMH page costs besides arXiv's 3-second interval.

Renders real arxiv-cs records (title, abstract, authors, categories) as arXivRaw ListRecords pages of
1,000 records (arXiv's page size), serves them from a local HTTP server, and times
`paperwire ingest arxiv` as a subprocess with PAPERWIRE_ARXIV_INTERVAL=0 into a fresh store. Prints
the page size (plain and gzipped), the per-page processing time (fetch over loopback, parse, store)
and the resulting estimate for a full backfill of arXiv CS at the default 3 s interval. Figures are
recorded in docs/ingest.md and docs/benchmarks.md. Prints "skipped: ..." without ../shared.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "arxiv-cs" / "papers.jsonl.gz"
PAPERWIRE = Path(sys.executable).parent / "paperwire"
PER_PAGE = 1000


def raw(r: dict) -> str:
    versions = "".join(
        f'<version version="v{n}"><date>Mon, 17 Mar 2025 10:00:00 GMT</date><size>1024kb</size>'
        "<source_type>D</source_type></version>"
        for n in range(1, int(r.get("version") or 1) + 1)
    )
    comment = f"<comments>{escape(r['comment'])}</comments>" if r.get("comment") else ""
    return (
        f"<record><header><identifier>oai:arXiv.org:{r['id']}</identifier><datestamp>2025-03-18</datestamp>"
        "<setSpec>cs</setSpec></header><metadata>"
        '<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd">'
        f"<id>{r['id']}</id><submitter>{escape(r['authors'][0] if r['authors'] else 'Anonymous')}</submitter>"
        f"{versions}<title>{escape(r['title'])}</title><authors>{escape(', '.join(r['authors']))}</authors>"
        f"<categories>{' '.join(r['categories'])}</categories>{comment}"
        "<license>http://creativecommons.org/licenses/by/4.0/</license>"
        f"<abstract>  {escape(r['abstract'])}\n</abstract></arXivRaw></metadata></record>\n"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--cs-records", type=int, default=1_000_000, help="records in the cs set, for the estimate"
    )
    ap.add_argument("--json-out", type=Path, default=ROOT / "benchmarks" / "results" / "ingest_harvest.json")
    args = ap.parse_args()
    if not args.data.exists():
        if args.data == DEFAULT_DATA:
            print(f"skipped: {args.data} is absent")
            return 0
        print(f"error: {args.data} does not exist", file=sys.stderr)
        return 2
    from tests.support.replay import ReplayServer, Reply, ingest_env, raw_page

    records = []
    with gzip.open(args.data, "rt") as f:
        for line in f:
            records.append(json.loads(line))
            if len(records) == args.pages * PER_PAGE:
                break
    pages = []
    for p in range(args.pages):
        chunk = records[p * PER_PAGE : (p + 1) * PER_PAGE]
        pages.append(raw_page([raw(r) for r in chunk], f"b|{p + 1}" if p + 1 < args.pages else None))
    sizes = [len(b) for b in pages]
    gz_sizes = [len(gzip.compress(b)) for b in pages]

    def route(query):
        token = query.get("resumptionToken")
        return Reply(pages[0 if token is None else int(token.split("|")[1])])

    times = []
    with ReplayServer() as server:
        server.routes["/oai"] = route
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERWIRE_")}
                env |= ingest_env(server) | {"PAPERWIRE_DATA_DIR": tmp}
                started = time.perf_counter()
                out = subprocess.run(
                    [str(PAPERWIRE), "ingest", "arxiv"], env=env, capture_output=True, text=True, check=True
                )
                times.append(time.perf_counter() - started)
                expected = f"{len(records)} new, {args.pages} pages"
                if not out.stdout.startswith(expected):
                    print(f"check failed: {out.stdout!r} does not start with {expected!r}", file=sys.stderr)
                    return 1
    per_page = statistics.median(times) / args.pages
    n_pages = -(-args.cs_records // PER_PAGE)
    estimate_h = n_pages * (3.0 + per_page) / 3600
    result = {
        "pages": args.pages,
        "records": len(records),
        "page_bytes_median": statistics.median(sizes),
        "page_gzip_bytes_median": statistics.median(gz_sizes),
        "run_seconds": times,
        "per_page_seconds_median": per_page,
        "cs_records_assumed": args.cs_records,
        "backfill_hours_at_3s_plus_processing": estimate_h,
    }
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(result, indent=2) + "\n")
    median, low, high = statistics.median(times), min(times), max(times)
    mb, gz_mb = result["page_bytes_median"] / 1e6, result["page_gzip_bytes_median"] / 1e6
    print(f"page of {PER_PAGE} records: {mb:.2f} MB, gzipped {gz_mb:.2f} MB")
    print(f"harvest of {args.pages} pages: median {median:.2f} s (min {low:.2f}, max {high:.2f})")
    print(f"per page (fetch over loopback, parse, store): {per_page:.3f} s")
    print(
        f"estimate for {args.cs_records:,} cs records ({n_pages} pages) at 3 s + {per_page:.2f} s a page:",
        end=" ",
    )
    print(f"{estimate_h:.1f} h")
    return 0


if __name__ == "__main__":
    sys.exit(main())
