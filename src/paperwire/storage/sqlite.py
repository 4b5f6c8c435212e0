"""SQLiteStore: the embedded default. WAL mode, one writer connection behind a lock, a reader per thread."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from paperwire.storage.base import Store, StoreError
from paperwire.storage.dialect import SQLITE

# SQLite's limit on bound parameters is 32,766 here; stay far below it.


def sqlite_path(url: str) -> Path:
    """sqlite:///relative/path or sqlite:////absolute/path (SQLAlchemy's form) -> a Path."""
    return Path(url.removeprefix("sqlite:///"))


class SQLiteStore(Store):
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._write_lock = threading.Lock()
        self._writer = self._connect()
        self._writer.execute("PRAGMA journal_mode = WAL")
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._compose()

    dialect = SQLITE

    # -- connections -------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in _transaction).
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")  # durable across crashes in WAL mode
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only = ON")
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def _reading(self) -> AbstractContextManager[sqlite3.Connection]:
        return nullcontext(self._reader())  # a thread's own connection: nothing to give back

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every statement inside sees the same committed state."""
        conn = self._reader()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    @contextmanager
    def _transaction(self, *, serial: bool = False) -> Iterator[sqlite3.Connection]:
        """The single writer: one transaction at a time, all or nothing (so every one is serial)."""
        with self._write_lock:
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"cannot write to {self.path}: {exc}") from None
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise StoreError(f"writing to {self.path} failed: {exc}") from None
                raise

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        with self._write_lock:
            self._writer.close()

    def job_lock(self, name: str):
        from paperwire.storage.jobs import file_job_lock

        return file_job_lock(self.path, name)
