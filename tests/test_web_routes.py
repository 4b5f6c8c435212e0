"""The whole route table: every route answers, every write needs CSRF and a session, no GET writes."""

import re

import pytest
from fastapi.routing import APIRoute

from paperwire.web.security import _csrf


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
}


def fill(path: str) -> str:
    return re.sub(r"\{(\w+)(:path)?\}", lambda m: VALUES[m.group(1)], path)


def test_every_write_route_checks_csrf(hub):
    writes = [r for r in api_routes(hub.app) if r.methods - {"GET", "HEAD"}]
    assert len(writes) >= 10
    for route in writes:
        assert _csrf in [d.call for d in route.dependant.dependencies], f"{route.methods} {route.path}"


def test_every_read_route_answers(hub):
    reads = [r for r in api_routes(hub.app) if "GET" in r.methods]
    assert len(reads) >= 20
    client = hub.new_client()
    for route in reads:
        path = fill(route.path)
        r = client.get(path, params={"q": "graph", "token": "x"}, follow_redirects=False)
        assert r.status_code < 500, f"GET {path}: {r.status_code}"
        # Anonymous visitors may read everything but the profile and the sign-in link page.
        if route.path not in ("/profile", "/profile.json", "/signin/verify", "/feeds/search.{fmt}"):
            assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text[:200]}"


def test_no_read_route_changes_anything(hub):
    before = (hub.store.change_seq(), hub.store.community_version())
    client = hub.sign_in("reader@example.org", hub.new_client())
    version = hub.store.community_version()
    for route in api_routes(hub.app):
        if "GET" in route.methods:
            client.get(fill(route.path), params={"q": "graph"})
    assert (hub.store.change_seq(), hub.store.community_version()) == (before[0], version)


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_write_route_refuses_without_a_token(hub, signed_in):
    client = hub.sign_in("writer@example.org", hub.new_client()) if signed_in else hub.new_client()
    for route in api_routes(hub.app):
        for method in route.methods - {"GET", "HEAD"}:
            r = client.request(method, fill(route.path), json={})
            assert r.status_code == 403 and "CSRF" in r.json()["error"]["message"], f"{method} {route.path}"


def test_every_member_route_refuses_anonymous_visitors(hub):
    client = hub.new_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text).group(1)
    public = {"/api/signin", "/api/signin/verify", "/api/signout"}
    for route in api_routes(hub.app):
        for method in route.methods - {"GET", "HEAD"}:
            if route.path in public:
                continue
            r = client.request(method, fill(route.path), json={}, headers={"X-CSRF-Token": token})
            assert r.status_code == 401, f"{method} {route.path}: {r.status_code}"
