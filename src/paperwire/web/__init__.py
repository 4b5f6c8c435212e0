"""The ASGI app. `create_app(settings, store)` receives its dependencies; nothing here is global."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from paperwire import __version__
from paperwire.search import SearchEngine
from paperwire.settings import Settings
from paperwire.storage import Store

TEMPLATES_DIR = Path(__file__).parent / "templates"


def create_app(settings: Settings, store: Store, search: SearchEngine | None = None) -> FastAPI:
    """Build the app around a store and its search engine; the caller owns the store's lifetime."""
    from paperwire.search import open_search
    from paperwire.web import papers
    from paperwire.web import search as search_routes

    app = FastAPI(
        title="Paperwire", version=__version__, docs_url="/api/docs", openapi_url="/api/openapi.json"
    )
    app.state.settings = settings
    app.state.store = store
    app.state.search = search or open_search(settings, store)
    app.state.templates = Jinja2Templates(directory=TEMPLATES_DIR)
    app.state.templates.env.globals["version"] = __version__

    # The route table: read it as the site's table of contents.
    app.add_api_route("/health", health, methods=["GET"], tags=["meta"])
    app.include_router(search_routes.router)  # before papers: /api/papers/search is not a paper id
    app.include_router(papers.router)

    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    return app


def health(request: Request) -> dict:
    """Liveness and a paper count."""
    return {"status": "ok", "version": __version__, "papers": request.app.state.store.count_papers()}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.endswith(".json") or path == "/health"


def error_response(request: Request, status: int, code: str, message: str):
    if wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}


async def _http_error(request: Request, exc: HTTPException):
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    return error_response(request, exc.status_code, _CODES.get(exc.status_code, "error"), message)


async def _validation_error(request: Request, exc: RequestValidationError):
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body"))
    message = (
        f"{where}: {first.get('msg', 'invalid value')}" if where else first.get("msg", "invalid request")
    )
    return error_response(request, 400, "bad_request", message)
