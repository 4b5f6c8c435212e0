"""The whole route table: every route answers, every write needs CSRF and a session, no GET writes."""

import re

import pytest

from paperwire.web.services import require_csrf
from tests.support.routes import api_routes, fill

# RFC 8058 one-click unsubscribe: mailbox providers POST it without cookies, so it cannot carry a CSRF
# token. The signed token in its path is its authentication (tests/web/test_subscriptions.py). The one
# write route exempt from CSRF.
NO_CSRF = {("POST", "/unsubscribe/{token}")}
# POSTs that only read: their body is a question (the papers to recommend from), nothing is stored and
# no cookie is read, so a forged one cannot act for anyone (web/recommendations.py, docs/security.md).
READ_POSTS = {
    ("POST", "/api/recommendations"),
    ("POST", "/recommendations/v1/papers"),
    ("POST", "/recommendations/v1/papers/"),
}
# A member's own, besides the profile: a submission's state, the library and its exports, a collection's
# confirmation page.
MEMBERS = {
    "/submissions/{submission_id}",
    "/api/submissions/{submission_id}",
    "/collections/{collection_id}/delete",
}
MEMBERS |= {"/library", "/library.json", "/library/export/bibtex", "/library/export/csl-json"}
# "For you" and its private feed, whose made-up token is a 404 (tests/web/test_foryou.py).
MEMBERS |= {"/for-you", "/for-you.json", "/for-you/feed/{token}.atom"}
# A collection's pages: a missing one (none here) is a 404, as a private one is
# (tests/web/test_collections.py).
COLLECTIONS = {
    "/collections/{collection_id}",
    "/collections/{collection_id}.json",
    *(f"/collections/{{collection_id}}/{p}" for p in ("feed.atom", "export/bibtex", "export/csl-json")),
}
# Pages opened by a signed link: a made-up token is a 400.
SIGNED_LINK_PAGES = {
    "/signin/verify",
    "/subscribe/confirm",
    "/subscription",  # or a member's own: anonymous visitors are sent to sign in
    "/subscription.json",
    "/unsubscribe/{token}",
}


def test_every_write_route_checks_csrf(hub):
    writes = [r for r in api_routes(hub.app) if r.methods - {"GET", "HEAD"}]
    assert len(writes) >= 10
    for route in writes:
        if {(m, route.path) for m in route.methods} <= NO_CSRF | READ_POSTS:
            assert require_csrf not in [d.call for d in route.dependant.dependencies]
            continue
        assert require_csrf in [d.call for d in route.dependant.dependencies], f"{route.methods} {route.path}"


def test_every_read_route_answers(hub):
    reads = [r for r in api_routes(hub.app) if "GET" in r.methods]
    assert len(reads) >= 20
    client = hub.new_client()
    for route in reads:
        path = fill(route.path)
        r = client.get(path, params={"q": "graph", "token": "x"}, follow_redirects=False)
        assert r.status_code < 500, f"GET {path}: {r.status_code}"
        # Anonymous visitors may read everything but a member's own pages and the pages of signed links.
        if route.path not in {
            "/profile",
            "/profile.json",
            "/feeds/search.{fmt}",
            *MEMBERS,
            *SIGNED_LINK_PAGES,
            *COLLECTIONS,
        }:
            assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text[:200]}"


def test_no_read_route_changes_anything(hub):
    before = (hub.store.papers.change_seq(), hub.store.papers.community_version())
    client = hub.sign_in("reader@example.org", hub.new_client())
    version = hub.store.papers.community_version()
    for route in api_routes(hub.app):
        if "GET" in route.methods:
            client.get(fill(route.path), params={"q": "graph"})
    assert (hub.store.papers.change_seq(), hub.store.papers.community_version()) == (before[0], version)


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_write_route_refuses_without_a_token(hub, signed_in):
    client = hub.sign_in("writer@example.org", hub.new_client()) if signed_in else hub.new_client()
    for route in api_routes(hub.app):
        for method in route.methods - {"GET", "HEAD"}:
            if (method, route.path) in NO_CSRF | READ_POSTS:
                continue
            r = client.request(method, fill(route.path), json={})
            assert r.status_code == 403 and "CSRF" in r.json()["error"]["message"], f"{method} {route.path}"


def test_every_member_route_refuses_anonymous_visitors(hub):
    client = hub.new_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text).group(1)
    # Anyone may ask for a sign-in link or a subscription; a signed token (not a session) confirms one
    # and unsubscribes, so without a valid one those answer 400.
    public = {"/api/signin", "/api/signin/verify", "/api/signout"}
    public |= {"/api/subscriptions", "/api/subscriptions/confirm", "/unsubscribe/{token}"}
    public |= {path for _, path in READ_POSTS}
    for route in api_routes(hub.app):
        for method in route.methods - {"GET", "HEAD"}:
            if route.path in public:
                continue
            r = client.request(method, fill(route.path), json={}, headers={"X-CSRF-Token": token})
            assert r.status_code == 401, f"{method} {route.path}: {r.status_code}"


def test_every_json_twin_is_its_page_declared_once(hub):
    """pages.page declares a page and its twin together: the same handler answers both paths."""
    gets = {r.path: r for r in api_routes(hub.app) if "GET" in r.methods}
    twins = [p for p in gets if p.endswith(".json") and not p.startswith("/api/")]
    assert {"/trending.json", "/search.json", "/date/{day}.json", "/papers/{paper_id:path}.json"} <= set(
        twins
    )
    for path in twins:
        assert gets[path.removesuffix(".json")].endpoint is gets[path].endpoint, path
