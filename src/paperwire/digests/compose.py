"""Choosing a subscriber's papers for one digest. Pure: the same inputs give the same digest.

A digest has two sections: the top trending papers, and "for you", the subscriber's papers of the
period ranked by the hub's one "For you" model (recommend/foryou.py, docs/recommendations.md): the
liked papers and followed topics through the recommender, lifted by followed authors and categories,
each with the reason line the /for-you page shows. plan.py ranks them; this module takes trending
first, then the "for you" list in its order. A paper already sent to the subscriber in an earlier
digest is never sent again, a paper appears in one section only, and the mail holds at most
`max_papers`. A digest with no paper says why in one line (`empty_reason`, kept in the ledger).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from paperwire.models.digests import FOR_YOU, TRENDING, DigestItem
from paperwire.models.foryou import ForYouPaper, Profile
from paperwire.models.papers import RankedPaper
from paperwire.models.subscriptions import Subscription
from paperwire.subscriptions import DigestPeriod


@dataclass(slots=True)
class Candidates:
    """What one period offers every subscriber: built once per period, shared by all their digests."""

    period: DigestPeriod
    papers: dict[str, RankedPaper]  # the period's visible papers, by id
    trending: list[str]  # trending paper ids as of the period's end, best first


@dataclass(slots=True)
class ForYouSection:
    """A subscriber's "for you" ranking (plan.py): the profile it was ranked for, the papers best
    first, and why the model could not rank, when it could not."""

    profile: Profile
    papers: Sequence[ForYouPaper] = ()
    problem: str | None = None


def compose(
    sub: Subscription, candidates: Candidates, sent: set[str], for_you: ForYouSection | None = None
) -> tuple[list[DigestItem], str | None]:
    """The digest's items, trending first, then "for you" best first; and, when there are none, why."""
    items: list[DigestItem] = []
    taken = set(sent)
    room = sub.max_papers
    for pid in candidates.trending:
        if len(items) >= min(sub.trending, room):
            break
        if pid not in taken:
            items.append(DigestItem(pid, TRENDING))
            taken.add(pid)
    room -= len(items)
    if sub.for_you and for_you is not None and room > 0:
        fresh = (p for p in for_you.papers if p.row.paper.id not in taken)
        items.extend(DigestItem(p.row.paper.id, FOR_YOU, p.why.text) for p in islice(fresh, room))
    return items, None if items else empty_reason(sub, candidates, sent, for_you)


def empty_reason(
    sub: Subscription, candidates: Candidates, sent: set[str], for_you: ForYouSection | None
) -> str:
    """One line on why a digest has no paper (docs/digests.md#empty-digests)."""
    if not candidates.papers:
        return no_papers_reason(candidates.period)
    if sent.issuperset(candidates.papers):
        return "every paper of the period was in an earlier digest"
    if sub.trending == 0:
        trending = "the trending section is off"
    elif candidates.trending:
        trending = "every trending paper was in an earlier digest"
    else:
        trending = "nothing is trending"
    if not sub.for_you:
        return f"for you is off and {trending}"
    profile = for_you.profile if for_you is not None else Profile()
    if profile.empty:
        return f"{trending} and you follow no topic, author or category and like no paper"
    line = f"{trending} and no paper matched your interests ({interest_counts(profile)})"
    problem = for_you.problem if for_you is not None else None
    return f"{line}: {problem}" if problem else line


def no_papers_reason(period: DigestPeriod) -> str:
    """Why a period's digests have nothing to show: its days have no (visible) paper on the hub."""
    if period.start == period.end:
        return f"no papers were announced for {period.end.isoformat()}"
    return f"no papers were announced from {period.start.isoformat()} to {period.end.isoformat()}"


def interest_counts(profile: Profile) -> str:
    """'2 liked papers, 3 topics, 1 author': what a profile holds, in words."""
    parts = []
    for n, one in (
        (len(profile.positives), "liked paper"),
        (len(profile.topics), "topic"),
        (len(profile.authors), "author"),
        (len(profile.categories), "category"),
    ):
        if n:
            many = "categories" if one == "category" else one + "s"
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts)
