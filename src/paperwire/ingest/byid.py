"""Papers by arXiv id from the query API, up to 100 ids a request, with a clear error per id."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from paperwire.ingest.arxiv_api import MAX_IDS, parse_query_feed
from paperwire.ingest.http import Fetcher
from paperwire.models.papers import Paper
from paperwire.papers import InvalidPaper, split_arxiv_id
from paperwire.storage import Store, UpsertOutcome


@dataclass(slots=True)
class IdResult:
    ref: str  # as the caller gave it
    paper: Paper | None = None
    outcome: UpsertOutcome | None = None  # set once stored
    error: str | None = None


def fetch_by_id(fetcher: Fetcher, api_url: str, refs: Sequence[str]) -> list[IdResult]:
    """One result per ref, in order: the paper, or why there is none (invalid id, unknown to arXiv).

    A request that fails for good (FetchError, BadResponse) raises: it says nothing about the ids.
    """
    results = [IdResult(ref) for ref in refs]
    wanted: dict[str, list[IdResult]] = {}  # the id as sent (with its version, if given) -> results
    for result in results:
        try:
            bare, version = split_arxiv_id(result.ref)
        except InvalidPaper as exc:
            result.error = str(exc)
            continue
        wanted.setdefault(f"{bare}v{version}" if version else bare, []).append(result)
    keys = list(wanted)
    for start in range(0, len(keys), MAX_IDS):
        batch = keys[start : start + MAX_IDS]
        feed = parse_query_feed(
            fetcher.get(api_url, {"id_list": ",".join(batch), "max_results": str(len(batch))}).content
        )
        by_id = {p.id: p for p in feed.papers}
        for key in batch:
            paper = by_id.get(split_arxiv_id(key)[0])
            for result in wanted[key]:
                if paper is None:
                    result.error = "not found on arXiv" + (
                        f" ({'; '.join(feed.errors)})" if feed.errors else ""
                    )
                else:
                    result.paper = paper
    return results


def ingest_ids(
    store: Store, fetcher: Fetcher, api_url: str, refs: Sequence[str], counts: Counter
) -> list[IdResult]:
    """Fetch papers by id and store them; counts new/updated/unchanged and errors."""
    results = fetch_by_id(fetcher, api_url, refs)
    found = [r for r in results if r.paper is not None]
    for result, outcome in zip(found, store.papers.upsert_papers([r.paper for r in found]), strict=True):
        result.outcome = outcome
        counts[outcome.value] += 1
    counts["failed"] += sum(r.error is not None for r in results)
    return results
