"""A member's "For you" page (/for-you and its twin), their interests (the cold start's form), and the
private Atom feed of the page, opened by a signed token (docs/ui.md#for-you).

Everything here is the member's own: the page and its twin answer for the signed-in user only; the
feed's token names its user and a nonce that the owner can replace, which revokes every older link.
A wrong, altered or revoked token is a 404, as a missing page is. Nothing is cached: a save or a
dismissal counts on the next load.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from paperwire.feeds import atom_feed
from paperwire.models.foryou import ForYou
from paperwire.models.interests import MAX_CHARS, MAX_PER_KIND, Interests
from paperwire.models.users import User
from paperwire.papers import paper_path
from paperwire.recommend.foryou import for_you, window
from paperwire.web.hf_shapes import hf_daily_item
from paperwire.web.pages import page, render, user_of, wants_json_twin
from paperwire.web.papers import with_extracts
from paperwire.web.security import is_form
from paperwire.web.services import services, write_router
from paperwire.web.signals import signal_context

pages = APIRouter()
actions = write_router()

FEED_SIZE = 50
PERIODS = ("day", "week")
CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")
NO_STORE = {"Cache-Control": "private, no-store"}


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(400, f"date must be YYYY-MM-DD, not {text[:40]!r}") from None


def _list(request: Request, user: User, day: date | None, period: str, limit: int) -> ForYou | None:
    if period not in PERIODS:
        raise HTTPException(400, f"period must be one of {', '.join(PERIODS)}, not {period[:40]!r}")
    s = services(request)
    span = window(s.recommender, day, period == "week")
    if span is None:
        return None
    result = for_you(s.store, s.recommender, user.id, span[0], span[1], limit)
    with_extracts(request, [p.row for p in result.papers])
    return result


def feed_url(request: Request, user: User) -> str:
    """The member's private feed; a nonce of "" until they first ask for a new link."""
    s = services(request)
    token = s.security.feed_token(user.id, s.store.interests.feed_nonce(user.id) or "")
    return f"{s.settings.base_url.rstrip('/')}/for-you/feed/{token}.atom"


@page(pages, "/for-you", tags=["for-you"])
def for_you_page(
    request: Request,
    period: str = Query("day", description="day (the latest announcement day, or `date`) or week"),
    date_: str | None = Query(None, alias="date", description="YYYY-MM-DD: another day"),
    limit: int = Query(50, ge=1, le=100),
):
    """The signed-in member's papers of the day (or week) ranked for them, each with its reason;
    /for-you.json is its twin (401 signed out; the page leads to sign-in)."""
    if not wants_json_twin(request) and user_of(request) is None:
        return RedirectResponse("/signin?next=/for-you", status_code=303)
    user = services(request).security.require_user(request)
    result = _list(request, user, _day(date_), period, limit)
    if wants_json_twin(request):
        return JSONResponse(_json(request, user, result), headers=NO_STORE)
    context = _context(request, user, result, period=period, day=date_)
    response = render(request, "foryou.html", context)
    response.headers.update(NO_STORE)
    return response


def _context(request: Request, user: User, result: ForYou | None, **extra) -> dict:
    ids = [p.row.paper.id for p in result.papers] if result else []
    interests = result.interests if result else services(request).store.interests.get(user.id)
    return {
        "result": result,
        "interests": interests,
        "feed_url": feed_url(request, user),
        "error": None,
        "max_per_kind": MAX_PER_KIND,
        **signal_context(request, ids),
        **extra,
    }


def _json(request: Request, user: User, result: ForYou | None) -> dict:
    interests = result.interests if result else services(request).store.interests.get(user.id)
    body = {
        "from": result.start.isoformat() if result else None,
        "to": result.end.isoformat() if result else None,
        "papers": [],
        "positives": result.positives if result else 0,
        "negatives": result.negatives if result else 0,
        "interests": _interests_json(interests),
        "window": result.window if result else 0,
        "left_out": result.left_out if result else 0,
        "unembedded": result.unembedded if result else 0,
        "problem": result.problem if result else "this hub has no announced papers yet",
        "feed": feed_url(request, user),
        "timings_ms": result.timings_ms if result else {},
    }
    base = services(request).settings.base_url.rstrip("/")
    for p in result.papers if result else []:
        w = p.why
        item = hf_daily_item(p.row)
        item.update(
            {
                "id": p.row.paper.id,
                "url": base + paper_path(p.row.paper.id),
                "score": p.score,
                "reason": {
                    "text": w.text,
                    "kind": w.kind,
                    "paper": {"id": w.paper_id, "title": w.paper_title} if w.paper_id else None,
                    "topic": w.topic,
                    "author": w.author,
                    "category": w.category,
                    "words": w.words,
                    "similarity": w.similarity,
                },
            }
        )
        body["papers"].append(item)
    return body


def _interests_json(i: Interests) -> dict:
    return {"topics": i.topics, "authors": i.authors, "categories": i.categories}


# -- interests -------------------------------------------------------------------------------------


async def _read_interests(request: Request) -> Interests:
    """From a form (one per line) or JSON (lists of strings); a 400 names the first mistake."""
    if is_form(request):
        form = await request.form()
        raw = {k: str(form.get(k) or "").splitlines() for k in ("topics", "authors", "categories")}
    else:
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, "send a JSON object or a form") from None
        if not isinstance(body, dict):
            raise HTTPException(400, 'send a JSON object like {"topics": ["graph neural networks"]}')
        raw = {}
        for key in ("topics", "authors", "categories"):
            value = body.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise HTTPException(400, f"{key} must be a list of strings")
            raw[key] = value
    out = {}
    for key, values in raw.items():
        clean = list(dict.fromkeys(" ".join(v.split()) for v in values if v.strip()))
        if len(clean) > MAX_PER_KIND:
            raise HTTPException(400, f"at most {MAX_PER_KIND} {key}, not {len(clean)}")
        for v in clean:
            if len(v) > MAX_CHARS:
                raise HTTPException(400, f"{key}: each is at most {MAX_CHARS} characters")
        out[key] = clean
    for c in out["categories"]:
        if not CATEGORY.match(c):
            raise HTTPException(400, f"categories: {c[:40]!r} is not an arXiv category like cs.CL")
    return Interests(out["topics"], out["authors"], out["categories"])


@actions.post("/api/for-you/interests", tags=["for-you"])
async def save_interests(request: Request):
    """Replace one's interests: {"topics": [...], "authors": [...], "categories": [...]} (a form sends
    one per line); answers them."""
    security = services(request).security
    user = security.require_user(request)
    try:
        interests = await _read_interests(request)
    except HTTPException as exc:
        if not is_form(request) or exc.status_code != 400:
            raise
        context = _context(request, user, None, period="day", day=None, error=exc.detail)
        return render(request, "foryou.html", context, 400)
    security.limit("interests", str(user.id))
    stored = services(request).store.interests.replace(user.id, interests)
    if is_form(request):
        return RedirectResponse("/for-you", status_code=303)
    return JSONResponse(_interests_json(stored))


@actions.post("/api/for-you/feed", tags=["for-you"])
async def new_feed_link(request: Request):
    """Make a new private feed link; every older one stops working (404). Answers {"feed"}."""
    security = services(request).security
    user = security.require_user(request)
    security.limit("interests", str(user.id))
    services(request).store.interests.set_feed_nonce(user.id, secrets.token_urlsafe(12))
    if is_form(request):
        return RedirectResponse("/for-you#feed", status_code=303)
    return JSONResponse({"feed": feed_url(request, user)})


# -- the private feed --------------------------------------------------------------------------------


@pages.get("/for-you/feed/{token}.atom", tags=["for-you"])
def for_you_feed(request: Request, token: str):
    """A member's "For you" list of the latest announcement day as Atom, each entry with its reason;
    the token is the link the page shows its owner (anything else is a 404)."""
    s = services(request)
    found = s.security.read_feed_token(token)
    user = s.store.users.get_user(found[0]) if found else None
    if user is None or found[1] != (s.store.interests.feed_nonce(user.id) or ""):
        raise HTTPException(404, "no such feed")
    result = _list(request, user, None, "day", FEED_SIZE)
    papers = result.papers if result else []
    base = s.settings.base_url.rstrip("/")
    body = atom_feed(
        title=f"For {user.username} · Paperwire",
        feed_url=f"{base}/for-you/feed/{token}.atom",
        site_url=base,
        papers=[p.row.paper for p in papers],
        updated=datetime.combine(result.end, datetime.min.time(), UTC) if result else datetime.now(UTC),
        subtitle="Papers of the day ranked for you",
        notes={p.row.paper.id: f"Why: {p.why.text}" for p in papers},
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers=NO_STORE)
