"""The app's route table, and a value for each path parameter so that every route can be called."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute


def api_routes(app) -> list[APIRoute]:
    """Every APIRoute, the ones in included routers too (FastAPI includes them lazily)."""
    out, todo = [], list(app.routes)
    while todo:
        route = todo.pop(0)
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            todo.extend(route.original_router.routes)
    return out


# A value for each path parameter, so that every route can be called.
VALUES = {
    "paper_id": "2503.10002",
    "day": "2025-03-18",
    "week": "2025-W12",
    "month": "2025-03",
    "category": "cs.CV",
    "name": "Alan%20Turing",
    "fmt": "atom",
    "comment_id": "1",
    "submission_id": "1",
    "collection_id": "1",
    "token": "not-a-signed-token",
}


def fill(path: str) -> str:
    return re.sub(r"\{(\w+)(:path)?\}", lambda m: VALUES[m.group(1)], path)
