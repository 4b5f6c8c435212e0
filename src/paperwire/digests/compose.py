"""Choosing a subscriber's papers for one digest. Pure: the same inputs give the same digest.

A digest has two sections: the top trending papers, and "for you", the papers of the period that
match the subscriber's interests, each with a one-line reason. A paper already sent to the subscriber
in an earlier digest is never sent again, and the mail holds at most `max_papers`.

"For you" scores, best match first (docs/digests.md):
- an author the subscriber follows: 3
- a topic query, through the hybrid search: 2 for its best hit, falling to 1 at the 10th
- a paper close in meaning to one the subscriber upvoted (cosine >= LIKE_SIMILARITY): 1 + similarity
- a category the subscriber follows: 0.5
Each further matching interest adds 0.25. Ties: more upvotes first, then the newer paper id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paperwire.models.digests import FOR_YOU, TRENDING, DigestItem
from paperwire.models.papers import RankedPaper
from paperwire.models.subscriptions import Subscription
from paperwire.subscriptions import DigestPeriod

AUTHOR_SCORE = 3.0
CATEGORY_SCORE = 0.5
EXTRA_MATCH = 0.25
LIKE_SIMILARITY = 0.5  # MiniLM cosine: related abstracts sit around 0.5 to 0.8, unrelated near 0.1
TOPIC_HITS = 10  # a topic contributes its best hits in the period, at most this many
MAX_REASON_CHARS = 160


def author_key(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass(slots=True)
class Match:
    score: float
    reason: str


@dataclass(slots=True)
class Candidates:
    """What one period offers every subscriber: built once per period, shared by all their digests."""

    period: DigestPeriod
    papers: dict[str, RankedPaper]  # the period's visible papers, by id
    trending: list[str]  # trending paper ids as of the period's end, best first
    topic_hits: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # topic -> (id, score)
    liked_hits: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # liked id -> (id, sim)
    liked_titles: dict[str, str] = field(default_factory=dict)
    by_author: dict[str, list[str]] = field(default_factory=dict)  # author_key -> ids
    by_category: dict[str, list[str]] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)  # id -> place among equal scores: upvotes, newest

    def __post_init__(self) -> None:
        if not self.by_author and not self.by_category:
            for pid in sorted(self.papers):
                paper = self.papers[pid].paper
                for name in paper.authors:
                    self.by_author.setdefault(author_key(name), []).append(pid)
                for cat in paper.categories:
                    self.by_category.setdefault(cat, []).append(pid)
        if not self.order:
            # The tie-break of every digest of the period, sorted once rather than once per subscriber.
            ties = sorted(self.papers, key=lambda pid: (-self.papers[pid].upvotes, _newest_first(pid)))
            self.order = {pid: i for i, pid in enumerate(ties)}


def compose(
    sub: Subscription, candidates: Candidates, sent: set[str], liked: list[str] = ()
) -> list[DigestItem]:
    """The digest's items, trending first, then "for you" best first; empty when nothing is new."""
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
    if sub.for_you and room > 0:
        matches = _matches(sub, candidates, liked)
        order = candidates.order
        ranked = sorted(
            (pid for pid in matches if pid not in taken), key=lambda pid: (-matches[pid].score, order[pid])
        )
        items.extend(DigestItem(pid, FOR_YOU, matches[pid].reason) for pid in ranked[:room])
    return items


def _newest_first(pid: str) -> tuple:
    # arXiv ids grow with time: the larger id first, as a key that sorts ascending.
    return tuple(-ord(c) for c in pid)


def _matches(sub: Subscription, c: Candidates, liked: list[str]) -> dict[str, Match]:
    # Per paper: [best score, its reason, how many interests matched]. Called for every subscriber with
    # up to hundreds of papers per followed category, so it keeps no list of the matches.
    found: dict[str, list] = {}
    papers = c.papers

    def add(pid: str, score: float, reason: str) -> None:
        if pid in papers:
            best = found.get(pid)
            if best is None:
                found[pid] = [score, reason, 1]
                return
            best[2] += 1
            if score > best[0]:  # the first of equal scores is kept: interests in order
                best[0], best[1] = score, reason

    for name in sub.authors:
        reason = _short(f"by {name}, an author you follow")
        for pid in c.by_author.get(author_key(name), ()):
            add(pid, AUTHOR_SCORE, reason)
    for topic in sub.topics:
        reason = _short(f"matches your topic “{topic}”")
        for rank, (pid, _score) in enumerate(c.topic_hits.get(topic, [])[:TOPIC_HITS]):
            add(pid, 2.0 - rank / (TOPIC_HITS - 1), reason)
    for liked_id in liked:
        reason = _short(f"close to “{c.liked_titles.get(liked_id, liked_id)}”, which you upvoted")
        for pid, sim in c.liked_hits.get(liked_id, ()):
            if sim >= LIKE_SIMILARITY and pid != liked_id:
                add(pid, 1.0 + sim, reason)
    for cat in sub.categories:
        reason = _short(f"in {cat}, a category you follow")
        for pid in c.by_category.get(cat, ()):
            add(pid, CATEGORY_SCORE, reason)
    return {pid: Match(score + EXTRA_MATCH * (n - 1), reason) for pid, (score, reason, n) in found.items()}


def _short(text: str) -> str:
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"
