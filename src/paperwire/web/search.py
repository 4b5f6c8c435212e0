"""Search: the Hugging Face-compatible search API, the native search API, related papers, the page."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from paperwire.search import BadQuery, Filters, SearchEngine
from paperwire.search.render import hit_json, results_json
from paperwire.web.papers import find_paper, hf_paper

router = APIRouter()


def _engine(request: Request) -> SearchEngine:
    engine: SearchEngine = request.app.state.search
    engine.keyword.refresh_if_changed()
    if engine.keyword.behind(engine.store):
        engine.sync_keyword(wait=False)  # papers stored a moment ago are searchable at once
    return engine


def _search(request: Request, q: str, limit: int, offset: int = 0, mode: str = "hybrid", **filters):
    try:
        return _engine(request).search(q, Filters(**filters), limit=limit, offset=offset, mode=mode)
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
        hits = _engine(request).similar(paper.id, limit)
    except BadQuery as exc:
        raise HTTPException(400, str(exc)) from None
    return {"paper_id": paper.id, "results": [hit_json(h) for h in hits]}


@router.get("/search", response_class=HTMLResponse, tags=["search"])
def search_page(request: Request, q: str = "", page: int = 1, mode: str = "hybrid"):
    """A plain search page; /api/search is its JSON twin."""
    context: dict = {"q": q, "mode": mode, "results": None, "error": None, "page": max(page, 1)}
    if q.strip():
        try:
            per_page = 20
            offset = (context["page"] - 1) * per_page
            context["results"] = _engine(request).search(q, limit=per_page, offset=offset, mode=mode)
        except BadQuery as exc:
            context["error"] = str(exc)
    status = 400 if context["error"] else 200
    return request.app.state.templates.TemplateResponse(request, "search.html", context, status_code=status)


@router.get("/search.json", tags=["search"])
def search_json(request: Request, q: str = "", limit: int = 10, offset: int = 0, mode: str = "hybrid"):
    """The search page's JSON twin."""
    return JSONResponse(results_json(_search(request, q, limit, offset, mode)))
