"""Import Hugging Face daily papers: the papers, the day each was featured, its submitter and upvotes.

Papers the hub lacks are fetched by id from arXiv, whose record is complete (categories, versions);
Hugging Face's own record is the fallback, and an entry with no abstract there either is an error.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date

from paperwire.ingest.byid import fetch_by_id
from paperwire.ingest.hf_api import HfEntry, parse_daily_papers
from paperwire.ingest.http import Fetchers
from paperwire.models.ingest import HfFeature
from paperwire.models.papers import Links
from paperwire.storage import Store

log = logging.getLogger("paperwire.ingest")
PAGE_SIZE = 100
MAX_PAGES = 100  # a month is a few hundred papers; this bounds a server that never stops paging


def fetch_daily_papers(
    fetchers: Fetchers, hf_url: str, period: dict[str, str], counts: Counter
) -> list[HfEntry]:
    """Every entry of a period ({"date": ...}, {"week": ...} or {"month": ...}), page by page."""
    entries: list[HfEntry] = []
    for page in range(MAX_PAGES):
        params = {**period, "p": str(page), "limit": str(PAGE_SIZE)}
        got, rejected = parse_daily_papers(fetchers.hf.get(f"{hf_url}/api/daily_papers", params).content)
        for reason in rejected:
            log.warning("hf: rejected %s", reason)
        counts["rejected"] += len(rejected)
        seen = {(e.paper.id, e.featured) for e in entries}
        fresh = [e for e in got if (e.paper.id, e.featured) not in seen]
        entries += fresh
        # A short page is the last; a page of nothing new means the server ignores `p`.
        if len(got) + len(rejected) < PAGE_SIZE or not fresh:
            break
    return entries


def ingest_hf(
    store: Store, fetchers: Fetchers, hf_url: str, api_url: str, period: dict[str, str], counts: Counter
) -> list[HfEntry]:
    entries = fetch_daily_papers(fetchers, hf_url, period, counts)
    fallback_day = date.fromisoformat(period["date"]) if "date" in period else None
    by_id = {e.paper.id: e for e in entries}
    missing = [pid for pid in by_id if store.papers.get_paper(pid) is None]
    fetched = (
        {r.paper.id: r.paper for r in fetch_by_id(fetchers.arxiv, api_url, missing) if r.paper}
        if missing
        else {}
    )
    papers = []
    for pid in missing:
        hf = by_id[pid].paper
        paper = fetched.get(pid)
        if paper is None and not hf.abstract:
            log.error("hf: %s has no abstract on Hugging Face and arXiv does not know it", pid)
            counts["failed"] += 1
            continue
        if paper is None:
            paper = hf
        else:
            code = hf.links.code or paper.links.code  # Hugging Face's githubRepo, else arXiv's abstract's
            paper.links = Links(paper.links.abstract, paper.links.pdf, code, hf.links.project)
        papers.append(paper)
    outcomes = store.papers.upsert_papers(papers)
    counts.update(o.value for o in outcomes)
    counts["from arXiv"] += sum(p.id in fetched for p in papers)
    stored = {p.id for p in papers} | (set(by_id) - set(missing))
    features = [
        HfFeature(e.paper.id, e.featured or fallback_day, e.submitter, e.upvotes)
        for e in entries
        if e.paper.id in stored and (e.featured or fallback_day)
    ]
    store.ingest.upsert_hf_features(features)
    counts["featured"] += len(features)
    return entries
