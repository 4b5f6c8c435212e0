"""Schema migrations through Alembic: apply them, and check at start-up that the schema is current."""

from __future__ import annotations

from pathlib import Path

from paperwire import PaperwireError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config("sqlite://")).get_current_head()


def current_revision(url: str) -> str | None:
    """The schema revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str) -> tuple[str | None, str]:
    """Apply every pending migration; returns (revision before, revision after)."""
    from alembic import command

    before = current_revision(url)
    command.upgrade(_config(url), "head")
    return before, head_revision()


def ensure_schema(url: str) -> None:
    """Create the schema in an empty database; refuse one that is behind or ahead of this code."""
    current = current_revision(url)
    head = head_revision()
    if current == head:
        return
    if current is None:
        upgrade(url)
        return
    raise PaperwireError(
        f"the database schema is at revision {current} and this Paperwire needs {head}: "
        "back it up, then run `paperwire migrate`"
    )
