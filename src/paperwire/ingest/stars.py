"""Record GitHub stars for the repositories papers link to (`paperwire ingest github`).

Politely: one request at a time through the shared fetching layer (User-Agent, retries, Retry-After);
conditional requests with the ETag of the last answer, which GitHub answers with a 304 that does not
count against the token's quota; and when X-RateLimit-Remaining reaches 0 the run waits for
X-RateLimit-Reset if that is near, or stops and leaves the rest to the next run.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import httpx

from paperwire import PaperwireError
from paperwire.ingest.github import API_VERSION, parse_repo
from paperwire.ingest.http import MAX_RETRY_AFTER, Fetcher, rate_limit_reset
from paperwire.models.repos import GithubRepo
from paperwire.repos import github_repo, repo_key
from paperwire.settings import Settings
from paperwire.storage import Store

log = logging.getLogger("paperwire.ingest")
RECHECK = timedelta(hours=20)  # a repository checked since is skipped: stars move slowly
DEFAULT_LIMIT = 1_000  # requests per run; a token allows 5,000 an hour
OFF = "GitHub ingest is off: PAPERWIRE_GITHUB_TOKEN is not set (see docs/ingest.md#github)"


class GithubOff(PaperwireError):
    """No token: the GitHub ingest does not run."""


def open_github(settings: Settings) -> Fetcher:
    if not settings.github_token:
        raise GithubOff(OFF)
    return Fetcher(settings, interval=0.0, backoff=1.0, name="GitHub")


def due_repos(store: Store, now: datetime) -> list[tuple[str, date | None]]:
    """owner/name of each linked repository not checked within RECHECK, newest papers' first."""
    newest: dict[str, tuple[str, date | None]] = {}
    for link, day in store.repos.github_links().items():
        name = github_repo(link)
        if name is None:
            continue
        key = repo_key(name)
        if key not in newest or (day and (newest[key][1] is None or day > newest[key][1])):
            newest[key] = (name, day)
    known = store.repos.github_repos()
    due = [
        (name, day)
        for key, (name, day) in newest.items()
        if key not in known or known[key].checked_at is None or known[key].checked_at < now - RECHECK
    ]
    due.sort(key=lambda r: (r[1] or date.min, repo_key(r[0])), reverse=True)
    return due


def ingest_github(
    store: Store,
    fetcher: Fetcher,
    settings: Settings,
    counts: Counter,
    *,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
) -> None:
    """Check the due repositories, at most `limit`, and record their stars."""
    now = now or datetime.now(UTC)
    due = due_repos(store, now)
    counts["due"] = len(due)
    known = store.repos.github_repos([repo_key(name) for name, _ in due[:limit]])
    headers = {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {settings.github_token}",
        "X-GitHub-Api-Version": API_VERSION,
    }
    for done, (name, _) in enumerate(due[:limit]):
        key = repo_key(name)
        old = known.get(key)
        conditional = {"If-None-Match": old.etag} if old and old.etag and old.status == "ok" else {}
        response = fetcher.get(
            f"{settings.github_api_url}/repos/{name}",
            headers=headers | conditional,
            accept=(304, 403, 404, 451),
        )
        store.repos.save_github_repo(_outcome(key, name, old, response, counts))
        if not _quota_left(response, left=min(len(due), limit) - done - 1, counts=counts):
            break
    counts["left for the next run"] += max(len(due) - limit, 0)


def _outcome(
    key: str, name: str, old: GithubRepo | None, response: httpx.Response, counts: Counter
) -> GithubRepo:
    checked = datetime.now(UTC)
    etag = response.headers.get("ETag")
    status = response.status_code
    if status == 304 and old is not None:
        counts["unchanged"] += 1
        return GithubRepo(key, old.full_name, "ok", old.stars, old.etag, checked)
    if status in (403, 404, 451):
        # 404: deleted, made private, or never there; 403 and 451: blocked (DMCA, a takedown).
        counts["missing" if status == 404 else "unavailable"] += 1
        return GithubRepo(key, name, "missing" if status == 404 else "unavailable", None, None, checked)
    full_name, stars = parse_repo(response.content)
    if repo_key(full_name) != key:
        counts["renamed"] += 1  # the API followed GitHub's 301 to the repository's new name
    counts["stars recorded"] += 1
    return GithubRepo(key, full_name, "ok", stars, etag, checked)


def _quota_left(response: httpx.Response, left: int, counts: Counter) -> bool:
    """Wait for the quota's reset if it is spent and near; False (stop) if it is far."""
    wait = rate_limit_reset(response)
    if wait is None or left <= 0:
        return True
    if wait <= MAX_RETRY_AFTER:
        log.info("GitHub: rate limit spent; waiting %.0f s for its reset", wait)
        time.sleep(wait)
        return True
    reset = datetime.now(UTC) + timedelta(seconds=wait)
    log.warning(
        "GitHub: rate limit spent until %s UTC; %d repositories are left for the next run",
        reset.strftime("%H:%M"),
        left,
    )
    counts["left for the next run"] += left
    return False
