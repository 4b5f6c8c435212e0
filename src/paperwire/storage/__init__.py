"""Storage: the only package that holds SQL. `open_store` picks the implementation from the settings."""

from __future__ import annotations

from paperwire import PaperwireError
from paperwire.settings import Settings
from paperwire.storage.base import Stats, Store, UpsertOutcome

__all__ = ["Stats", "Store", "UpsertOutcome", "migrate_database", "open_store"]


def open_store(settings: Settings, *, create: bool = True) -> Store:
    """Open the configured store, creating an empty database's schema; refuses an out-of-date schema."""
    from paperwire.storage.migrate import ensure_schema

    url = _checked_url(settings)
    if create:
        _sqlite_file(url).parent.mkdir(parents=True, exist_ok=True)
    ensure_schema(url)
    from paperwire.storage.sqlite import SQLiteStore

    return SQLiteStore(_sqlite_file(url))


def migrate_database(settings: Settings) -> tuple[str | None, str]:
    """Apply pending migrations; returns the revisions before and after."""
    from paperwire.storage.migrate import upgrade

    url = _checked_url(settings)
    _sqlite_file(url).parent.mkdir(parents=True, exist_ok=True)
    return upgrade(url)


def _checked_url(settings: Settings) -> str:
    url = settings.resolved_database_url
    if url.startswith("sqlite:"):
        return url
    raise PaperwireError(
        "PAPERWIRE_DATABASE_URL: PostgreSQL server mode is not in this release yet; "
        "use sqlite:///PATH or leave it unset for the embedded default"
    )


def _sqlite_file(url: str):
    from paperwire.storage.sqlite import sqlite_path

    return sqlite_path(url)
