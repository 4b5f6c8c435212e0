"""arXiv's announcement days, one row per category and day, and the announcement date each listed
paper gets: `store.announcements`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import date

from paperwire.models.announcements import AnnouncementDay
from paperwire.storage.database import Noun
from paperwire.storage.rows import next_seq

_DAY_COLUMNS = 'category, day, announced, new, "cross", "replace", replace_cross'


def updates_of(columns: str) -> str:
    """ON CONFLICT's SET that replaces every column after the key ones."""
    return ", ".join(f"{c} = excluded.{c}" for c in columns.split(", "))


class Announcements(ABC):
    @abstractmethod
    def record(self, day: AnnouncementDay, announced: Mapping[str, date]) -> None:
        """In one transaction: record a category's announcement day and give each paper id in
        `announced` that date, unless it already has the same or an earlier one."""

    @abstractmethod
    def recent(self, category: str | None = None, limit: int = 30) -> list[AnnouncementDay]:
        """Recorded announcement days (explicit "no announcement" days included), newest first."""


class AnnouncementsSQL(Noun, Announcements):
    def record(self, day: AnnouncementDay, announced: Mapping[str, date]) -> None:
        d, now = self.d, self.d.now()
        with self.db.transaction(serial=True) as conn:
            seq = next_seq(conn)  # a changed paper gets a new seq, so search indexes catch up
            conn.executemany(
                "UPDATE papers SET announced = ?, modified_at = ?, seq = ? "
                "WHERE id = ? AND (announced IS NULL OR announced > ?)",
                [(d.day(when), now, seq, pid, d.day(when)) for pid, when in announced.items()],
            )
            conn.execute(
                f"INSERT INTO announcement_days ({_DAY_COLUMNS}, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                f"ON CONFLICT (category, day) DO UPDATE SET {updates_of(_DAY_COLUMNS.split(', ', 2)[2])}, "
                "recorded_at = excluded.recorded_at",
                (day.category, d.day(day.day), bool(day.announced), day.new, day.cross, day.replace,
                 day.replace_cross, now),
            )  # fmt: skip

    def recent(self, category: str | None = None, limit: int = 30) -> list[AnnouncementDay]:
        with self.db.read() as conn:
            rows = conn.all(
                f"SELECT {_DAY_COLUMNS} FROM announcement_days "
                "WHERE (CAST(? AS TEXT) IS NULL OR category = ?) "
                f"ORDER BY day DESC, category{self.d.bytewise} LIMIT ?",
                (category, category, limit),
            )
        return [AnnouncementDay(c, self.d.day_of(d), bool(a), n, x, r, rx) for c, d, a, n, x, r, rx in rows]
