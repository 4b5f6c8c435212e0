"""A real HTTP server in the test process that replays recorded responses, for the ingest tests."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from tests.support.paths import DATA


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=lambda: {"Content-Type": "text/xml; charset=utf-8"})
    reset: bool = False  # drop the connection with a TCP reset instead of answering
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class Request:
    path: str
    query: dict
    headers: dict
    at: float  # time.monotonic() when it arrived


class ReplayServer:
    """Routes map a path to fn(query) -> Reply. `fail_once(path, key, reply)` answers `reply` the first
    time a request's query matches `key`, then the route's normal answer."""

    def __init__(self):
        self.routes: dict[str, Callable[[dict], Reply]] = {}
        self.requests: list[Request] = []
        self._once: list[tuple[str, dict, Reply]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                request = Request(parts.path, query, dict(self.headers), time.monotonic())
                with server._lock:
                    server.requests.append(request)
                    reply = server._take_once(parts.path, query)
                if reply is None:
                    route = server.route_for(parts.path)
                    if route is None:
                        reply = Reply(b"not found", 404, {"Content-Type": "text/plain"})
                    elif getattr(route, "wants_request", False):  # the path and headers too
                        reply = route(request)
                    else:
                        reply = route(query)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.reset:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client went away
                    self.wfile.write(reply.body)

            def finish(self):
                with contextlib.suppress(OSError):  # the connection was reset on purpose
                    super().finish()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def route_for(self, path: str) -> Callable | None:
        """The route of the path, or of the longest prefix ending in "/" that is a route."""
        if path in self.routes:
            return self.routes[path]
        prefixes = [p for p in self.routes if p.endswith("/") and path.startswith(p)]
        return self.routes[max(prefixes, key=len)] if prefixes else None

    def _take_once(self, path: str, query: dict) -> Reply | None:
        for i, (p, key, reply) in enumerate(self._once):
            if p == path and all(query.get(k) == v for k, v in key.items()):
                del self._once[i]
                return reply
        return None

    def fail_once(self, path: str, key: dict, reply: Reply) -> None:
        with self._lock:
            self._once.append((path, key, reply))

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


OAI_DATA = DATA / "oai"
OAI_PAGES = {None: "page1.xml", "6960524|1001": "page2.xml", "6960524|2001": "page3.xml"}


def oai_route(query: dict) -> Reply:
    """arXiv's OAI-PMH endpoint over the three recorded pages of set cs (and an incremental page)."""
    if query.get("verb") != "ListRecords":
        return Reply(b"badVerb", 400)
    token = query.get("resumptionToken")
    if token is None and query.get("from") == "2025-03-19":
        return Reply((OAI_DATA / "incremental.xml").read_bytes())
    if token is None and query.get("from", "") > "2025-03-19":
        return Reply((OAI_DATA / "noRecordsMatch.xml").read_bytes())
    name = OAI_PAGES.get(token)
    return Reply((OAI_DATA / (name or "badResumptionToken.xml")).read_bytes())


def ingest_env(server: ReplayServer, **extra) -> dict:
    """PAPERWIRE_* variables that point every source at the replay server, with no waiting."""
    return {
        "PAPERWIRE_ARXIV_OAI_URL": f"{server.url}/oai",
        "PAPERWIRE_ARXIV_API_URL": f"{server.url}/api/query",
        "PAPERWIRE_ARXIV_FEED_URL": f"{server.url}/atom",
        "PAPERWIRE_HF_URL": server.url,
        "PAPERWIRE_GITHUB_API_URL": server.url,
        "PAPERWIRE_CONTACT_EMAIL": "ops@example.org",
        "PAPERWIRE_ARXIV_INTERVAL": "0",
        "PAPERWIRE_HTTP_RETRIES": "2",
        **extra,
    }


def ingest_overrides(server: ReplayServer, **extra) -> dict:
    """ingest_env as settings keyword arguments: make_settings(**ingest_overrides(server)) in-process."""
    return {k.removeprefix("PAPERWIRE_").lower(): v for k, v in ingest_env(server, **extra).items()}


def raw_record(arxiv_id: str, stamp: str, title: str, version: int = 1) -> str:
    """One OAI-PMH record in the arXivRaw format, as arXiv writes it."""
    versions = "".join(
        f'<version version="v{n}"><date>Mon, {n:02d} Mar 2025 10:00:00 GMT</date><size>10kb</size>'
        "<source_type>D</source_type></version>"
        for n in range(1, version + 1)
    )
    return (
        f"<record><header><identifier>oai:arXiv.org:{arxiv_id}</identifier><datestamp>{stamp}</datestamp>"
        "<setSpec>cs</setSpec></header><metadata>"
        '<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">'
        f"<id>{arxiv_id}</id><submitter>A. Author</submitter>{versions}<title>{title}</title>"
        "<authors>A. Author and B. Author</authors><categories>cs.LG</categories>"
        f"<abstract>  Abstract of {arxiv_id}.\n</abstract></arXivRaw></metadata></record>"
    )


def raw_page(records: list[str], token: str | None) -> bytes:
    """A ListRecords page around records; token None marks the last page (an empty resumptionToken)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        '<responseDate>2025-03-20T09:14:02Z</responseDate><request verb="ListRecords">oai</request>'
        f"<ListRecords>{''.join(records)}<resumptionToken>{token or ''}</resumptionToken>"
        "</ListRecords></OAI-PMH>\n"
    ).encode()


class PagedOai:
    """An OAI-PMH route over `pages` pages of `per_page` records; datestamps are not in page order,
    as at arXiv, so a cursor taken from a partial harvest would skip records."""

    def __init__(self, pages: int, per_page: int):
        self.pages = []
        for p in range(pages):
            recs = [
                raw_record(
                    f"2504.{p * per_page + i:05d}", f"2025-04-{(p * 7 + i) % 20 + 1:02d}", f"Paper {p}-{i}"
                )
                for i in range(per_page)
            ]
            self.pages.append(raw_page(recs, f"tok|{p + 1}" if p + 1 < pages else None))

    def __call__(self, query: dict) -> Reply:
        token = query.get("resumptionToken")
        index = 0 if token is None else int(token.split("|")[1])
        return Reply(self.pages[index])


API_DATA = DATA / "arxiv-api"


def api_route(query: dict) -> Reply:
    """arXiv's query API for `id_list=`: a feed of the recorded entries; unknown ids are left out, and
    an id of the wrong shape gets the API's error entry instead, as arXiv does."""
    ids = [i for i in query.get("id_list", "").split(",") if i]
    entries = []
    for arxiv_id in ids:
        bare = arxiv_id.split("v")[0] if "/" not in arxiv_id else arxiv_id
        recorded = API_DATA / f"{arxiv_id}.xml"
        if not recorded.exists():
            recorded = next(iter(sorted(API_DATA.glob(f"{bare}*.xml"))), None)
        if not (bare.replace(".", "").isdigit() or "/" in bare):
            return Reply(_feed([(API_DATA / "error-entry.xml").read_text().replace("{ID}", arxiv_id)], 1))
        if recorded is not None:
            entries.append(recorded.read_text())
    return Reply(
        _feed(entries, len(entries)), headers={"Content-Type": "application/atom+xml; charset=utf-8"}
    )


def _feed(entries: list[str], total: int) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        '  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>\n'
        '  <title type="html">ArXiv Query: id_list</title>\n  <id>http://arxiv.org/api/x</id>\n'
        "  <updated>2025-04-10T00:00:00-04:00</updated>\n"
        f'  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}'
        "</opensearch:totalResults>\n" + "".join(entries) + "</feed>\n"
    ).encode()


HF_DATA = DATA / "hf"


class HfRoute:
    """Hugging Face's /api/daily_papers: `days` maps a date to its list of entries; p and limit page it,
    and a bad date is a 400, as on the hub."""

    def __init__(self, days: dict[str, list]):
        self.days = days

    def __call__(self, query: dict) -> Reply:
        if "date" in query:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", query["date"]):
                return Reply(b'{"error":"Invalid date"}', 400, {"Content-Type": "application/json"})
            items = self.days.get(query["date"], [])
        elif "month" in query:
            items = [e for d, es in sorted(self.days.items()) if d.startswith(query["month"]) for e in es]
        else:
            items = [e for es in self.days.values() for e in es]
        page, limit = int(query.get("p", 0)), int(query.get("limit", 50))
        body = json.dumps(items[page * limit : (page + 1) * limit]).encode()
        return Reply(body, headers={"Content-Type": "application/json; charset=utf-8"})


HF_DAY = json.loads((HF_DATA / "daily_papers-2025-03-18.json").read_text())  # a recorded day, as HF serves it


@contextlib.contextmanager
def sources_server(routes: dict[str, Callable] | None = None):
    """A replay server for the ingest sources: arXiv's query API (api_route) and Hugging Face's daily
    papers of 2025-03-18 (HF_DAY), plus `routes`."""
    with ReplayServer() as s:
        s.routes["/api/query"] = api_route
        s.routes["/api/daily_papers"] = HfRoute({"2025-03-18": HF_DAY})
        s.routes.update(routes or {})
        yield s


GITHUB_DATA = DATA / "github"


def recorded_http(name: str) -> tuple[int, dict, bytes]:
    """A response recorded under tests/data/github/NAME.http: status, headers, body."""
    head, _, body = (GITHUB_DATA / f"{name}.http").read_bytes().partition(b"\n\n")
    status_line, *lines = head.decode().splitlines()
    headers = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, body


class GithubRoute:
    """GitHub's GET /repos/{owner}/{repo}, from the recorded responses: `stars` maps owner/name to a
    count, `renamed` an old owner/name to the new one (a 301 to /repositories/{id}, as GitHub answers),
    `blocked` are 451s and anything else a 404. Names compare case-insensitively; a request with the
    ETag of the current answer gets a 304; a token other than `token` a 401; each answer but a 304
    spends one of `quota` requests, and past it every request is a 403 with X-RateLimit-Remaining 0
    until `reset_in` seconds later."""

    wants_request = True

    def __init__(self, stars: dict, renamed: dict | None = None, blocked=(), *, token="ghp_test", quota=5000,
                 reset_in=3600):  # fmt: skip
        self.stars = {k.lower(): (k, v) for k, v in stars.items()}
        self.renamed = {k.lower(): v for k, v in (renamed or {}).items()}
        self.blocked = {b.lower() for b in blocked}
        self.ids = {i + 1: name for i, name in enumerate(sorted(self.stars))}
        self.token, self.quota, self.reset_in = token, quota, reset_in
        self.remaining, self.reset = quota, int(time.time()) + reset_in
        self.base = ""  # the server's URL, for the Location of a 301; set by install()

    def install(self, server: ReplayServer) -> GithubRoute:
        self.base = server.url
        server.routes["/repos/"] = server.routes["/repositories/"] = self
        return self

    def __call__(self, request: Request) -> Reply:
        headers = {k.lower(): v for k, v in request.headers.items()}
        if headers.get("authorization") != f"Bearer {self.token}":
            return self._reply("bad-credentials", spend=False)
        if time.time() >= self.reset:  # a new window
            self.remaining, self.reset = self.quota, int(time.time()) + self.reset_in
        if self.remaining <= 0:
            return self._reply("rate-limited", spend=False)
        parts = request.path.strip("/").split("/")
        if parts[0] == "repositories":
            name = self.ids.get(int(parts[1]))
        else:
            name = "/".join(parts[1:3]).lower()
            if name in self.renamed:
                new = self.renamed[name].lower()
                number = next(i for i, n in self.ids.items() if n == new)
                return self._reply("moved", location=f"{self.base}/repositories/{number}")
            if name in self.blocked:
                return self._reply("blocked")
        if name not in self.stars:
            return self._reply("not-found")
        full_name, stars = self.stars[name]
        etag = f'W/"{hashlib.sha256(f"{full_name} {stars}".encode()).hexdigest()}"'
        if headers.get("if-none-match") == etag:
            return self._reply("not-modified", etag=etag, spend=False)
        repo = json.loads(recorded_http("repo")[2])
        owner, repo["name"] = full_name.split("/")
        repo["owner"]["login"], repo["full_name"] = owner, full_name
        repo["stargazers_count"] = repo["watchers_count"] = repo["watchers"] = stars
        return self._reply("repo", etag=etag, body=json.dumps(repo, indent=2).encode())

    def _reply(self, name: str, *, spend=True, etag=None, location=None, body=None) -> Reply:
        status, headers, recorded = recorded_http(name)
        if spend:
            self.remaining -= 1
        if "x-ratelimit-remaining" in headers:
            headers["x-ratelimit-remaining"] = str(max(self.remaining, 0))
            headers["x-ratelimit-reset"] = str(self.reset)
        for key, value in (("etag", etag), ("location", location)):
            if value:
                headers[key] = value
        return Reply(recorded if body is None else body, status, headers)
