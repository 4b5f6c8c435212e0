"""OAI-PMH harvest of arXiv: paged by resumption token, resumable after a crash at any moment.

Each page's papers are committed before the state that points past them, so the stored state is never
ahead of the stored papers; upserts are idempotent, so a page fetched twice changes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date

from paperwire.ingest.http import Fetcher
from paperwire.ingest.oai import METADATA_PREFIX, OaiError, parse_list_records
from paperwire.ingest.xmlsafe import BadResponse
from paperwire.models.ingest import HarvestState
from paperwire.storage import Store

log = logging.getLogger("paperwire.ingest")


def harvest_name(set_spec: str | None) -> str:
    return f"oai:{set_spec or 'all'}"


def harvest(
    store: Store,
    fetcher: Fetcher,
    oai_url: str,
    counts: Counter,
    *,
    set_spec: str | None = None,
    from_: date | None = None,
    until: date | None = None,
) -> HarvestState:
    """Harvest ListRecords into the store, counting into `counts`; returns the final harvest state.

    Without from_ and until, a harvest under way resumes at its stored resumption token, and a finished
    one continues from the newest datestamp of the last completed harvest.
    """
    name = harvest_name(set_spec)
    state = store.ingest.get_harvest(name) or HarvestState(name)
    resuming = state.pending_token is not None and (
        (from_ is None and until is None) or (from_, until) == (state.pending_from, state.pending_until)
    )
    if resuming:
        h_from, h_until, token = state.pending_from, state.pending_until, state.pending_token
        newest, pages, records = state.pending_max, state.pending_pages, state.pending_records
        log.info("%s: resuming the harvest under way after page %d (%d records stored)", name, pages, records)
    else:
        h_from = from_ if from_ is not None else state.cursor
        h_until, token, newest, pages, records = until, None, None, 0, 0
    first = {"verb": "ListRecords", "metadataPrefix": METADATA_PREFIX}
    first |= {k: v for k, v in (("set", set_spec), ("from", h_from), ("until", h_until)) if v}
    first = {k: str(v) for k, v in first.items()}
    while True:
        params = {"verb": "ListRecords", "resumptionToken": token} if token else first
        try:
            page = parse_list_records(fetcher.get(oai_url, params).content)
        except OaiError as exc:
            if exc.code == "badResumptionToken" and token and resuming and counts["pages"] == 0:
                # The stored token expired while nothing ran: start this harvest over from its start.
                log.warning("%s: the stored resumption token has expired; restarting from %s", name, h_from)
                token, newest, pages, records = None, None, 0, 0
                continue
            if exc.code == "badResumptionToken":
                # Forget the token, keep the cursor: the next run starts over and skips nothing.
                store.ingest.save_harvest(HarvestState(name, state.cursor))
            raise
        outcomes = store.papers.upsert_papers(page.papers)
        counts.update(o.value for o in outcomes)
        counts["pages"] += 1
        counts["deleted"] += page.deleted
        counts["rejected"] += len(page.rejected)
        for reason in page.rejected:
            log.warning("%s: rejected %s", name, reason)
        pages += 1
        records += len(page.papers)
        if page.newest and (newest is None or page.newest > newest):
            newest = page.newest
        if page.token:
            if page.token == token:
                raise BadResponse(f"OAI-PMH response: resumption token {token!r} came back unchanged")
            token = page.token
            store.ingest.save_harvest(
                HarvestState(name, state.cursor, h_from, h_until, token, newest, pages, records)
            )
            size = f" of {page.complete_size}" if page.complete_size else ""
            log.info("%s: page %d stored, %d records%s", name, pages, records, size)
            continue
        cursor = state.cursor
        # A harvest that started after the cursor leaves a gap behind it: the cursor must not jump it.
        if newest and (cursor is None or h_from is None or h_from <= cursor):
            cursor = max(cursor, newest) if cursor else newest
        final = HarvestState(name, cursor)
        store.ingest.save_harvest(final)
        log.info("%s: harvest complete, %d pages, %d records; cursor %s", name, pages, records, cursor)
        return final
