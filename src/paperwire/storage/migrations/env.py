"""Alembic environment: runs Paperwire's migrations on the connection or URL it is given."""

from alembic import context
from sqlalchemy import create_engine, text

config = context.config
_MIGRATION_LOCK = 0x70617065726D67  # "papermg": any constant; advisory locks are per database


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _migrate(conn)
    engine.dispose()


def _migrate(connection) -> None:
    if connection.dialect.name == "postgresql":
        # Two processes starting on an empty database (serve and a cron job) migrate one after the
        # other: the second then finds the schema current. Held until this transaction ends.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    context.configure(
        connection=connection,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


run()
