"""The one fetching layer of ingest: timeouts, a polite rate limit, bounded retries, a named User-Agent."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx
import tenacity

from paperwire import PaperwireError, __version__
from paperwire.settings import Settings

log = logging.getLogger("paperwire.ingest")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 600.0  # seconds; a longer Retry-After ends the run instead of holding it for hours
MAX_BACKOFF = 120.0
# How long an unreachable service is taken as still unreachable without asking: long enough for the rest
# of a run (its other categories and days), short enough that the web's long-lived fetcher tries again.
UNREACHABLE_MEMORY = 60.0


class FetchError(PaperwireError):
    """A request that failed for good (after its retries); the message names the URL and the reason."""


class Unreachable(FetchError):
    """The service's name does not resolve, or nothing answers at its address: no retry would help now."""


# Errors that say the network or the service is not there at all, as opposed to answering slowly or badly.
_UNREACHABLE_ERRNOS = {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH}


def _unreachable_reason(exc: BaseException) -> str | None:
    """'name does not resolve' or 'connection refused' (and kin) from a connect error's causes, else None."""
    seen = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return "name does not resolve"
        if isinstance(seen, OSError) and seen.errno in _UNREACHABLE_ERRNOS:
            return seen.strerror.lower() if seen.strerror else "unreachable"
        seen = seen.__cause__ or seen.__context__
    return None


class _Retryable(Exception):
    def __init__(self, status: int, retry_after: float | None, reason: str):
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


def user_agent(settings: Settings) -> str:
    """Names Paperwire and the hub, and the operator's address when PAPERWIRE_CONTACT_EMAIL is set."""
    contact = f"; mailto:{settings.contact_email}" if settings.contact_email else ""
    return f"Paperwire/{__version__} (+{settings.base_url}{contact})"


class _Pace:
    """When a service was last asked, and the lock held while it is asked: one per service name in a
    process, shared by every Fetcher of that service (serve's ingest schedule and its submission worker
    each open their own), so that arXiv's interval holds across them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last = -float("inf")


_PACES: dict[str, _Pace] = {}
_PACES_LOCK = threading.Lock()


def _pace(name: str) -> _Pace:
    with _PACES_LOCK:
        return _PACES.setdefault(name, _Pace())


class Fetcher:
    """GETs to one service: one request at a time, at least `interval` seconds apart, retried with backoff.

    The lock is held for the whole request, so threads sharing a Fetcher never open two connections;
    it and the time of the last request are the service's (`_Pace`, by `name`), so Fetchers of the same
    service in one process take turns too.
    A name that does not resolve or a refused connection is not retried: it raises Unreachable at once,
    and so does every request of this Fetcher in the next UNREACHABLE_MEMORY seconds (the rest of a
    run), without trying the network again.
    """

    def __init__(self, settings: Settings, *, interval: float, backoff: float, name: str):
        self.name = name
        self.interval = interval
        self.backoff = backoff
        self.retries = settings.http_retries
        self._pace = _pace(name)
        self._unreachable: tuple[str, float] | None = None  # ("host: why", when), from the last failure
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.http_timeout),
            headers={"User-Agent": user_agent(settings)},
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            follow_redirects=True,
        )

    @property
    def unreachable(self) -> str | None:
        """Why the service was found unreachable ("host: reason") within UNREACHABLE_MEMORY seconds."""
        if self._unreachable and time.monotonic() - self._unreachable[1] < UNREACHABLE_MEMORY:
            return self._unreachable[0]
        return None

    def get(
        self, url: str, params: dict | None = None, *, headers: dict | None = None, accept: tuple = ()
    ) -> httpx.Response:
        """The response to a GET with a 2xx status (or one of `accept`, such as 304 or 404), or
        FetchError after the bounded retries."""
        if (why := self.unreachable) is not None:
            raise Unreachable(f"{self.name} is unreachable ({why})")
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type((_Retryable, httpx.TransportError)),
            before_sleep=self._log_retry,
            reraise=True,
            sleep=time.sleep,
        )
        where = _describe(url, params)
        try:
            return retrying(self._once, url, params, headers, accept)
        except _Retryable as exc:
            raise FetchError(f"{where}: {exc} (gave up after {self.retries + 1} attempts)") from None
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise FetchError(
                f"{where}: {type(exc).__name__}: {reason} (gave up after {self.retries + 1} attempts)"
            ) from None

    def _once(self, url: str, params: dict | None, headers: dict | None, accept: tuple) -> httpx.Response:
        with self._pace.lock:
            pause = self._pace.last + self.interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                response = self._client.get(url, params=params, headers=headers)
            except httpx.ConnectError as exc:
                reason = _unreachable_reason(exc)
                if reason is None:
                    raise
                host = httpx.URL(url).host
                self._unreachable = (f"{host}: {reason}", time.monotonic())
                raise Unreachable(f"{self.name} is unreachable ({host}: {reason})") from None
            finally:
                self._pace.last = time.monotonic()
        if response.status_code in RETRY_STATUSES or _rate_limited(response):
            retry_after = _retry_after(response.headers.get("Retry-After"))
            if retry_after is None and _rate_limited(response):
                retry_after = rate_limit_reset(response)
            if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                # Honoured by not asking again in this run, rather than by sleeping for hours.
                raise FetchError(
                    f"{_describe(url, params)}: HTTP {response.status_code}, "
                    f"retry after {retry_after:.0f} s; run it again later"
                )
            raise _Retryable(response.status_code, retry_after, f"HTTP {response.status_code}")
        if response.status_code in accept:
            return response
        if response.status_code >= 400:
            snippet = " ".join(response.text[:200].split())
            raise FetchError(f"{_describe(url, params)}: HTTP {response.status_code}: {snippet}")
        return response

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return exc.retry_after
        return min(self.backoff * 2 ** (state.attempt_number - 1), MAX_BACKOFF)

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        log.warning(
            "%s: %s; retry %d of %d in %.1f s", self.name, exc, state.attempt_number, self.retries, wait
        )

    def close(self) -> None:
        self._client.close()


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _rate_limited(response: httpx.Response) -> bool:
    """GitHub's way of saying "too many requests": a 403 (or 429) with its quota spent or a Retry-After."""
    if response.status_code not in (403, 429):
        return False
    return response.headers.get("X-RateLimit-Remaining") == "0" or "Retry-After" in response.headers


def rate_limit_reset(response: httpx.Response) -> float | None:
    """Seconds until X-RateLimit-Reset (a Unix time) when X-RateLimit-Remaining is 0, else None."""
    if response.headers.get("X-RateLimit-Remaining") != "0":
        return None
    reset = response.headers.get("X-RateLimit-Reset", "")
    return max(0.0, int(reset) - time.time()) + 1.0 if reset.isdigit() else None


def _describe(url: str, params: dict | None) -> str:
    return str(httpx.URL(url, params=params)) if params else url


@dataclass
class Fetchers:
    """The fetchers of one process: every arXiv interface shares one, since arXiv's limit spans them."""

    arxiv: Fetcher
    hf: Fetcher

    def close(self) -> None:
        self.arxiv.close()
        self.hf.close()

    def __enter__(self) -> Fetchers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_fetchers(settings: Settings) -> Fetchers:
    # Backoff doubles from the arXiv interval (3, 6, 12 s ...), and from 1 s for Hugging Face.
    return Fetchers(
        arxiv=Fetcher(
            settings, interval=settings.arxiv_interval, backoff=settings.arxiv_interval, name="arXiv"
        ),
        hf=Fetcher(settings, interval=0.0, backoff=1.0, name="Hugging Face"),
    )
