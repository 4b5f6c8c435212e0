"""Job locks: a background job (the search indexer's embedding, the ingest schedule, digest sending)
runs in one process at a time across every process and host that share the database.

PostgreSQL: a session-level advisory lock on a connection of its own, outside the pool. The server
releases it when the holder ends the session, closes it, or dies, so a crashed worker never leaves
a job locked. SQLite: an flock on a file beside the database file, released by the kernel the same way
(SQLite serves one host, so the file is shared by every process that can use the database).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg

# The first key of the two-key advisory lock space: "pape". Job names are hashed into the second, so
# they never meet the single 64-bit key that serialises seq-assigning writers.
_JOB_CLASS = 0x70617065


@contextmanager
def postgres_job_lock(url: str, name: str, store_name: str) -> Iterator[bool]:
    from paperwire.storage.base import StoreError
    from paperwire.storage.urls import error_line

    conn = None
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10, application_name=f"paperwire {name}")
        sql = "SELECT pg_try_advisory_lock(%s, hashtext(%s))"
        got = conn.execute(sql, (_JOB_CLASS, name)).fetchone()[0]
    except psycopg.Error as exc:
        if conn is not None:
            conn.close()
        raise StoreError(f"taking the job lock {name!r} on {store_name} failed: {error_line(exc)}") from None
    try:
        yield got
    finally:
        if got:
            # Unlock first: the server drops a closed session's locks only when its backend has exited,
            # a moment after close() returns, so a next holder in this very process could find the lock
            # still taken. Closing still releases it if unlocking fails (the connection is gone).
            with suppress(psycopg.Error):
                conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (_JOB_CLASS, name))
        conn.close()


@contextmanager
def file_job_lock(database: Path, name: str) -> Iterator[bool]:
    path = database.with_name(f"{database.name}-job-{name}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
