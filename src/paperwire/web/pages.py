"""Rendering pages: the signed-in user, CSRF tokens and a cache of what anonymous visitors see."""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import date, datetime
from threading import Lock
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from paperwire.models.users import User
from paperwire.papers import BIDI_CONTROLS
from paperwire.web.security import SESSION_COOKIE

# The largest row id both databases store (a signed 64-bit integer): a path id beyond it is a 400, not
# a database error.
MAX_ROW_ID = 2**63 - 1


def user_of(request: Request) -> User | None:
    return request.app.state.security.current_user(request)


def today(request: Request) -> date:
    """Today where the hub is: the time zone of its daily ingest."""
    return datetime.now(ZoneInfo(request.app.state.settings.ingest_timezone)).date()


def render(request: Request, template: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """A page, with `user` and a `csrf_token()` for its forms; sets the CSRF cookie if it made one."""
    security = request.app.state.security
    token: list[str] = []

    def csrf_token() -> str:  # one HMAC per page, however many forms it has
        if not token:
            token.append(security.csrf_token(request))
        return token[0]

    context = {"user": user_of(request), "csrf_token": csrf_token, **context}
    response = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    security.set_csrf_cookie(request, response)
    return response


class PageCache:
    """Rendered pages for visitors who are not signed in, valid while neither the papers nor the
    community's votes, comments and submissions have changed. Each worker keeps its own; the
    database's counters tell every worker when its copy is stale."""

    def __init__(self, size: int = 256):
        self.size = size
        self._pages: OrderedDict[str, tuple[tuple, bytes, str]] = OrderedDict()
        self._lock = Lock()

    def version(self, request: Request) -> tuple:
        store = request.app.state.store
        return (store.papers.change_seq(), store.papers.community_version(), today(request))

    def get(self, key: str, version: tuple) -> Response | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None or found[0] != version:
                return None
            self._pages.move_to_end(key)
        return Response(found[1], media_type=found[2])

    def put(self, key: str, version: tuple, response: Response) -> None:
        with self._lock:
            self._pages[key] = (version, response.body, response.media_type or "text/html")
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def cached(request: Request, build) -> Response:
    """The page from the cache when the visitor is anonymous and nothing changed, else build()."""
    if request.cookies.get(SESSION_COOKIE):
        return build()
    cache: PageCache = request.app.state.page_cache
    key = str(request.url.path) + "?" + str(request.url.query)
    version = cache.version(request)
    hit = cache.get(key, version)
    if hit is not None:
        return hit
    response = build()
    # A page that handed out a new CSRF cookie belongs to this visitor alone.
    if response.status_code == 200 and not getattr(request.state, "new_csrf", None):
        cache.put(key, version, response)
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
