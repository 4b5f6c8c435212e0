"""The ASGI app. `create_app(settings, store)` receives its dependencies; nothing here is global."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from paperwire import __version__
from paperwire.mail import Mailer
from paperwire.search import SearchEngine
from paperwire.settings import Settings
from paperwire.storage import Store, StoreError
from paperwire.web.guard import RequestGuard
from paperwire.web.services import services as services_of

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def create_app(
    settings: Settings, store: Store, search: SearchEngine | None = None, mailer: Mailer | None = None
) -> FastAPI:
    """Build the app around a store and its search engine; the caller owns the store's lifetime."""
    from paperwire.search import open_search
    from paperwire.web import (
        collections,
        comments,
        feeds,
        foryou,
        library,
        papers,
        periods,
        recommendations,
        submissions,
        subscriptions,
        users,
        votes,
    )
    from paperwire.web import search as search_routes
    from paperwire.web.pages import highlight, snippet, without_bidi_controls
    from paperwire.web.security import resolve_secret_key
    from paperwire.web.services import build_services

    app = FastAPIOffline(
        title="Paperwire",
        version=__version__,
        description="The JSON API of a Paperwire hub. Read endpoints need no account; writes need a "
        "session cookie and a CSRF token (docs/authentication.md).",
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        openapi_url="/api/openapi.json",
        static_url="/static/api-docs",
    )
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    secret = resolve_secret_key(settings)  # read once: it may come from a file in the data dir
    search = search or open_search(settings, store)
    mailer = mailer or Mailer.from_settings(settings)
    app.state.services = build_services(settings, store, search, secret, mailer, templates)
    templates.env.finalize = without_bidi_controls  # before any template is compiled
    templates.env.globals["version"] = __version__
    templates.env.globals["settings"] = settings  # periods.html tells of the schedule
    templates.env.filters["highlight"] = highlight
    templates.env.filters["snippet"] = snippet
    templates.env.filters["num"] = "{:,}".format  # 6,083: thousands separated on every page
    # Every URL a page builds encodes its parts (docs/security.md): ids keep an old arXiv id's `/`,
    # names and categories encode everything.
    templates.env.filters["idpath"] = lambda paper_id: quote(str(paper_id), safe="/:")
    templates.env.filters["urlpart"] = lambda text: quote(str(text), safe="")

    # The route table: read it as the site's table of contents.
    app.add_api_route("/health", health, methods=["GET"], tags=["meta"])
    app.mount("/static/site", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(periods.router)  # /, /date, /week, /month, /trending, /api/daily_papers
    app.include_router(search_routes.router)  # before papers: /api/papers/search is not a paper id
    app.include_router(votes.router)  # POST/DELETE /api/papers/{id}/vote
    app.include_router(comments.router)  # POST /api/papers/{id}/comments, /api/comments/{id}[/delete|/hide]
    app.include_router(submissions.actions)  # POST /api/papers: submit by arXiv id or URL
    app.include_router(papers.actions)  # POST /api/papers/{id}/hide (admins)
    app.include_router(library.actions)  # save, not interested, read (POST sets, DELETE undoes); import
    app.include_router(collections.actions)  # create, rename, delete collections; add and remove papers
    app.include_router(foryou.actions)  # POST /api/for-you/interests, /api/for-you/feed (a new link)
    app.include_router(submissions.router)  # /submissions/{id}, /api/submissions/{id}: a queued one's state
    app.include_router(papers.router)  # /papers/{id}, /categories, /authors, /api/papers/{id}
    app.include_router(recommendations.router)  # /api/recommendations, /recommendations/v1/* (S2's shape)
    app.include_router(feeds.router)  # /feeds/*.atom
    app.include_router(library.pages)  # /library (+ .json), /library/export/bibtex|csl-json: the owner's only
    app.include_router(collections.pages)  # /collections/{id} (+ .json, /feed.atom, /export/*): public or own
    app.include_router(foryou.pages)  # /for-you (+ .json): the member's own; /for-you/feed/{token}.atom
    app.include_router(users.pages)  # /signin, /profile
    app.include_router(users.actions)  # /api/signin, /api/signout
    app.include_router(subscriptions.pages)  # /subscribe, /subscription, /unsubscribe/{token} (one-click)
    app.include_router(subscriptions.actions)  # /api/subscriptions, /api/subscription

    from paperwire.web import openapi

    openapi.install(app)  # bodies, security, answers and real error codes: web/openapi.py
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        hsts=settings.base_url.startswith("https://"),
        server_timing=settings.server_timing,
        uploads={IMPORT_PATH: (settings.max_import_bytes + MULTIPART_SLACK, _too_large(settings))},
    )
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(psycopg.DataError, _out_of_range)
    return app


IMPORT_PATH = "/api/library/import"
MULTIPART_SLACK = 64 * 1024  # the form's boundaries, headers and other fields around the file


def _too_large(settings: Settings) -> str:
    return (
        f"the file is larger than {settings.max_import_bytes:,} bytes, the most an import reads "
        "(PAPERWIRE_MAX_IMPORT_BYTES)"
    )


def health(request: Request) -> dict:
    """Liveness and a paper count."""
    papers = services_of(request).store.papers.count_papers()
    return {"status": "ok", "version": __version__, "papers": papers}


def wants_json(request: Request) -> bool:
    from paperwire.web.security import is_form

    if is_form(request):  # a browser's form: it shows pages
        return False
    path = request.url.path
    return path.startswith(("/api/", "/recommendations/")) or path.endswith(".json") or path == "/health"


def error_response(request: Request, status: int, code: str, message: str):
    if wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    templates = services_of(request).templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
    502: "upstream_error",
    503: "unavailable",
}


async def _http_error(request: Request, exc: HTTPException):
    if exc.status_code == 401 and not wants_json(request):
        back = request.headers.get("referer", "/")
        from urllib.parse import urlsplit

        return RedirectResponse(f"/signin?next={quote(urlsplit(back).path or '/')}", status_code=303)
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    response = error_response(request, exc.status_code, _CODES.get(exc.status_code, "error"), message)
    response.headers.update(getattr(exc, "headers", None) or {})  # Retry-After on a 429, say
    return response


async def _validation_error(request: Request, exc: RequestValidationError):
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body"))
    message = (
        f"{where}: {first.get('msg', 'invalid value')}" if where else first.get("msg", "invalid request")
    )
    return error_response(request, 400, "bad_request", message)


async def _store_error(request: Request, exc: StoreError):
    # The database is down or restarting: the pool reconnects by itself, so the client may simply retry.
    response = error_response(request, 503, "unavailable", str(exc))
    response.headers["Retry-After"] = "5"
    return response


async def _out_of_range(request: Request, exc: Exception):
    # The last line of defence: a number or date the routes' own checks let through, which Python's
    # date arithmetic or the database refused. The request is at fault, not the hub.
    return error_response(request, 400, "bad_request", "a number or date in the request is out of range")
