"""What every noun's SQL runs on: a connection in a dialect, and the three ways to get one.

`sqlite.py` and `postgres.py` implement Database (connections, transactions, locking, error
translation); the noun modules (papers.py, votes.py, ...) hold the statements, written once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager

from paperwire.storage.dialect import Dialect


class NotFound(LookupError):
    """The paper, comment, user or subscription named does not exist."""


class Conn:
    """A driver connection that takes statements with `?` parameters (see dialect.py)."""

    __slots__ = ("dialect", "raw")

    def __init__(self, raw, dialect: Dialect):
        self.raw = raw
        self.dialect = dialect

    def execute(self, sql: str, params: Sequence = ()):
        return self.raw.execute(self.dialect.sql(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        rows = list(rows)
        if rows:
            cur = self.raw.cursor()
            try:
                cur.executemany(self.dialect.sql(sql), rows)
            finally:
                cur.close()

    def one(self, sql: str, params: Sequence = ()) -> tuple | None:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    def value(self, sql: str, params: Sequence = ()):
        """The first column of the first row, or None."""
        row = self.one(sql, params)
        return row[0] if row else None

    def exclusive(self, name: str) -> None:
        """Make other writers of `name` wait until this transaction ends (see Dialect.exclusive)."""
        statement = self.dialect.exclusive(name)
        if statement:
            self.raw.execute(statement)


class Database(ABC):
    """Connections in a dialect. Implementations give raw driver connections: `_reading()`,
    `_snapshot()` and `_transaction(serial=)`; the statements' code gets them as Conn."""

    dialect: Dialect

    def read(self) -> AbstractContextManager[Conn]:
        """A connection for a read of one statement (no snapshot held)."""
        return _Opened(self._reading(), self.dialect)

    def snapshot(self) -> AbstractContextManager[Conn]:
        """A read transaction: every statement inside sees the same committed state."""
        return _Opened(self._snapshot(), self.dialect)

    def transaction(self, *, serial: bool = False) -> AbstractContextManager[Conn]:
        """One write transaction, all or nothing. `serial` ones (those that assign a paper's change
        seq) run one at a time, so that seq order is commit order."""
        return _Opened(self._transaction(serial=serial), self.dialect)

    @abstractmethod
    def _reading(self) -> AbstractContextManager: ...

    @abstractmethod
    def _snapshot(self) -> AbstractContextManager: ...

    @abstractmethod
    def _transaction(self, *, serial: bool = False) -> AbstractContextManager: ...

    def bump(self, conn: Conn, counter: str = "community") -> None:
        """Move a counter: "community" (data the pages' cache compares, web/pages.py, changed) or
        "hidden" (a paper was hidden or shown again: the recommender's pools compare it)."""
        conn.execute(
            "INSERT INTO hub_counters (name, value) VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = hub_counters.value + 1",
            (counter,),
        )


class _Opened:
    """`with db.read() as conn`: the driver connection of `opening` as a Conn. A plain class, not a
    generator: a cached page's version check is a read, on every request (issue 19's measurements)."""

    __slots__ = ("_dialect", "_opening")

    def __init__(self, opening: AbstractContextManager, dialect: Dialect):
        self._opening, self._dialect = opening, dialect

    def __enter__(self) -> Conn:
        return Conn(self._opening.__enter__(), self._dialect)

    def __exit__(self, *exc):
        return self._opening.__exit__(*exc)


class Noun:
    """The base of each noun's implementation: the database it runs on and its dialect."""

    def __init__(self, db: Database):
        self.db = db
        self.d = db.dialect
