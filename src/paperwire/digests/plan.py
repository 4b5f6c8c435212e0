"""Which digests are due, and composing them: the store and the search engine feed compose.py.

Due (docs/digests.md):
- daily: the latest announcement day D up to the subscriber's local today whose delivery time has
  come (before today's time, the previous announcement's, in case it was not sent). A day without an
  arXiv announcement (weekends, holidays) has no digest, and none older than three days is sent;
- weekly: the latest local day on their chosen weekday whose delivery time has come, covering the
  seven days up to it, if it is not before they confirmed;
- `--date D` (an operator's command): daily digests for announcement day D, and weekly ones for
  subscribers whose weekday is D's, whatever their delivery time.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import numpy as np

from paperwire.digests.compose import LIKE_SIMILARITY, TOPIC_HITS, Candidates, compose
from paperwire.models.digests import NewDelivery
from paperwire.models.papers import RankedPaper
from paperwire.models.search import Filters
from paperwire.models.subscriptions import Subscription
from paperwire.search import fusion
from paperwire.search.engine import SearchEngine
from paperwire.search.query import parse_query
from paperwire.search.vectors import from_blob
from paperwire.storage import Store
from paperwire.subscriptions import DigestPeriod, daily_period, local_now, send_moment_passed, weekly_period
from paperwire.votes import TRENDING_DAYS, trending_order

log = logging.getLogger("paperwire.digests")
TOPIC_SIMILARITY = 0.4  # a topic's semantic hits must be at least this close (keyword hits count as they are)
MAX_POOL = 20_000  # papers in one period's pool: a week of arXiv CS is about 6,000
_PAGE = 5_000
_STALE_DAYS = 3  # a daily digest is not sent for an announcement older than this (a hub long down)


def active_subscriptions(store: Store) -> list[Subscription]:
    out: list[Subscription] = []
    while batch := store.subscriptions.subscriptions("active", limit=_PAGE, offset=len(out)):
        out.extend(batch)
    return out


def due_periods(
    store: Store, subs: Iterable[Subscription], now: datetime, day: date | None = None
) -> dict[DigestPeriod, list[Subscription]]:
    """The subscriptions each due period goes to, leaving out those already in the ledger for it."""
    out: dict[DigestPeriod, list[Subscription]] = defaultdict(list)
    cache: dict[date, list[date]] = {}

    def announcements(until: date) -> list[date]:
        """The recent announcement days up to `until`, newest first."""
        if until not in cache:
            cache[until] = store.periods.announced_days(until - timedelta(days=_STALE_DAYS), until)[::-1]
        return cache[until]

    for sub in subs:
        period = _due(sub, now, day, announcements)
        if period is not None:
            out[period].append(sub)
    for period in list(out):
        planned = store.digests.planned(period.key)
        out[period] = [s for s in out[period] if s.id not in planned]
        if not out[period]:
            del out[period]
    return dict(out)


def _due(sub: Subscription, now: datetime, day: date | None, announcements) -> DigestPeriod | None:
    if day is not None:
        if sub.frequency == "daily":
            return daily_period(day) if day in announcements(day) else None
        return weekly_period(day) if day.weekday() == sub.weekday else None
    today = local_now(sub, now).date()
    if sub.frequency == "daily":
        # The newest announcement whose delivery time has come: the day before's, until today's time.
        for announced in announcements(today):
            if send_moment_passed(sub, now, announced):
                return daily_period(announced)
        return None
    delivery = today - timedelta(days=(today.weekday() - sub.weekday) % 7)
    if not send_moment_passed(sub, now, delivery):
        delivery -= timedelta(days=7)
    confirmed = sub.confirmed_at and local_now(sub, sub.confirmed_at).date()
    if confirmed and delivery < confirmed:
        return None
    return weekly_period(delivery)


def compose_period(
    store: Store, search: SearchEngine | None, period: DigestPeriod, subs: list[Subscription], domain: str
) -> list[NewDelivery]:
    """Every due subscriber's digest for one period; a period without papers sends nothing."""
    pool = _pool(store, period)
    if not pool:
        return []
    liked = store.votes.liked_papers([s.email for s in subs if s.for_you])
    candidates = Candidates(period, pool, _trending(store, period.end))
    if search is not None:
        topics = sorted({t for s in subs if s.for_you for t in s.topics})
        liked_ids = sorted({pid for ids in liked.values() for pid in ids})
        _match_by_meaning(store, search, candidates, topics, liked_ids)
    sent = store.digests.sent_papers([s.id for s in subs])
    out = []
    for sub in subs:
        items = compose(sub, candidates, sent[sub.id], liked.get(sub.email, []))
        message_id = f"<digest.{period.key}.{sub.id}.{secrets.token_hex(6)}@{domain}>"
        out.append(
            NewDelivery(sub.id, period.key, period.frequency, period.start, period.end, message_id, items)
        )
    return out


def _pool(store: Store, period: DigestPeriod) -> dict[str, RankedPaper]:
    papers, _total = store.periods.day_papers(period.start, period.end, limit=MAX_POOL)
    return {r.paper.id: r for r in papers}


def _trending(store: Store, day: date, depth: int = 200) -> list[str]:
    # Only papers someone upvoted: a paper nobody voted for is not trending, however new.
    since = day - timedelta(days=TRENDING_DAYS)
    rows = [r for r in store.periods.trending_candidates(since) if r[1] <= day and r[2] > 0]
    return trending_order(rows, day)[:depth]


def _match_by_meaning(
    store: Store, search: SearchEngine, c: Candidates, topics: list[str], liked_ids: list[str]
) -> None:
    """Topic hits through the hybrid search, and the period's papers close to each liked paper."""
    ids = sorted(c.papers)
    rows = store.embeddings.embeddings_for(ids)
    embedded = [pid for pid in ids if pid in rows and rows[pid].vector is not None]
    matrix = (
        np.stack([from_blob(rows[pid].vector) for pid in embedded])
        if embedded
        else np.zeros((0, 1), np.float32)
    )
    filters = Filters(date_from=c.period.start, date_until=c.period.end)
    vectors = search.embedder.embed(topics) if topics and embedded else None
    for i, topic in enumerate(topics):
        query = parse_query(topic, filters)
        keyword = [(pid, s) for pid, s in search.keyword.search(query, TOPIC_HITS * 5) if pid in c.papers]
        semantic: list[tuple[str, float]] = []
        if vectors is not None:
            sims = matrix @ vectors[i]
            best = np.argsort(-sims)[: TOPIC_HITS * 5]
            semantic = [(embedded[j], float(sims[j])) for j in best if sims[j] >= TOPIC_SIMILARITY]
        c.topic_hits[topic] = fusion.weighted(keyword, semantic, search.semantic_weight)[:TOPIC_HITS]
    if not liked_ids or not embedded:
        return
    liked_rows = store.embeddings.embeddings_for(liked_ids)
    have = [pid for pid in liked_ids if pid in liked_rows and liked_rows[pid].vector is not None]
    if not have:
        return
    liked_matrix = np.stack([from_blob(liked_rows[pid].vector) for pid in have])
    sims = liked_matrix @ matrix.T  # liked x pool
    for r, liked_id in enumerate(have):
        close = np.nonzero(sims[r] >= LIKE_SIMILARITY)[0]
        c.liked_hits[liked_id] = sorted(
            ((embedded[j], float(sims[r, j])) for j in close), key=lambda h: -h[1]
        )
    c.liked_titles.update({pid: p.title for pid, p in store.papers.get_papers(have).items()})
