"""PostgresStore: server mode. A psycopg connection pool; MVCC readers; seq-assigning writers serialised."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from paperwire.storage.base import Store, StoreError
from paperwire.storage.dialect import POSTGRES
from paperwire.storage.postgres_search import PostgresSearch
from paperwire.storage.postgres_vectors import PostgresVectors
from paperwire.storage.postgres_words import PostgresWords
from paperwire.storage.urls import error_line, masked_url

# The advisory lock that serialises the writers which assign a change seq (any 64-bit constant; it is
# scoped to the database). A PostgreSQL sequence hands out numbers in call order, not commit order, so
# a reader catching up with changed_papers(after=...) could step over a seq still uncommitted.
_SEQ_LOCK = 0x70617065727769  # "paperwi"
_POOL_MAX = 10


class PostgresStore(
    PostgresSearch,
    PostgresVectors,
    PostgresWords,
    Store,
):
    def __init__(self, url: str):
        self.url = url
        self.name = masked_url(url)
        try:  # one connection first, for a one-line reason: a pool only reports a timeout
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as exc:
            raise StoreError(f"cannot use the database {self.name}: {error_line(exc)}") from None
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=_POOL_MAX,
            # No server-side prepared statements: psycopg prepares a query run 5 times, and PostgreSQL
            # may then plan it once for any parameters, e.g. a category filter as if every category
            # were average, where a rare and a common one want different plans (exact search or the
            # HNSW graph). Unnamed statements are planned for their values; poolers such as PgBouncer
            # in transaction mode need this too.
            kwargs={"autocommit": True, "connect_timeout": 10, "prepare_threshold": None},
            check=ConnectionPool.check_connection,  # a server restart costs one failed check, not errors
            num_workers=2,
            name="paperwire",
            open=True,
        )
        self._compose()

    dialect = POSTGRES

    # -- connections -------------------------------------------------------------------------

    @contextmanager
    def _connection(self, action: str) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise StoreError(f"{action} {self.name} failed: {error_line(exc)}") from None

    def _reading(self):
        return self._connection("reading from")

    @contextmanager
    def _snapshot(self) -> Iterator[psycopg.Connection]:
        """A read transaction: every statement inside sees the same committed state."""
        with self._connection("reading from") as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield conn

    @contextmanager
    def _transaction(self, *, serial: bool = False) -> Iterator[psycopg.Connection]:
        """One write transaction, all or nothing; `serial` ones run one at a time (see _SEQ_LOCK)."""
        with self._connection("writing to") as conn, conn.transaction():
            if serial:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SEQ_LOCK,))
            yield conn

    def _one(self, sql: str, params: Sequence = ()) -> tuple | None:
        with self._connection("reading from") as conn:
            return conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._connection("reading from") as conn:
            return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self._pool.close()

    def job_lock(self, name: str):
        from paperwire.storage.jobs import postgres_job_lock

        return postgres_job_lock(self.url, name, self.name)
