"""One member's "For you" list: a window's papers ranked by the recommender from their liked papers
(saved, collected, upvoted) and dismissed ones, with their followed topics as extra liked "papers", and
lifted when by an author or in a category they follow (docs/recommendations.md#the-for-you-page).

Papers the member already saved, collected, upvoted, dismissed or marked read are left out: the page
lists what is new to them. Nothing is cached: a save or a dismissal counts on the next request.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from paperwire.models.foryou import ForYou, ForYouPaper, Why
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


def for_you(
    store: Store, recommender: Recommender, user_id: int, start: date, end: date, limit: int = 50
) -> ForYou:
    """The member's list for the papers announced from start to end."""
    started = time.perf_counter()
    signals = store.library.signals(user_id)
    positives = list(dict.fromkeys([*signals.saved, *signals.collected, *signals.upvoted]))[:MAX_POSITIVES]
    liked = set(positives)
    negatives = [p for p in dict.fromkeys(signals.not_interested) if p not in liked][:MAX_NEGATIVES]
    interests = store.interests.get(user_id)
    out = ForYou([], start, end, len(positives), len(negatives), interests)
    rows, total = store.periods.day_papers(start, end, order="upvotes", limit=MAX_WINDOW)
    out.window = total
    skip = liked | set(negatives) | set(signals.read)
    rows = [r for r in rows if r.paper.id not in skip]
    out.left_out = total - len(rows)
    out.timings_ms["read"] = _ms(started)
    scored: dict[str, tuple[float, Why]] = {}
    topics = interests.topics[:MAX_TOPICS]
    if positives or topics:
        mark = time.perf_counter()
        try:
            found = recommender.recommend(
                positives, negatives, start=start, end=end, limit=MODEL_DEPTH, topics=topics
            )
        except BadRequest as exc:
            out.problem = str(exc)
        else:
            out.unembedded = found.unembedded
            n = len(found.papers)
            for i, r in enumerate(found.papers):  # by rank: 1 for the best, towards 0 for the last
                if r.reason.similarity >= MIN_SIMILARITY:
                    scored[r.paper.id] = (1.0 - i / (n + 1), _model_why(r.reason))
        out.timings_ms["model"] = _ms(mark)
    authors = {_name(a): a for a in interests.authors}
    categories = {c.lower(): c for c in interests.categories}
    ranked: list[ForYouPaper] = []
    for row in rows:
        score, why = scored.get(row.paper.id, (0.0, None))
        author = next((a for a in row.paper.authors if _name(a) in authors), None)
        category = next((c for c in row.paper.categories if c.lower() in categories), None)
        if author:
            score += AUTHOR_LIFT
            why = Why(f"by {author}, an author you follow", "author", author=author)
        if category:
            score += CATEGORY_LIFT
            why = why or Why(f"in {category}, a category you follow", "category", category=category)
        if why is not None:
            ranked.append(ForYouPaper(row, round(score, 4), why))
    ranked.sort(key=lambda p: (-p.score, -p.row.upvotes, p.row.paper.id))
    out.papers = ranked[:limit]
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
