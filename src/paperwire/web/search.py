"""Search: the Hugging Face-compatible search API, the native search API, related papers, the page."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from paperwire.search import BadQuery, Filters, SearchEngine
from paperwire.search.render import hit_json, results_json
from paperwire.web.hf_shapes import hf_paper
from paperwire.web.pages import page, render, wants_json_twin
from paperwire.web.papers import find_paper
from paperwire.web.services import services
from paperwire.web.signals import signal_context

router = APIRouter()


def search_engine(request: Request) -> SearchEngine:
    """The engine, its keyword index caught up with the store first."""
    engine: SearchEngine = services(request).search
    engine.keyword.refresh_if_changed()
    if engine.keyword.behind(engine.store):
        engine.sync_keyword(wait=False)  # papers stored a moment ago are searchable at once
    return engine


def _search(request: Request, q: str, limit: int, offset: int = 0, mode: str = "hybrid", **filters):
    try:
        return search_engine(request).search(q, Filters(**filters), limit=limit, offset=offset, mode=mode)
    except BadQuery as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/api/papers/search", tags=["search"])
def api_hf_search(
    request: Request, q: str = "", limit: int = Query(20, description="1 to 100")
) -> list[dict]:
    """Papers matching q, best first, in the shape of Hugging Face's /api/papers/search."""
    if not q.strip():
        return []
    results = _search(request, q, limit)
    return [
        {
            "paper": hf_paper(h.paper),
            "title": h.paper.title,
            "summary": h.paper.abstract,
            "publishedAt": hf_paper(h.paper)["publishedAt"],
            "numComments": 0,
            "isAuthorParticipating": False,
        }
        for h in results.hits
    ]


@router.get("/api/search", tags=["search"])
def api_search(
    request: Request,
    q: str = "",
    limit: int = Query(10, description="1 to 100"),
    offset: int = 0,
    mode: str = Query("hybrid", description="hybrid, keyword or semantic"),
    category: list[str] = Query([], description="any of these categories"),
    author: list[str] = Query([], description="all of these authors"),
    from_: date | None = Query(None, alias="from", description="on or after this date"),
    until: date | None = Query(None, description="on or before this date"),
    date_field: str = Query("announced", description="announced or published"),
) -> dict:
    """Search with scores, parsed query, filters and timings. q may use author:, cat:, "phrases", -words."""
    results = _search(
        request,
        q,
        limit,
        offset,
        mode,
        categories=category,
        authors=author,
        date_from=from_,
        date_until=until,
        date_field=date_field,
    )
    return results_json(results)


@router.get("/api/papers/{paper_id:path}/similar", tags=["search"])
def api_similar(request: Request, paper_id: str, limit: int = Query(10, description="1 to 100")) -> dict:
    """The papers nearest to this one in meaning, itself excluded."""
    paper = find_paper(request, paper_id)
    try:
        hits = search_engine(request).similar(paper.id, limit)
    except BadQuery as exc:
        raise HTTPException(400, str(exc)) from None
    return {"paper_id": paper.id, "results": [hit_json(h) for h in hits]}


@page(router, "/search", tags=["search"])
def search_page(
    request: Request,
    q: str = "",
    page: int = Query(1, ge=1, le=500),
    mode: str = "hybrid",
    category: str = "",
    author: str = "",
    from_: str = Query("", alias="from"),
    until: str = "",
    limit: int = Query(10, description="the JSON twin's page size (the page shows 20)"),
    offset: int = Query(0, description="the JSON twin's offset"),
):
    """The search page, with filters and highlighted matches; /search.json is its JSON twin (the same
    filters, with limit and offset as /api/search in place of page)."""
    if wants_json_twin(request):
        try:
            filters = _filters(category, author, from_, until)
        except BadQuery as exc:
            raise HTTPException(400, str(exc)) from None
        return JSONResponse(results_json(_search(request, q, limit, offset, mode, **filters)))
    params = {"q": q, "mode": mode, "category": category, "author": author, "from": from_, "until": until}
    context: dict = {
        "q": q,
        "mode": mode,
        "category": category,
        "author": author,
        "from_": from_,
        "until": until,
        "filters_used": bool(category or author or from_ or until),
        "results": None,
        "error": None,
        "page": page,
        "terms": [],
        "did_you_mean": None,
        "query_string": lambda n: urlencode({k: v for k, v in params.items() if v} | {"page": n}),
    }
    if q.strip() or context["filters_used"]:
        try:
            filters = Filters(**_filters(category, author, from_, until))
            per_page = 20
            results = search_engine(request).search(
                q, filters, limit=per_page, offset=(page - 1) * per_page, mode=mode
            )
            hidden = services(request).store.papers.hidden_papers([h.paper.id for h in results.hits])
            results.hits = [h for h in results.hits if h.paper.id not in hidden]
            context["results"] = results
            context.update(signal_context(request, [h.paper.id for h in results.hits]))
            if results.did_you_mean:  # the same search, filters and all, with the typos corrected
                fixed = {k: v for k, v in params.items() if v} | {"q": results.did_you_mean}
                context["did_you_mean"] = (results.did_you_mean, urlencode(fixed))
            context["terms"] = results.query.words + [w for p in results.query.phrases for w in p.split()]
        except BadQuery as exc:
            context["error"] = str(exc)
    return render(request, "search.html", context, status_code=400 if context["error"] else 200)


def _filters(category: str, author: str, from_: str, until: str) -> dict:
    return {
        "categories": [c for c in [category.strip()] if c],
        "authors": [a for a in [author.strip()] if a],
        "date_from": _date_param("from", from_),
        "date_until": _date_param("until", until),
    }


def _date_param(name: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"{name}: {text[:20]!r} is not a date like 2025-03-18") from None
