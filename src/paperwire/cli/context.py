"""What every command opens: the settings and the store (one way, shared by all the command modules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperwire.settings import Settings, load_settings

if TYPE_CHECKING:
    from paperwire.storage import Store


def open_settings(**overrides) -> Settings:
    """The settings from the PAPERWIRE_* environment, with `overrides` on top (PaperwireError if bad)."""
    return load_settings(**overrides)


def open_store(settings: Settings | None = None) -> Store:
    """The store the settings name (the environment's by default); use it as `with open_store() as store:`
    so it closes, or close() it yourself."""
    # Imported here, not at the top: `paperwire --help` and the commands that need no database then
    # skip loading SQLAlchemy, Alembic and the database drivers.
    from paperwire.storage import open_store as open_database

    return open_database(settings or open_settings())
