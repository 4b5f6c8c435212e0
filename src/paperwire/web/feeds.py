"""Atom and RSS feeds: the daily page, trending, each category, and any search query."""

from __future__ import annotations

from datetime import UTC, datetime, time
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from paperwire.feeds import atom_feed, rss_feed
from paperwire.search import BadQuery
from paperwire.web.pages import today
from paperwire.web.search import search_engine
from paperwire.web.services import services

router = APIRouter()
FEED_SIZE = 50
_FORMATS = {"atom": (atom_feed, "application/atom+xml"), "rss": (rss_feed, "application/rss+xml")}


def _feed(request: Request, fmt: str, title: str, path: str, rows, subtitle: str | None = None) -> Response:
    if fmt not in _FORMATS:
        raise HTTPException(404, f"feeds come as .atom or .rss, not .{fmt}")
    build, media_type = _FORMATS[fmt]
    base = services(request).settings.base_url
    papers = [r.paper for r in rows]
    days = [r.day for r in rows if getattr(r, "day", None)]
    updated = (
        datetime.combine(max(days), time(), UTC) if days else datetime.combine(today(request), time(), UTC)
    )
    body = build(
        title=title,
        feed_url=f"{base}{path}",
        site_url=base,
        papers=papers,
        updated=updated,
        subtitle=subtitle,
    )
    return Response(body, media_type=f"{media_type}; charset=utf-8")


@router.get("/feeds/daily.{fmt}", tags=["feeds"])
def daily_feed(request: Request, fmt: str):
    """The newest day's papers, most upvoted first."""
    store = services(request).store
    day = store.periods.latest_day(today(request)) or today(request)
    rows, _ = store.periods.day_papers(day, day, limit=200)
    return _feed(request, fmt, f"Paperwire: papers of {day.isoformat()}", f"/feeds/daily.{fmt}", rows)


@router.get("/feeds/week.{fmt}", tags=["feeds"])
def week_feed(request: Request, fmt: str):
    """The newest day's ISO week, most upvoted first."""
    return _period_feed(request, fmt, "week")


@router.get("/feeds/month.{fmt}", tags=["feeds"])
def month_feed(request: Request, fmt: str):
    """The newest day's month, most upvoted first."""
    return _period_feed(request, fmt, "month")


def _period_feed(request: Request, fmt: str, kind: str) -> Response:
    from paperwire.periods import parse_month, parse_week

    store = services(request).store
    day = store.periods.latest_day(today(request)) or today(request)
    year, week, _ = day.isocalendar()
    period = parse_week(f"{year}-W{week:02d}") if kind == "week" else parse_month(f"{day:%Y-%m}")
    rows, _ = store.periods.day_papers(period.start, period.end, limit=FEED_SIZE)
    return _feed(request, fmt, f"Paperwire: {period.title}", f"/feeds/{kind}.{fmt}", rows)


@router.get("/feeds/trending.{fmt}", tags=["feeds"])
def trending_feed(request: Request, fmt: str):
    """The trending papers (upvotes decaying with age)."""
    from paperwire.web.periods import recent_period, trending_papers

    rows = trending_papers(request, recent_period(request))[:FEED_SIZE]
    return _feed(request, fmt, "Paperwire: trending papers", f"/feeds/trending.{fmt}", rows)


@router.get("/feeds/categories/{category}.{fmt}", tags=["feeds"])
def category_feed(request: Request, category: str, fmt: str):
    """A category's newest papers."""
    rows = services(request).store.papers.category_papers(category, FEED_SIZE)
    path = f"/feeds/categories/{quote(category)}.{fmt}"
    return _feed(request, fmt, f"Paperwire: {category}", path, rows)


@router.get("/feeds/search.{fmt}", tags=["feeds"])
def search_feed(request: Request, fmt: str, q: str = ""):
    """The best matches of a search query (the same syntax as the search page)."""
    if not q.strip():
        raise HTTPException(400, "q: give a search query, e.g. /feeds/search.atom?q=diffusion")
    try:
        results = search_engine(request).search(q, limit=FEED_SIZE)
    except BadQuery as exc:
        raise HTTPException(400, str(exc)) from None
    hidden = services(request).store.papers.hidden_papers([h.paper.id for h in results.hits])
    rows = [h for h in results.hits if h.paper.id not in hidden]
    path = f"/feeds/search.{fmt}?" + urlencode({"q": q})
    return _feed(request, fmt, f"Paperwire: {q}", path, rows, subtitle=f"Papers matching {q}")
