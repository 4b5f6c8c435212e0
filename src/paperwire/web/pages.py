"""Rendering pages: the signed-in user, CSRF tokens and a cache of what anonymous visitors see."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup, escape

from paperwire.models.users import User
from paperwire.papers import BIDI_CONTROLS
from paperwire.web.security import SESSION_COOKIE
from paperwire.web.services import services

# The largest row id both databases store (a signed 64-bit integer): a path id beyond it is a 400, not
# a database error.
MAX_ROW_ID = 2**63 - 1


def page(router: APIRouter, path: str, **options):
    """Declare a page and its JSON twin, `path` + ".json", served by one handler that asks
    `wants_json_twin(request)` which of the two to answer. When the path ends in a parameter the twin
    is registered first, so that the parameter does not take the suffix into its value; otherwise the
    page comes first, as it is asked for far more often (routes are tried in order)."""

    def register(handler):
        twin = dict(methods=["GET"], response_class=JSONResponse, name=handler.__name__ + "_json", **options)
        twin_first = path.endswith("}")
        if twin_first:
            router.add_api_route(path + ".json", handler, **twin)
        router.add_api_route(path, handler, methods=["GET"], response_class=HTMLResponse, **options)
        if not twin_first:
            router.add_api_route(path + ".json", handler, **twin)
        return handler

    return register


def wants_json_twin(request: Request) -> bool:
    """Whether a page declared with `page` was asked for as its JSON twin."""
    return request.url.path.endswith(".json")


def user_of(request: Request) -> User | None:
    return services(request).security.current_user(request)


def today(request: Request) -> date:
    """Today where the hub is: the time zone of its daily ingest."""
    return datetime.now(ZoneInfo(services(request).settings.ingest_timezone)).date()


def render(request: Request, template: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """A page, with `user` and a `csrf_token()` for its forms; sets the CSRF cookie if it made one."""
    security = services(request).security
    token: list[str] = []

    def csrf_token() -> str:  # one HMAC per page, however many forms it has
        if not token:
            token.append(security.csrf_token(request))
        return token[0]

    context = {"user": user_of(request), "csrf_token": csrf_token, **context}
    response = services(request).templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    security.set_csrf_cookie(request, response)
    return response


def cached(request: Request, build) -> Response:
    """The page from the cache when the visitor is anonymous and nothing changed, else build()."""
    if request.cookies.get(SESSION_COOKIE):
        return build()
    s = services(request)
    cache = s.page_cache
    key = str(request.url.path) + "?" + str(request.url.query)
    version = cache.version(s.store, today(request))
    hit = cache.get(key, version)
    if hit is not None:
        return hit
    mine, stale = cache.claim(key)
    if not mine and stale is not None:
        return stale  # another request is rendering the new version: this one gets the last
    try:
        response = build()
        # A page that handed out a new CSRF cookie belongs to this visitor alone.
        if response.status_code == 200 and not getattr(request.state, "new_csrf", None):
            cache.put(key, version, response)
    finally:
        if mine:
            cache.release(key)
    return response


def _terms_pattern(terms: list[str]) -> re.Pattern | None:
    words = sorted({t.lower() for t in terms if len(t) > 1}, key=len, reverse=True)[:30]
    if not words:
        return None
    # A word matches its inflections ("network" -> "networks"), as the stemmed index does.
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> Markup:
    """Escaped text with the query's words wrapped in <mark>: the words are found in the text before it
    is escaped, so a mark never lands inside an entity (`Agents&#<mark>39</mark>;`)."""
    pattern = _terms_pattern(terms)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out += [str(escape(text[last : m.start()])), f"<mark>{escape(m.group(0))}</mark>"]
        last = m.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def without_bidi_controls(value):
    """Jinja's finalize: every value a page shows loses its bidi controls (U+202A-202E, U+2066-2069,
    U+200E/F, U+061C), so a stored title or name cannot reorder the text around it."""
    if isinstance(value, str) and BIDI_CONTROLS.search(value):
        cleaned = BIDI_CONTROLS.sub("", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def snippet(text: str, terms: list[str], size: int = 300) -> str:
    """About `size` characters of text around the first match of the query's words."""
    if len(text) <= size:
        return text
    pattern = _terms_pattern(terms)
    m = pattern.search(text) if pattern else None
    start = max(0, (m.start() if m else 0) - size // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = text.rfind(" ", 0, start + size)
    end = end if end > start else start + size
    return ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")
