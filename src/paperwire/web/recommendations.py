"""Recommendations over HTTP: the native API and Semantic Scholar's shape (docs/http-api.md).

These POSTs only read: the body carries the liked and disliked papers, nothing is stored, and no
cookie is read, so they need no session and no CSRF token (docs/security.md); a forged cross-site post
could only make the hub compute an answer the forging page cannot read. Each request trains a small
model, so every client IP is rate-limited (`recommend` in PAPERWIRE_RATE_LIMITS). Handlers are sync
functions: the model runs in the thread pool, not on the event loop.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Query, Request

from paperwire.models.recommendations import Recommendations
from paperwire.papers import paper_id_candidates, paper_path
from paperwire.recommend import BadRequest, NothingKnown, Recommender
from paperwire.web.recommendation_schemas import RecommendBody, S2Body
from paperwire.web.s2_shapes import UnknownFields, parse_fields, s2_paper
from paperwire.web.security import client_ip
from paperwire.web.services import services

router = APIRouter()
RECENT_DAYS = 30  # Semantic Scholar's pool is recent papers; here, the last 30 days of announcements
S2_MAX_LIMIT = 500  # as Semantic Scholar's
SIMILAR_DEPTH = 100  # forpaper?from=all-cs: the nearest papers in the whole hub that the model re-ranks
POOLS = ("recent", "all-cs")


def recommender(request: Request) -> Recommender:
    return services(request).recommender


def _limit(request: Request) -> None:
    services(request).security.limit("recommend", client_ip(request))


def _run(request: Request, positive, negative=(), **kw) -> Recommendations:
    try:
        return recommender(request).recommend(positive, negative, **kw)
    except NothingKnown as exc:
        raise HTTPException(404, str(exc)) from None
    except BadRequest as exc:
        raise HTTPException(400, str(exc)) from None


# -- native ---------------------------------------------------------------------------------------


@router.post("/api/recommendations", tags=["recommendations"])
def api_recommendations(request: Request, body: RecommendBody | None = None) -> dict:
    """The pool (papers announced from `from` to `to`, by default the latest day) ranked for the liked
    (`positive`, `topics`) and disliked (`negative`) papers, each with a score and a reason."""
    if body is None:
        raise HTTPException(400, 'send a JSON object like {"positive": ["2503.10002"], "limit": 20}')
    _limit(request)
    found = _run(
        request,
        body.positive,
        body.negative,
        start=body.from_,
        end=body.to,
        categories=body.categories,
        limit=body.limit,
        topics=body.topics,
    )
    base = services(request).settings.base_url.rstrip("/")
    return {
        "papers": [
            {
                "id": r.paper.id,
                "title": r.paper.title,
                "authors": r.paper.authors,
                "abstract": r.paper.abstract,
                "categories": r.paper.categories,
                "announced": _day(r.paper.announced),
                "published": _day(r.paper.published),
                "url": base + paper_path(r.paper.id),
                "score": r.score,
                "reason": {
                    "text": r.reason.text,
                    "similarity": r.reason.similarity,
                    "paper": {"id": r.reason.paper_id, "title": r.reason.paper_title}
                    if r.reason.paper_id
                    else None,
                    "topic": r.reason.topic,
                    "words": r.reason.words,
                },
            }
            for r in found.papers
        ],
        "unknown": found.unknown,
        "ignored": found.ignored,
        "pool": {
            "from": _day(found.start),
            "to": _day(found.end),
            "papers": found.pool,
            "unembedded": found.unembedded,
        },
        "timings_ms": found.timings_ms,
    }


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


# -- Semantic Scholar's shape ---------------------------------------------------------------------


def _s2_params(limit: int, fields: str | None) -> tuple[str, ...]:
    if not 1 <= limit <= S2_MAX_LIMIT:
        raise HTTPException(400, f"limit must be between 1 and {S2_MAX_LIMIT}, not {limit}")
    try:
        return parse_fields(fields)
    except UnknownFields as exc:
        raise HTTPException(400, str(exc)) from None


def _s2_answer(request: Request, found: Recommendations, fields: tuple[str, ...]) -> dict:
    base = services(request).settings.base_url
    return {
        "recommendedPapers": [s2_paper(r.paper, fields, base) for r in found.papers],
        "unknownPaperIds": found.unknown,
    }


def _recent(request: Request) -> dict:
    window = recommender(request).latest_window(RECENT_DAYS)
    return {"start": window[0], "end": window[1]} if window else {}


@router.post("/recommendations/v1/papers", tags=["recommendations"])
@router.post("/recommendations/v1/papers/", tags=["recommendations"], include_in_schema=False)
def s2_recommendations(
    request: Request,
    body: S2Body | None = None,
    limit: int = Query(100, description="1 to 500"),
    fields: str | None = Query(None, description="Comma-separated; paperId and title by default"),
) -> dict:
    """Semantic Scholar's list-based recommendations: papers of the last 30 days of announcements."""
    if body is None:
        raise HTTPException(400, 'send a JSON object like {"positivePaperIds": ["arXiv:2503.10002"]}')
    wanted = _s2_params(limit, fields)
    _limit(request)
    found = _run(request, body.positivePaperIds, body.negativePaperIds, limit=limit, **_recent(request))
    return _s2_answer(request, found, wanted)


@router.get("/recommendations/v1/papers/forpaper/{paper_id:path}", tags=["recommendations"])
def s2_for_paper(
    request: Request,
    paper_id: str,
    from_: str = Query("recent", alias="from", description="recent (30 days) or all-cs (every paper)"),
    limit: int = Query(100, description="1 to 500"),
    fields: str | None = Query(None, description="Comma-separated; paperId and title by default"),
) -> dict:
    """Semantic Scholar's single-paper recommendations: from the last 30 days of announcements, or with
    from=all-cs from the papers nearest to it in the whole hub (at most 100)."""
    wanted = _s2_params(limit, fields)
    if from_ not in POOLS:
        raise HTTPException(400, f"from must be one of {', '.join(POOLS)}, not {from_[:40]!r}")
    _limit(request)
    if from_ == "recent":
        found = _run(request, [paper_id], limit=limit, **_recent(request))
    else:
        near = _nearest(request, paper_id)
        found = _run(request, [paper_id], limit=min(limit, SIMILAR_DEPTH), candidates=near)
    return _s2_answer(request, found, wanted)


def _nearest(request: Request, ref: str) -> list[str]:
    """The papers nearest in meaning to the one `ref` names, in the whole hub ([] if it is unknown:
    the request then answers 404 as for any unknown paper)."""
    for candidate in paper_id_candidates(ref):
        try:
            return [h.paper.id for h in services(request).search.similar(candidate, SIMILAR_DEPTH)]
        except KeyError:
            continue
    return []
