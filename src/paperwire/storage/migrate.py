"""Schema migrations through Alembic: apply them, and check at start-up that the schema is current."""

from __future__ import annotations

from pathlib import Path

from paperwire import PaperwireError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest revision under migrations/versions. Start-up compares the database with this constant so
# that it need not import Alembic and SQLAlchemy (about a second) on every command; a test keeps it
# equal to Alembic's own head.
HEAD = "0015"


def _config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def sqlalchemy_url(url: str) -> str:
    """Users write postgresql://; SQLAlchemy needs the driver named: postgresql+psycopg://."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return url


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config("sqlite://")).get_current_head()


def current_revision(url: str) -> str | None:
    """The schema revision the database is at, or None for an empty database."""
    if url.startswith("sqlite:///"):
        return _sqlite_revision(url)
    return _postgres_revision(url)


def _sqlite_revision(url: str) -> str | None:
    import sqlite3

    path = url.removeprefix("sqlite:///")
    if not Path(path).exists():
        return None
    conn = sqlite3.connect(path)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def _postgres_revision(url: str) -> str | None:
    import psycopg  # directly, like sqlite3 above: start-up need not import SQLAlchemy

    with psycopg.connect(url, connect_timeout=10) as conn:
        if conn.execute("SELECT to_regclass('alembic_version')").fetchone()[0] is None:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None


def upgrade(url: str) -> tuple[str | None, str]:
    """Apply every pending migration; returns (revision before, revision after)."""
    from alembic import command

    before = current_revision(url)
    command.upgrade(_config(url), "head")
    if not url.startswith("sqlite:"):
        import psycopg

        from paperwire.storage import postgres_words

        with psycopg.connect(url, connect_timeout=10) as conn:  # pg_trgm installed since 0007 ran
            postgres_words.ensure(conn)
    return before, head_revision()


def ensure_schema(url: str) -> None:
    """Create the schema in an empty database; refuse one that is behind or ahead of this code."""
    current = current_revision(url)
    head = HEAD
    if current == head:
        return
    if current is None:
        upgrade(url)
        return
    raise PaperwireError(
        f"the database schema is at revision {current} and this Paperwire needs {head}: "
        "back it up, then run `paperwire migrate`"
    )
