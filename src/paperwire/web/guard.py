"""Pure ASGI middleware around the whole app: request body limits, refusals of values no route can use,
security headers on every response, and HEAD wherever GET is answered (docs/security.md)."""

from __future__ import annotations

import json
import time

from starlette.exceptions import HTTPException

# Content-Security-Policy of every page: no inline script or style, nothing from other hosts, no
# framing. The API's documentation pages (Swagger UI, ReDoc) start themselves with an inline script,
# so those two pages, and only they, may run inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
DOCS_PATHS = ("/api/docs", "/api/redoc", "/docs/oauth2-redirect")


class BodyTooLarge(HTTPException):
    """Raised from receive(): FastAPI re-raises HTTPExceptions from body parsing instead of making them
    400s, so the app's error handler answers it as JSON or the error page."""

    def __init__(self, limit: int, message: str | None = None):
        super().__init__(413, message or f"the request body is larger than {limit:,} bytes")


class RequestGuard:
    """Counts request body bytes as they stream and stops at the limit (a Content-Length past it is
    refused before any byte is read); refuses a NUL in the path, which PostgreSQL cannot hold in text
    (one in a query that reaches the database is a 400 from the app's DataError handler); answers
    HEAD like GET without the body; adds the security headers. `uploads` gives the paths that take a
    file (the library's import) their own, larger limit and the message that says so."""

    def __init__(
        self,
        app,
        *,
        max_body_bytes: int,
        hsts: bool,
        server_timing: bool = False,
        uploads: dict[str, tuple[int, str]] | None = None,
    ):
        self.app = app
        self.limit = max_body_bytes
        self.uploads = uploads or {}
        self.hsts = hsts
        self.server_timing = server_timing

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        headers = self._headers(scope["path"])

        async def guarded_send(message):
            if message["type"] == "http.response.start":
                extra = list(headers)
                if self.server_timing:
                    ms = (time.perf_counter() - started) * 1000
                    extra.append((b"server-timing", b"app;dur=%.2f" % ms))
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            elif head and message["type"] == "http.response.body":
                if message.get("more_body"):
                    return  # HEAD: the headers of GET (Content-Length too), no body
                message = {**message, "body": b""}
            await send(message)

        if "\x00" in scope["path"]:  # a query's NUL is the route's to judge (search ignores it)
            return await _refuse(guarded_send, 400, "bad_request", "the URL's path has a NUL character (%00)")
        limit, too_large = self.uploads.get(scope["path"], (self.limit, None))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            message = too_large or f"the request body is larger than {limit:,} bytes"
            return await _refuse(guarded_send, 413, "payload_too_large", message)
        received = 0

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, too_large)
            return message

        await self.app(scope, counted_receive, guarded_send)

    def _headers(self, path: str) -> list[tuple[bytes, bytes]]:
        csp = DOCS_CSP if path in DOCS_PATHS else CSP
        out = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if self.hsts:
            out.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        return out


def _content_length(scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            return int(value) if value.isdigit() and len(value) < 20 else None
    return None


async def _refuse(send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 413:
        headers.append((b"connection", b"close"))  # the unread body is not waited for
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
