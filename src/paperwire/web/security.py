"""Sessions, CSRF tokens, magic-link tokens and rate limits. Shared state lives in the database, so
every worker and host agrees; the only secret is the key, which each process reads at start-up."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from paperwire import PaperwireError
from paperwire.models.users import User
from paperwire.settings import Settings
from paperwire.storage import Store

SESSION_COOKIE = "pw_session"
CSRF_COOKIE = "pw_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_DAYS = 30
YEAR = 365 * 86400
SIGNIN_LINK_MINUTES = 15
SECRET_FILE = "secret_key"


def resolve_secret_key(settings: Settings) -> str:
    """PAPERWIRE_SECRET_KEY, or for the embedded default a key generated once and kept in the data dir."""
    if settings.secret_key:
        return settings.secret_key
    if settings.server_mode:
        raise PaperwireError(
            "PAPERWIRE_SECRET_KEY: server mode needs a secret shared by every worker and host; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    path = Path(settings.data_dir) / SECRET_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:
        # O_EXCL: two processes starting at once agree on the first key written.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


class Security:
    """One per app: signs and checks what the hub hands to browsers."""

    def __init__(self, settings: Settings, store: Store, secret: str):
        self.store = store
        self.secret = secret.encode()
        self.secure_cookies = settings.base_url.startswith("https://")
        self.limits = settings.rate_limit_table
        self._links = URLSafeTimedSerializer(secret, salt="paperwire.signin")
        self._feeds = URLSafeSerializer(secret, salt="paperwire.foryou.feed")

    # -- sessions ---------------------------------------------------------------------------

    def current_user(self, request: Request) -> User | None:
        """The signed-in user, looked up once per request."""
        try:
            return request.state.user
        except AttributeError:
            token = request.cookies.get(SESSION_COOKIE)
            request.state.user = self.store.users.session_user(_hash(token), now()) if token else None
            return request.state.user

    def require_user(self, request: Request) -> User:
        user = self.current_user(request)
        if user is None:
            raise HTTPException(401, "sign in first")
        return user

    def require_admin(self, request: Request) -> User:
        user = self.require_user(request)
        if not user.is_admin:
            raise HTTPException(403, "only an admin can do this")
        return user

    def start_session(self, response, user: User) -> None:
        token = secrets.token_urlsafe(32)
        self.store.users.create_session(_hash(token), user.id, now() + timedelta(days=SESSION_DAYS))
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=SESSION_DAYS * 86400,
            httponly=True,
            samesite="lax",
            secure=self.secure_cookies,
        )

    def end_session(self, request: Request, response) -> None:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            self.store.users.delete_session(_hash(token))
        response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=self.secure_cookies)

    # -- CSRF: a random cookie, and forms carry an HMAC of it ---------------------------------

    def csrf_token(self, request: Request) -> str:
        """The token for forms on this page; a visitor without the cookie gets one with the response."""
        seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
        if not seed:
            seed = request.state.new_csrf = secrets.token_urlsafe(24)
        return self._csrf_for(seed)

    def _csrf_for(self, seed: str) -> str:
        return hmac.new(self.secret, b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()

    def set_csrf_cookie(self, request: Request, response) -> None:
        seed = getattr(request.state, "new_csrf", None)
        if seed:
            response.set_cookie(
                CSRF_COOKIE,
                seed,
                max_age=YEAR,
                httponly=True,
                samesite="lax",
                secure=self.secure_cookies,
            )

    async def check_csrf(self, request: Request) -> None:
        """Refuse an unsafe request without a valid token (in the form or the X-CSRF-Token header)."""
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and is_form(request):
            sent = (await request.form()).get(CSRF_FIELD)
        seed = request.cookies.get(CSRF_COOKIE)
        if not seed or not isinstance(sent, str):
            raise HTTPException(403, "missing CSRF token: reload the page and try again")
        # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500 before).
        if not hmac.compare_digest(self._csrf_for(seed).encode(), sent.encode("utf-8", "replace")):
            raise HTTPException(403, "invalid CSRF token: reload the page and try again")

    # -- magic links --------------------------------------------------------------------------

    def new_signin_token(self, email: str) -> str:
        """A signed token for one sign-in by `email`, good once within SIGNIN_LINK_MINUTES."""
        nonce = secrets.token_urlsafe(16)
        self.store.users.save_signin_token(nonce, email, now() + timedelta(minutes=SIGNIN_LINK_MINUTES))
        return self._links.dumps({"e": email, "n": nonce})

    def signin_link(self, base_url: str, email: str, next_: str = "/") -> str:
        """The link a sign-in mail carries, and `paperwire signin-link` prints: one new token in it."""
        query = urlencode({"token": self.new_signin_token(email), "next": safe_next(next_)})
        return f"{base_url}/signin/verify?{query}"

    def read_signin_token(self, token: str) -> tuple[str, str]:
        """(email, nonce) from a link's token, checking its signature and age; HTTPException if bad."""
        try:
            data = self._links.loads(token, max_age=SIGNIN_LINK_MINUTES * 60)
        except SignatureExpired:
            raise HTTPException(400, "this sign-in link has expired: ask for a new one") from None
        except BadSignature:
            raise HTTPException(400, "this sign-in link is not valid: ask for a new one") from None
        return data["e"], data["n"]

    def redeem_signin_token(self, token: str) -> User:
        email, nonce = self.read_signin_token(token)
        if self.store.users.use_signin_token(nonce, now()) != email:
            raise HTTPException(400, "this sign-in link has been used already: ask for a new one")
        return self.store.users.get_or_create_user(email)

    # -- rate limits --------------------------------------------------------------------------

    def feed_token(self, user_id: int, nonce: str) -> str:
        """A private feed's token: (user id, nonce) signed; a new nonce revokes the old links."""
        return self._feeds.dumps([user_id, nonce])

    def read_feed_token(self, token: str) -> tuple[int, str] | None:
        """The (user id, nonce) a feed token carries; None when it is not one of ours."""
        try:
            data = self._feeds.loads(token)
        except BadSignature:
            return None
        ok = isinstance(data, list) and len(data) == 2 and type(data[0]) is int and isinstance(data[1], str)
        return (data[0], data[1]) if ok else None

    def limit(self, action: str, who: str) -> None:
        """Count one `action` by `who`; 429 with Retry-After once the window's limit is passed."""
        if not self.allow(action, who):
            hits, seconds = self.limits[action]
            wait = seconds - int(now().timestamp()) % seconds  # windows are fixed, aligned to the epoch
            raise HTTPException(
                429,
                f"too many requests ({action}): at most {hits} every {_span(seconds)}",
                headers={"Retry-After": str(wait)},
            )

    def allow(self, action: str, who: str) -> bool:
        """Count one `action` by `who`; False once the configured limit for the window is passed."""
        hits, seconds = self.limits.get(action, (0, 0))
        return not hits or self.store.limits.hit_rate_limit(f"{action}:{who}", seconds, hits, now())


def _span(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hour{'s' if seconds > 3600 else ''}"
    if seconds % 60 == 0:
        return f"{seconds // 60} minute{'s' if seconds > 60 else ''}"
    return f"{seconds} seconds"


def is_form(request: Request) -> bool:
    """A browser form post (answered with a redirect or a page) rather than an API call (JSON)."""
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything pointing off-site becomes the default."""
    if not target:
        return default
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return default
    return target


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
