"""Which digests are due, and composing them: the store and the "For you" ranking feed compose.py.

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

from paperwire.digests.compose import Candidates, ForYouSection, compose
from paperwire.models.digests import NewDelivery
from paperwire.models.foryou import Profile
from paperwire.models.papers import RankedPaper
from paperwire.models.subscriptions import Subscription
from paperwire.recommend.foryou import MAX_WINDOW, ModelScores, Window, model_scores, profile_of, rank
from paperwire.recommend.service import MAX_TOPICS, Recommender
from paperwire.search.engine import SearchEngine
from paperwire.storage import Store
from paperwire.subscriptions import DigestPeriod, daily_period, local_now, send_moment_passed, weekly_period
from paperwire.votes import TRENDING_DAYS, trending_order

log = logging.getLogger("paperwire.digests")
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
    store: Store,
    search: SearchEngine | None,
    period: DigestPeriod,
    subs: list[Subscription],
    domain: str,
    recommender: Recommender | None = None,
) -> list[NewDelivery]:
    """Every due subscriber's digest for one period. A period without papers composes nothing (none
    is written, so the digests are composed when its papers arrive: a hub catching up after an outage
    loses no week); the sender reports it (send.py)."""
    rows = _pool(store, period)
    if not rows:
        return []
    recommender = recommender or Recommender(store, search)
    window = Window.of(rows)
    candidates = Candidates(period, window.papers, _trending(store, period.end))
    sent = store.digests.sent_papers([s.id for s in subs])
    profiles = _profiles(store, [s for s in subs if s.for_you], sent)
    composed: dict[int, NewDelivery] = {}
    model, model_key = ModelScores(), None
    # Subscribers with the same model inputs (a popular topic alone, say) are next to each other, so
    # the model ranks the period once for them; those without any (only authors, categories, or
    # nothing) never reach it.
    for sub in sorted(subs, key=lambda s: _model_key(profiles.get(s.id))):
        section = None
        profile = profiles.get(sub.id)
        if profile is not None:
            key = _model_key(profile)
            if key and key != model_key:
                model, model_key = model_scores(recommender, window, *key), key
            ranked = rank(window, profile, model if key else ModelScores(), sub.max_papers + sub.trending)
            section = ForYouSection(profile, ranked, model.problem if key else None)
        items, why = compose(sub, candidates, sent[sub.id], section)
        message_id = f"<digest.{period.key}.{sub.id}.{secrets.token_hex(6)}@{domain}>"
        composed[sub.id] = NewDelivery(
            sub.id, period.key, period.frequency, period.start, period.end, message_id, items, why
        )
    return [composed[s.id] for s in subs]


def _profiles(store: Store, subs: list[Subscription], sent: dict[int, set[str]]) -> dict[int, Profile]:
    """Each subscriber's profile: the subscription's topics, authors and categories, joined, when the
    address is a member's, with that member's liked and dismissed papers and interests (batched reads:
    one query per kind for the whole period, not one per subscriber)."""
    members = store.users.ids_by_email([s.email for s in subs])
    signals = store.library.signals_of(sorted(set(members.values())))
    interests = store.interests.get_many(sorted(set(members.values())))
    out = {}
    for sub in subs:
        uid = members.get(sub.email)
        if uid is None:
            p = Profile(leave_out=sent[sub.id])  # read only: no copy
        else:
            p = profile_of(signals[uid], interests[uid], sent[sub.id])
        p.topics = list(dict.fromkeys([*sub.topics, *p.topics]))[:MAX_TOPICS]
        p.authors = list(dict.fromkeys([*sub.authors, *p.authors]))
        p.categories = list(dict.fromkeys([*sub.categories, *p.categories]))
        out[sub.id] = p
    return out


def _model_key(profile: Profile | None) -> tuple:
    """What the model's answer depends on: () when there is nothing for it to learn from."""
    if profile is None or not profile.model_inputs:
        return ()
    return (tuple(profile.positives), tuple(profile.negatives), tuple(profile.topics))


def _pool(store: Store, period: DigestPeriod) -> list[RankedPaper]:
    papers, _total = store.periods.day_papers(period.start, period.end, limit=MAX_WINDOW)
    return papers


def _trending(store: Store, day: date, depth: int = 200) -> list[str]:
    # Only papers someone upvoted: a paper nobody voted for is not trending, however new.
    since = day - timedelta(days=TRENDING_DAYS)
    rows = [r for r in store.periods.trending_candidates(since) if r[1] <= day and r[2] > 0]
    return trending_order(rows, day)[:depth]
