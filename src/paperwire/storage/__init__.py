"""Storage: the only package that holds SQL. `open_store` picks the implementation from the settings."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from paperwire.models.embeddings import EmbeddingRow
from paperwire.models.papers import Stats, UpsertOutcome
from paperwire.settings import Settings
from paperwire.storage.base import Store, StoreError, refused_value
from paperwire.storage.database import NotFound
from paperwire.storage.urls import error_line, is_postgres, masked_url

__all__ = [
    "EmbeddingRow",
    "NotFound",
    "Stats",
    "Store",
    "StoreError",
    "UpsertOutcome",
    "copy_to",
    "migrate_database",
    "open_store",
    "refused_value",
]  # fmt: skip


def open_store(settings: Settings, *, create: bool = True) -> Store:
    """Open the configured store, creating an empty database's schema; refuses an out-of-date schema."""
    from paperwire.storage.migrate import ensure_schema

    url = settings.resolved_database_url
    if create:
        _make_parent(url)
    with _database_errors(url):
        ensure_schema(url)
        if is_postgres(url):
            from paperwire.storage.postgres import PostgresStore

            return PostgresStore(url)
        from paperwire.storage.sqlite import SQLiteStore

        return SQLiteStore(_sqlite_file(url))


def migrate_database(settings: Settings) -> tuple[str | None, str]:
    """Apply pending migrations; returns the revisions before and after."""
    from paperwire.storage.migrate import upgrade

    url = settings.resolved_database_url
    _make_parent(url)
    with _database_errors(url):
        return upgrade(url)


def copy_to(settings: Settings, target_url: str, progress=None):
    """Copy the configured hub into the PostgreSQL database at target_url (see storage/copy.py)."""
    from paperwire.storage.copy import copy_database
    from paperwire.storage.migrate import ensure_schema

    source_url = settings.resolved_database_url
    if is_postgres(target_url):
        with _database_errors(target_url):
            ensure_schema(target_url)  # an empty target is set up; an older one is refused
    with _database_errors(source_url):
        ensure_schema(source_url)
    return copy_database(source_url, target_url, progress)


def _make_parent(url: str) -> None:
    if is_postgres(url):
        return
    folder = _sqlite_file(url).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {folder}: {exc.strerror or exc}") from None


@contextmanager
def _database_errors(url: str):
    """Database failures at open time become one line naming the database (never its password)."""
    import sqlite3

    try:
        yield
    except Exception as exc:
        # The drivers and SQLAlchemy are checked only if loaded: one that is not loaded raised nothing.
        reason = getattr(exc, "orig", None) or exc
        errors = [sqlite3.Error]
        for module, name in (("sqlalchemy.exc", "DBAPIError"), ("psycopg", "Error")):
            if module in sys.modules:
                errors.append(getattr(sys.modules[module], name))
        if not isinstance(exc, tuple(errors)):
            raise
        if is_postgres(url):
            raise StoreError(f"cannot use the database {masked_url(url)}: {error_line(reason)}") from None
        raise StoreError(f"cannot use the database {url}: {reason}") from None


def _sqlite_file(url: str):
    from paperwire.storage.sqlite import sqlite_path

    return sqlite_path(url)
