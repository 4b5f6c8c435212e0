"""web/guard.py and the routes' ranges: body limits, out-of-range values, security headers, HEAD."""

import json
import re
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from paperwire.web.guard import DOCS_PATHS
from tests.support.hub import make_hub
from tests.support.routes import api_routes, fill

BIG = "9223372036854775808"  # 2**63: one past the databases' 64-bit integers

OUT_OF_RANGE = [
    "/week/9999-W52",
    "/week/9999-W52.json",
    "/week/0001-W01",
    "/month/0001-01",
    "/month/0001-01.json",
    "/month/9999-12",
    "/month/9999-12.json",
    "/date/0001-01-01",
    "/date/9999-12-31.json",
    "/api/daily_papers?week=9999-W52",
    "/api/daily_papers?month=0001-01",
    "/api/daily_papers?date=9999-12-31",
    f"/api/daily_papers?p={BIG}",
    f"/api/daily_papers?p={BIG}&sort=trending",
    f"/trending?page={BIG}",
    f"/trending.json?page={BIG}",
    f"/categories/cs.CV?page={BIG}",
    f"/authors/Alan%20Turing?page={BIG}",
    f"/search?q=graph&page={BIG}",
    f"/search.json?q=graph&limit={BIG}",
    f"/api/search?q=graph&limit={BIG}",
    f"/api/papers/search?q=graph&limit={BIG}",
    f"/api/papers/2503.10002/similar?limit={BIG}",
    "/papers/%00",
    "/categories/%00",
    "/authors/%00",
    "/feeds/categories/%00.atom",
    "/api/daily_papers?submitter=%00",
]


@pytest.mark.parametrize("path", OUT_OF_RANGE)
def test_out_of_range_values_are_4xx_never_500(hub, path):
    r = hub.client.get(path)
    assert 400 <= r.status_code < 500, f"{path}: {r.status_code} {r.text[:200]}"
    if urlsplit(path).path.endswith(".json") or path.startswith("/api/"):
        assert set(r.json()["error"]) == {"code", "message"}
    else:
        assert r.headers["content-type"].startswith(("text/html", "application/json"))


def test_a_nul_in_a_query_is_never_a_500(hub):
    # Search ignores control characters in its query; a NUL that would reach PostgreSQL is a 400.
    paths = ["/search.json?q=%00", "/api/search?q=graph&category=%00&author=%00", "/subscribe?email=a%00b"]
    for path in [*paths, "/feeds/search.atom?q=%00", "/api/papers/search?q=%00"]:
        assert hub.client.get(path).status_code in (200, 400), path


@pytest.mark.parametrize(
    "method, path",
    [
        ("DELETE", f"/api/comments/{BIG}"),
        ("POST", f"/api/comments/{BIG}/delete"),
        ("POST", f"/api/comments/{BIG}/hide"),
        ("DELETE", "/api/comments/0"),
    ],
)
def test_out_of_range_comment_ids_are_400_for_members(hub, method, path):
    client = hub.sign_in("member@example.org", hub.new_client())
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/papers/2503.10002").text).group(1)
    r = client.request(method, path, headers={"X-CSRF-Token": token})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "bad_request"


def test_periods_at_the_edges_of_the_calendar_answer(hub):
    for path in ("/week/9998-W52", "/month/9998-12", "/month/1000-01.json", "/date/9998-12-31"):
        assert hub.client.get(path).status_code == 200, path


def test_every_response_has_the_security_headers(hub):
    for path in ("/", "/papers/2503.10002", "/papers/2503.10002.json", "/api/daily_papers", "/nothing-here",
                 "/static/site/site.css", "/week/9999-W52", "/api/openapi.json"):  # fmt: skip
        r = hub.client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "strict-transport-security" not in r.headers  # the test hub's base URL is http://
        assert "server-timing" not in r.headers and "server" not in r.headers


def test_pages_have_no_inline_script_or_style(hub):
    client = hub.sign_in("admin@example.org", hub.new_client())
    for route in api_routes(hub.app):
        if "GET" not in route.methods:
            continue
        r = client.get(fill(route.path), params={"q": "graph"})
        if not r.headers.get("content-type", "").startswith("text/html") or route.path in DOCS_PATHS:
            continue
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text), route.path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:", r.text, re.IGNORECASE), route.path


def test_hsts_when_the_base_url_is_https(tmp_path, model_dir, smtp_inbox):
    hub, store = make_hub(tmp_path, model_dir, smtp_inbox, base_url="https://papers.example.org")
    with hub.client:
        r = hub.client.get("/")
    store.close()
    assert r.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_server_timing_only_when_asked(tmp_path, model_dir, smtp_inbox):
    hub, store = make_hub(tmp_path, model_dir, smtp_inbox, server_timing=True)
    with hub.client:
        r = hub.client.get("/")
    store.close()
    assert re.fullmatch(r"app;dur=\d+\.\d\d", r.headers["server-timing"])


def test_head_is_answered_wherever_get_is(hub):
    reads = [r for r in api_routes(hub.app) if "GET" in r.methods]
    assert len(reads) >= 30
    client = hub.new_client()
    for route in reads:
        path = fill(route.path)
        got = client.get(path, params={"q": "graph", "token": "x"}, follow_redirects=False)
        head = client.head(path, params={"q": "graph", "token": "x"}, follow_redirects=False)
        assert head.status_code == got.status_code, f"HEAD {path}: {head.status_code} (GET {got.status_code})"
        assert head.content == b""
        assert head.headers.get("content-type") == got.headers.get("content-type")
    assert client.head("/static/site/site.css").status_code == 200


# -- over real HTTP: a spawned `paperwire serve` -----------------------------------------------------


def csrf(url: str) -> tuple[str, str]:
    answer = httpx.get(url + "/api/csrf")
    cookie = "; ".join(f"{k}={v}" for k, v in answer.cookies.items())
    return answer.json()["csrf_token"], cookie


def test_an_over_limit_body_is_413_before_it_is_read(spawn_server):
    server = spawn_server(records=[])
    token, cookie = csrf(server.url)
    headers = {"X-CSRF-Token": token, "Cookie": cookie, "Content-Type": "application/json"}
    body = json.dumps({"email": "a@example.org", "pad": "x" * 2_000_000}).encode()
    r = httpx.post(server.url + "/api/signin", content=body, headers=headers)
    assert r.status_code == 413
    assert r.json()["error"] == {
        "code": "payload_too_large",
        "message": "the request body is larger than 1,048,576 bytes",
    }
    # Under the limit, the same route reads the body as ever.
    small = httpx.post(server.url + "/api/signin", json={"email": "not an address"}, headers=headers)
    assert small.status_code == 400


def test_a_chunked_body_is_stopped_at_the_limit(spawn_server):
    """No Content-Length: the guard counts the chunks as they arrive. The client sends 3 MB of a body
    it never finishes; the answer comes anyway, so the server did not wait for (or keep) the rest."""
    server = spawn_server(records=[], PAPERWIRE_MAX_BODY_BYTES="100000")
    token, cookie = csrf(server.url)
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/signin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"X-CSRF-Token: {token}\r\nCookie: {cookie}\r\n\r\n".encode()
        )
        chunk = b"email=" + b"a" * 65_530
        try:
            for _ in range(48):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what this test wants
        deadline, answer = time.monotonic() + 10, b""
        while time.monotonic() < deadline and (got := sock.recv(65536)):
            answer += got
            head, _, body = answer.partition(b"\r\n\r\n")
            length = re.search(rb"content-length: (\d+)", head)
            if length and len(body) >= int(length.group(1)):
                break
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:300]
    assert b"the request body is larger than 100,000 bytes" in body  # the error page: the form's answer


def test_the_served_hub_has_no_banner_and_answers_head(spawn_server):
    server = spawn_server(records=[])
    for method in ("GET", "HEAD"):
        r = httpx.request(method, server.url + "/feeds/daily.atom")
        assert r.status_code == 200
        assert "server" not in r.headers and "server-timing" not in r.headers
        assert r.headers["x-content-type-options"] == "nosniff"
    assert httpx.head(server.url + "/health").status_code == 200
