"""SeenIds: a set of ids kept on disk, so that checking a 2.8-million-record file stays in constant memory."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


class SeenIds:
    """Remembers (id, where) pairs; backed by a private temporary SQLite database that is deleted on close."""

    def __init__(self) -> None:
        self._conn = sqlite3.connect("")  # "" = a private on-disk temporary database
        self._conn.execute("CREATE TABLE seen (id TEXT PRIMARY KEY, place TEXT NOT NULL) WITHOUT ROWID")

    def first_seen(self, ids: Iterable[str]) -> dict[str, str]:
        """For each id already remembered, where it was first seen."""
        ids = list(ids)
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(self._conn.execute(f"SELECT id, place FROM seen WHERE id IN ({marks})", chunk))
        return found

    def remember(self, pairs: Iterable[tuple[str, str]]) -> None:
        with self._conn:
            self._conn.executemany("INSERT OR IGNORE INTO seen (id, place) VALUES (?, ?)", pairs)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SeenIds:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
