"""Storage: the only package that holds SQL. `open_store` picks the implementation from the settings."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from paperwire import PaperwireError
from paperwire.settings import Settings
from paperwire.storage.base import EmbeddingRow, Stats, Store, StoreError, UpsertOutcome

__all__ = ["EmbeddingRow", "Stats", "Store", "StoreError", "UpsertOutcome", "migrate_database", "open_store"]


def open_store(settings: Settings, *, create: bool = True) -> Store:
    """Open the configured store, creating an empty database's schema; refuses an out-of-date schema."""
    from paperwire.storage.migrate import ensure_schema

    url = _checked_url(settings)
    if create:
        _make_parent(url)
    with _database_errors(url):
        ensure_schema(url)
        from paperwire.storage.sqlite import SQLiteStore

        return SQLiteStore(_sqlite_file(url))


def migrate_database(settings: Settings) -> tuple[str | None, str]:
    """Apply pending migrations; returns the revisions before and after."""
    from paperwire.storage.migrate import upgrade

    url = _checked_url(settings)
    _make_parent(url)
    with _database_errors(url):
        return upgrade(url)


def _checked_url(settings: Settings) -> str:
    url = settings.resolved_database_url
    if url.startswith("sqlite:"):
        return url
    raise PaperwireError(
        "PAPERWIRE_DATABASE_URL: PostgreSQL server mode is not in this release yet; "
        "use sqlite:///PATH or leave it unset for the embedded default"
    )


def _make_parent(url: str) -> None:
    folder = _sqlite_file(url).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {folder}: {exc.strerror or exc}") from None


@contextmanager
def _database_errors(url: str):
    """Database failures at open time become one line naming the database."""
    import sqlite3

    try:
        yield
    except Exception as exc:
        # SQLAlchemy is imported only when migrating; if it is not loaded, it raised nothing.
        sa_exc = sys.modules.get("sqlalchemy.exc")
        if not isinstance(exc, sqlite3.Error) and not (sa_exc and isinstance(exc, sa_exc.DBAPIError)):
            raise
        reason = getattr(exc, "orig", None) or exc
        raise StoreError(f"cannot use the database {url}: {reason}") from None


def _sqlite_file(url: str):
    from paperwire.storage.sqlite import sqlite_path

    return sqlite_path(url)
