"""The Store's part for code repositories: GitHub's stars per repository, and the papers' links to
GitHub. The SQL is written once for both databases; the two small classes at the end say how each
spells parameters, times and dates. Each store provides _transaction() and _snapshot()."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, date, datetime

from paperwire.repos import GithubRepo

_COLUMNS = "name, full_name, status, stars, etag, checked_at"
_SAVE = (
    f"INSERT INTO github_repos ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
    "full_name = excluded.full_name, status = excluded.status, stars = excluded.stars, "
    "etag = excluded.etag, checked_at = excluded.checked_at"
)
_SHOWN = "SELECT full_name, stars FROM github_repos WHERE name = ?"
# The counter the pages' cache compares (see web/pages.py), as a vote moves it.
_BUMP = (
    "INSERT INTO hub_counters (name, value) VALUES ('community', 1) "
    "ON CONFLICT (name) DO UPDATE SET value = hub_counters.value + 1"
)
# Every paper's GitHub link with the newest day a paper linking to it has on the hub.
_LINKS = (
    "SELECT code_url, max(coalesce(announced, published)) FROM papers "
    "WHERE code_url LIKE 'https://github.com/%' GROUP BY code_url"
)


class RepoStore(ABC):
    @abstractmethod
    def github_links(self) -> dict[str, date | None]:
        """Each GitHub link of a stored paper, with the newest day of a paper that gives it."""

    @abstractmethod
    def github_repos(self, names: Sequence[str] | None = None) -> dict[str, GithubRepo]:
        """The recorded repositories by lower-cased owner/name: these, or all of them."""

    @abstractmethod
    def save_github_repo(self, repo: GithubRepo) -> None: ...


class ReposSQL(RepoStore):
    @staticmethod
    def _q(sql: str) -> str:
        return sql

    @staticmethod
    def _t(moment: datetime) -> object:
        raise NotImplementedError

    @staticmethod
    def _tv(value) -> datetime | None:
        raise NotImplementedError

    @staticmethod
    def _dv(value) -> date | None:
        raise NotImplementedError

    def github_links(self) -> dict[str, date | None]:
        with self._snapshot() as conn:
            return {url: self._dv(day) for url, day in conn.execute(_LINKS).fetchall()}

    def github_repos(self, names: Sequence[str] | None = None) -> dict[str, GithubRepo]:
        rows = []
        with self._snapshot() as conn:
            if names is None:
                rows = conn.execute(f"SELECT {_COLUMNS} FROM github_repos").fetchall()
            wanted = list(dict.fromkeys(names or ()))
            for chunk in (wanted[i : i + 500] for i in range(0, len(wanted), 500)):
                marks = ", ".join("?" * len(chunk))
                sql = self._q(f"SELECT {_COLUMNS} FROM github_repos WHERE name IN ({marks})")
                rows += conn.execute(sql, chunk).fetchall()
        return {r[0]: GithubRepo(*r[:5], checked_at=self._tv(r[5])) for r in rows}

    def save_github_repo(self, repo: GithubRepo) -> None:
        checked = self._t(repo.checked_at or datetime.now(UTC))
        with self._transaction() as conn:
            old = conn.execute(self._q(_SHOWN), (repo.name,)).fetchone()
            conn.execute(
                self._q(_SAVE), (repo.name, repo.full_name, repo.status, repo.stars, repo.etag, checked)
            )
            if old is None or tuple(old) != (repo.full_name, repo.stars):
                conn.execute(_BUMP)  # pages show the stars: cached copies are stale now


class SQLiteRepos(ReposSQL):
    """Times as UTC text that sorts as it compares; dates as ISO text."""

    @staticmethod
    def _t(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    @staticmethod
    def _tv(value) -> datetime | None:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None

    @staticmethod
    def _dv(value) -> date | None:
        return date.fromisoformat(value) if value else None


class PostgresRepos(ReposSQL):
    """%s parameters; `timestamp` columns hold naive UTC."""

    @staticmethod
    def _q(sql: str) -> str:
        return sql.replace("?", "%s")

    @staticmethod
    def _t(moment: datetime) -> datetime:
        return moment.astimezone(UTC).replace(tzinfo=None)

    @staticmethod
    def _tv(value) -> datetime | None:
        return value.replace(tzinfo=UTC) if value else None

    @staticmethod
    def _dv(value) -> date | None:
        return value
