"""The daily, week, month and trending pages, their JSON twins, and Hugging Face's /api/daily_papers."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from paperwire.models.papers import RankedPaper
from paperwire.models.users import MAX_USERNAME_CHARS
from paperwire.periods import BadPeriod, Period, day_period, parse_day, parse_month, parse_week
from paperwire.repos import by_stars
from paperwire.votes import TRENDING_DAYS, trending_order
from paperwire.web.hf_shapes import hf_daily_item
from paperwire.web.pages import cached, page, render, today, wants_json_twin
from paperwire.web.papers import github_stars, with_extracts
from paperwire.web.services import services
from paperwire.web.signals import signal_context

router = APIRouter()

PAGE_SIZE = 200  # a day's announcement fits on one page
API_LIMIT = 100
MAX_PAGE = 100_000  # deeper pages are empty anyway; past 2**63 the offset overflows the database
_PARSERS = {"date": parse_day, "week": parse_week, "month": parse_month}


@router.get("/api/daily_papers", tags=["daily"])
def api_daily_papers(
    request: Request,
    date_: str | None = Query(None, alias="date", description="YYYY-MM-DD"),
    week: str | None = Query(None, description="YYYY-Www"),
    month: str | None = Query(None, description="YYYY-MM"),
    submitter: str | None = Query(None, description="username of the submitter"),
    sort: str = Query("publishedAt", description="publishedAt or trending"),
    p: int = Query(0, ge=0, le=MAX_PAGE, description="page, from 0"),
    limit: int = Query(50, ge=1, le=API_LIMIT),
) -> JSONResponse:
    """A day's, week's or month's papers (the latest 30 days without one), like Hugging Face's."""
    given = {k: v for k, v in {"date": date_, "week": week, "month": month}.items() if v}
    if len(given) > 1:
        raise HTTPException(400, "give at most one of date, week and month")
    if submitter is not None and (len(submitter) > MAX_USERNAME_CHARS or not submitter.isprintable()):
        raise HTTPException(400, f"submitter {submitter[:40]!r} is not a username")
    if sort not in ("publishedAt", "trending"):
        raise HTTPException(400, f"sort must be publishedAt or trending, got {sort!r}")
    period = _period(request, *next(iter(given.items()))) if given else recent_period(request)

    def build():
        if sort == "trending":
            rows = trending_papers(request, period, submitter)[p * limit : (p + 1) * limit]
        else:
            rows, _ = services(request).store.periods.day_papers(
                period.start, period.end, submitter=submitter, order="newest", limit=limit, offset=p * limit
            )
        rows = with_extracts(request, with_stars(request, rows))
        return JSONResponse([hf_daily_item(r) for r in rows])

    return cached(request, build)


# -- pages ---------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse, tags=["daily"])
def home(request: Request):
    """The newest day with papers (today once there are any)."""
    day = services(request).store.periods.latest_day(today(request)) or today(request)
    return cached(request, lambda: _listing(request, day_period(day), as_json=False))


@page(router, "/date/{day}", tags=["daily"])
def day_page(request: Request, day: str):
    """The papers of one day, most upvoted first; /date/{day}.json is its JSON twin."""
    return _period_page(request, "date", day)


@page(router, "/week/{week}", tags=["daily"])
def week_page(request: Request, week: str):
    """An ISO week's papers, most upvoted first (/week/{week}.json)."""
    return _period_page(request, "week", week)


@page(router, "/month/{month}", tags=["daily"])
def month_page(request: Request, month: str):
    """A month's papers, most upvoted first (/month/{month}.json)."""
    return _period_page(request, "month", month)


@page(router, "/trending", tags=["daily"])
def trending_page(
    request: Request,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    with_: str | None = Query(None, alias="with", description="code: only papers with code, by stars"),
):
    """Upvotes decaying with age over the latest 30 days; ?with=code ranks the papers with code by
    their repository's stars (docs/ui.md has both formulas); /trending.json is its JSON twin."""
    code, as_json = _with_code(with_), wants_json_twin(request)
    return cached(request, lambda: _trending_page(request, page, as_json=as_json, code=code))


def _with_code(value: str | None) -> bool:
    if value not in (None, "", "code"):
        raise HTTPException(400, f"with must be code, got {value[:30]!r}")
    return value == "code"


def with_stars(request: Request, rows: list[RankedPaper]) -> list[RankedPaper]:
    """The rows, each with its code's recorded GitHub stars."""
    stars = github_stars(request, [r.paper for r in rows])
    for r in rows:
        r.github_stars = stars[r.paper.id]
    return rows


def _period_page(request: Request, kind: str, text: str):
    period, as_json = _period(request, kind, text), wants_json_twin(request)
    return cached(request, lambda: _listing(request, period, as_json))


def _period(request: Request, kind: str, text: str) -> Period:
    try:
        return _PARSERS[kind](text)
    except BadPeriod as exc:
        raise HTTPException(400, str(exc)) from None


def recent_period(request: Request) -> Period:
    end = services(request).store.periods.latest_day(today(request)) or today(request)
    return Period("days", end - timedelta(days=TRENDING_DAYS - 1), end)


def trending_papers(request: Request, period: Period, submitter: str | None = None) -> list[RankedPaper]:
    store = services(request).store
    rows = [r for r in store.periods.trending_candidates(period.start) if r[1] <= period.end]
    ids = trending_order(rows, period.end)
    ranked = store.papers.ranked_papers(ids)
    if submitter:
        ranked = [r for r in ranked if r.submitted_by == submitter]
    days = {pid: day for pid, day, _ in rows}
    for r in ranked:
        r.day = days.get(r.paper.id, r.day)
    return ranked


def page_number(request: Request) -> int:
    text = request.query_params.get("page", "1")
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1


def _listing(request: Request, period: Period, as_json: bool):
    store = services(request).store
    page = page_number(request)
    rows, total = store.periods.day_papers(
        period.start, period.end, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    with_extracts(request, with_stars(request, rows))
    if as_json:
        return JSONResponse(
            {
                "period": _period_json(period),
                "total": total,
                "page": page,
                "papers": [hf_daily_item(r) for r in rows],
            }
        )
    context = {
        "period": period,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        **signal_context(request, [r.paper.id for r in rows]),
        "feed": "/feeds/daily.atom" if period.kind == "date" else f"/feeds/{period.kind}.atom",
    }
    if period.kind == "date":
        context["before"], context["after"] = store.periods.neighbour_days(period.start)
        if not rows:
            context["quiet"] = _quiet_reason(request, period.start)
    else:
        context["before"], context["after"] = period.previous().start, period.next().start  # in range
    return render(request, "periods.html", context)


def _period_json(period: Period) -> dict:
    return {"kind": period.kind, "label": period.label, "start": str(period.start), "end": str(period.end)}


def _quiet_reason(request: Request, day: date) -> str:
    """Why a day has no papers, as plainly as the hub knows it."""
    store = services(request).store
    recorded = [d for d in store.announcements.recent(limit=400) if d.day == day]
    if recorded and not any(d.announced for d in recorded):
        return "arXiv made no announcement on this day."
    if day.weekday() >= 5:
        return "arXiv does not announce new papers on Saturdays and Sundays."
    if day > today(request):
        return "This day has not come yet."
    if day == today(request):
        return "Nothing has been announced or submitted today yet."
    return "No papers were announced, submitted or featured on this day."


def _trending_page(request: Request, page: int, as_json: bool, code: bool = False):
    period = recent_period(request)
    ranked = trending_papers(request, period)
    if code:
        ranked = with_stars(request, [r for r in ranked if r.paper.links.code])
        ranked = by_stars(ranked, {r.paper.id: r.github_stars for r in ranked})
    rows = ranked[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if not code:
        with_stars(request, rows)
    with_extracts(request, rows)
    if as_json:
        return JSONResponse(
            {
                "since": str(period.start),
                "until": str(period.end),
                "with": "code" if code else None,
                "total": len(ranked),
                "page": page,
                "papers": [hf_daily_item(r) for r in rows],
            }
        )
    context = {
        "period": period,
        "trending": True,
        "with_code": code,
        "rows": rows,
        "total": len(ranked),
        "page": page,
        "pages": max((len(ranked) + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        **signal_context(request, [r.paper.id for r in rows]),
        "feed": "/feeds/trending.atom",
    }
    return render(request, "periods.html", context)
