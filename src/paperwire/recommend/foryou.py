""" "For you": a window's papers ranked for one *profile* (liked and dismissed papers, followed topics,
authors and categories, papers to leave out). The /for-you page and the digests' "for you" section
both rank with `rank`, so the page and the mail agree (docs/recommendations.md#the-for-you-page).

The recommender ranks the window from the liked papers, with the followed topics as extra liked
"papers", against the dismissed ones; a paper by a followed author is lifted first, one in a followed
category a little. The model's pool is the window's papers themselves (`candidates=`), the same ids in
the same order for everyone who ranks that window, so the same profile gets the same list wherever it
is asked from. Nothing is cached here: a save or a dismissal counts on the next request.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from paperwire.models.foryou import ForYou, ForYouPaper, Profile, Why
from paperwire.models.interests import Interests
from paperwire.models.library import Signals
from paperwire.models.papers import RankedPaper
from paperwire.recommend.service import MAX_TOPICS, BadRequest, Recommender
from paperwire.storage import Store

MAX_POSITIVES = 200  # liked papers the model learns from: saved, then collected, then upvoted, newest first
MAX_NEGATIVES = 200
MAX_WINDOW = 20_000  # papers of a window read at most
MODEL_DEPTH = 500  # papers the model is asked for (it re-ranks its best 100 by words, the rest by vectors)
AUTHOR_LIFT = 2.0  # added to a paper's score (the model's is 0..1) when by a followed author: first
CATEGORY_LIFT = 0.3  # ... and when in a followed category
# A paper whose nearest liked paper or topic is less similar than this (MiniLM cosine) is not listed
# for the model's sake: on the test corpus related papers score 0.4-0.7 and unrelated ones below 0.2,
# and a list padded with "close to" papers that are not is what users of such pages complain about.
MIN_SIMILARITY = 0.25


@dataclass(slots=True)
class Window:
    """A window's papers as every profile ranks them: read once, shared by a period's digests."""

    papers: dict[str, RankedPaper]
    candidates: list[str]  # the model's pool: the papers' ids, newest first
    by_author: dict[str, list[str]] = field(default_factory=dict)  # _name(author) -> ids
    by_category: dict[str, list[str]] = field(default_factory=dict)  # lower-cased category -> ids

    @classmethod
    def of(cls, rows: Iterable[RankedPaper]) -> Window:
        papers = {r.paper.id: r for r in rows}
        out = cls(papers, sorted(papers, reverse=True))
        for pid in out.candidates:
            paper = papers[pid].paper
            for name in dict.fromkeys(_name(a) for a in paper.authors):
                out.by_author.setdefault(name, []).append(pid)
            for category in dict.fromkeys(c.lower() for c in paper.categories):
                out.by_category.setdefault(category, []).append(pid)
        return out


@dataclass(slots=True)
class ModelScores:
    """The model's part of a ranking: paper id -> (score from 1 for its best towards 0, reason)."""

    scored: dict[str, tuple[float, Why]] = field(default_factory=dict)
    problem: str | None = None  # why the model could not rank, when it could not
    unembedded: int = 0  # papers of the window without a vector, which it could not rank
    ms: float = 0.0


def profile_of(signals: Signals, interests: Interests, leave_out: Iterable[str] = ()) -> Profile:
    """A member's profile: their liked and dismissed papers and interests; the papers they saved,
    collected, upvoted, dismissed or read are left out (with `leave_out`)."""
    positives = list(dict.fromkeys([*signals.saved, *signals.collected, *signals.upvoted]))[:MAX_POSITIVES]
    liked = set(positives)
    negatives = [p for p in dict.fromkeys(signals.not_interested) if p not in liked][:MAX_NEGATIVES]
    skip = {*signals.saved, *signals.collected, *signals.upvoted, *signals.not_interested, *signals.read}
    return Profile(
        positives,
        negatives,
        list(interests.topics),
        list(interests.authors),
        list(interests.categories),
        skip | set(leave_out),
    )


def model_scores(
    recommender: Recommender, window: Window, positives: Sequence[str], negatives: Sequence[str],
    topics: Sequence[str],
) -> ModelScores:  # fmt: skip
    """The recommender's ranking of the window for these liked and disliked papers and topics (an
    empty answer without liked papers or topics: the model is not asked)."""
    out = ModelScores()
    topics = list(topics)[:MAX_TOPICS]
    if not (positives or topics) or not window.candidates:
        return out
    started = time.perf_counter()
    try:
        found = recommender.recommend(
            list(positives), list(negatives), limit=MODEL_DEPTH, topics=topics, candidates=window.candidates
        )
    except BadRequest as exc:
        out.problem = str(exc)
    else:
        # The pool counts its embedded papers (or says how many were not): either way, the rest.
        out.unembedded = max(found.unembedded, len(window.candidates) - found.pool)
        n = len(found.papers)
        for i, r in enumerate(found.papers):  # by rank: 1 for the best, towards 0 for the last
            if r.reason.similarity >= MIN_SIMILARITY:
                out.scored[r.paper.id] = (1.0 - i / (n + 1), _model_why(r.reason))
    out.ms = _ms(started)
    return out


def rank(window: Window, profile: Profile, model: ModelScores, limit: int) -> list[ForYouPaper]:
    """The profile's papers of the window, best first: the model's, lifted by followed authors and
    categories (which also bring papers of their own); those in `profile.leave_out` left out."""
    authors = {_name(a) for a in profile.authors}
    categories = {c.lower() for c in profile.categories}
    # Only the papers by followed authors (in followed categories) are read for them: a digest run
    # ranks thousands of profiles, most with no author or category at all.
    by_author = {pid for name in authors for pid in window.by_author.get(name, ())}
    in_category = {pid for c in categories for pid in window.by_category.get(c, ())}
    lifted = by_author | in_category
    ranked: list[ForYouPaper] = []
    for pid in lifted:
        row = window.papers.get(pid)
        if row is None or pid in profile.leave_out:
            continue
        score, why = model.scored.get(pid, (0.0, None))
        author = (
            next((a for a in row.paper.authors if _name(a) in authors), None) if pid in by_author else None
        )
        category = (
            next((c for c in row.paper.categories if c.lower() in categories), None)
            if pid in in_category
            else None
        )
        if author:
            score += AUTHOR_LIFT
            why = Why(f"by {author}, an author you follow", "author", author=author)
        if category:
            score += CATEGORY_LIFT
            why = why or Why(f"in {category}, a category you follow", "category", category=category)
        ranked.append(ForYouPaper(row, round(score, 4), why))
    # The model's own papers come in its order, scores falling: beyond the first `limit` of them that
    # no lift moved, none can make the list (a digest run ranks ~10,000 profiles of ~500 papers each).
    taken = 0
    for pid, (score, why) in model.scored.items():
        if taken >= limit:
            break
        row = window.papers.get(pid)
        if row is None or pid in lifted or pid in profile.leave_out:
            continue
        ranked.append(ForYouPaper(row, round(score, 4), why))
        taken += 1
    ranked.sort(key=lambda p: (-p.score, -p.row.upvotes, p.row.paper.id))
    return ranked[:limit]


def for_you(
    store: Store, recommender: Recommender, user_id: int, start: date, end: date, limit: int = 50
) -> ForYou:
    """The member's list for the papers announced from start to end."""
    started = time.perf_counter()
    interests = store.interests.get(user_id)
    profile = profile_of(store.library.signals(user_id), interests)
    out = ForYou([], start, end, len(profile.positives), len(profile.negatives), interests)
    rows, total = store.periods.day_papers(start, end, order="upvotes", limit=MAX_WINDOW)
    out.window = total
    out.left_out = sum(1 for r in rows if r.paper.id in profile.leave_out) + total - len(rows)
    window = Window.of(rows)
    out.timings_ms["read"] = _ms(started)
    model = model_scores(recommender, window, profile.positives, profile.negatives, profile.topics)
    if profile.positives or profile.topics:
        out.timings_ms["model"] = model.ms
    out.problem, out.unembedded = model.problem, model.unembedded
    out.papers = rank(window, profile, model, limit)
    out.timings_ms["total"] = _ms(started)
    return out


def _model_why(reason) -> Why:
    kind = "topic" if reason.topic else "liked"
    return Why(
        reason.text,
        kind,
        paper_id=reason.paper_id,
        paper_title=reason.paper_title,
        topic=reason.topic,
        words=list(reason.words),
        similarity=reason.similarity,
    )


def _name(name: str) -> str:
    return " ".join(name.lower().split())


def window(recommender: Recommender, day: date | None, week: bool) -> tuple[date, date] | None:
    """The days a request asks for: `day` (or the latest announcement day), or the 7 days ending there."""
    if day is None:
        latest = recommender.latest_window(1)
        if latest is None:
            return None
        day = latest[1]
    return (day - timedelta(days=6), day) if week else (day, day)


def rows_of(result: ForYou) -> list[RankedPaper]:
    return [p.row for p in result.papers]


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
