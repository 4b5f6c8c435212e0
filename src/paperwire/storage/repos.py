"""The Store's part for code repositories: GitHub's stars per repository, and the papers' links to
GitHub. Written once for both databases (see dialect.py)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, date, datetime

from paperwire.models.repos import GithubRepo
from paperwire.storage.database import Noun

_COLUMNS = "name, full_name, status, stars, etag, checked_at"
_SAVE = (
    f"INSERT INTO github_repos ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
    "full_name = excluded.full_name, status = excluded.status, stars = excluded.stars, "
    "etag = excluded.etag, checked_at = excluded.checked_at"
)
_SHOWN = "SELECT full_name, stars FROM github_repos WHERE name = ?"
# Every paper's GitHub link with the newest day a paper linking to it has on the hub.
_LINKS = (
    "SELECT code_url, max(coalesce(announced, published)) FROM papers "
    "WHERE code_url LIKE 'https://github.com/%' GROUP BY code_url"
)


class Repos(ABC):
    @abstractmethod
    def github_links(self) -> dict[str, date | None]:
        """Each GitHub link of a stored paper, with the newest day of a paper that gives it."""

    @abstractmethod
    def github_repos(self, names: Sequence[str] | None = None) -> dict[str, GithubRepo]:
        """The recorded repositories by lower-cased owner/name: these, or all of them."""

    @abstractmethod
    def save_github_repo(self, repo: GithubRepo) -> None: ...


class ReposSQL(Noun, Repos):
    def github_links(self) -> dict[str, date | None]:
        with self.db.read() as conn:
            return {url: self.d.day_of(day) for url, day in conn.all(_LINKS)}

    def github_repos(self, names: Sequence[str] | None = None) -> dict[str, GithubRepo]:
        rows = []
        with self.db.snapshot() as conn:
            if names is None:
                rows = conn.all(f"SELECT {_COLUMNS} FROM github_repos")
            for condition, params in self.d.one_of("name", names or ()):
                rows += conn.all(f"SELECT {_COLUMNS} FROM github_repos WHERE {condition}", params)
        return {r[0]: GithubRepo(*r[:5], checked_at=self.d.time_of(r[5])) for r in rows}

    def save_github_repo(self, repo: GithubRepo) -> None:
        checked = self.d.time(repo.checked_at or datetime.now(UTC))
        with self.db.transaction() as conn:
            old = conn.one(_SHOWN, (repo.name,))
            conn.execute(_SAVE, (repo.name, repo.full_name, repo.status, repo.stars, repo.etag, checked))
            if old is None or tuple(old) != (repo.full_name, repo.stars):
                self.db.bump(conn)  # pages show the stars: cached copies are stale now
