"""What the recommendation model reads: a window of announcement days' papers with their vectors, and
when they last changed: `store.recommendations`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import date

from paperwire.models.recommendations import PoolPaper, PoolStamp
from paperwire.storage.database import Noun

_STAMP = (
    "SELECT (SELECT coalesce(max(seq), 0) FROM papers), (SELECT coalesce(max(seq), 0) FROM embeddings), "
    "(SELECT coalesce(max(key), 0) FROM embeddings), "
    "(SELECT coalesce(max(value), 0) FROM hub_counters WHERE name = 'hidden')"
)


class Recommendations(ABC):
    @abstractmethod
    def pool(
        self, start: date, end: date, categories: Sequence[str], limit: int
    ) -> tuple[list[PoolPaper], int]:
        """The visible papers announced between start and end (inclusive) and, when categories are
        given, in any of them (case-insensitive), newest first (then id), at most `limit`, with their
        stored vectors; and how many there are in all."""

    @abstractmethod
    def pool_stamp(self) -> PoolStamp:
        """The latest change of papers, embeddings and hidden papers: a cached pool read before it is
        stale."""

    @abstractmethod
    def latest_announced(self) -> date | None:
        """The newest announcement day of any paper."""

    @abstractmethod
    def recent_texts(self, limit: int) -> list[str]:
        """Title and abstract of the `limit` papers stored or changed last (the sample over which the
        reasons count how rare a word is)."""


class RecommendationsSQL(Noun, Recommendations):
    def pool(self, start, end, categories, limit):  # see Recommendations
        params: tuple = (self.d.day(start), self.d.day(end))
        where = "p.announced BETWEEN ? AND ? AND NOT p.hidden"
        wanted = sorted({c.strip().lower() for c in categories if c.strip()})
        if wanted:
            marks = ", ".join("?" * len(wanted))
            each = self.d.elements("p.categories", "c")
            where += f" AND EXISTS (SELECT 1 FROM {each} WHERE lower(c.value) IN ({marks}))"
            params = (*params, *wanted)
        with self.db.snapshot() as conn:
            rows = conn.all(
                "SELECT p.id, p.categories, e.vector FROM papers p "
                f"LEFT JOIN embeddings e ON e.paper_id = p.id WHERE {where} "
                f"ORDER BY p.announced DESC, p.id {self.d.bytewise} LIMIT ?",
                (*params, limit),
            )
            total = conn.value(f"SELECT count(*) FROM papers p WHERE {where}", params)
        papers = [PoolPaper(pid, self.d.json_of(c), v and bytes(v)) for pid, c, v in rows]
        return papers, total

    def pool_stamp(self) -> PoolStamp:
        with self.db.read() as conn:
            return PoolStamp(*conn.one(_STAMP))

    def latest_announced(self) -> date | None:
        with self.db.read() as conn:
            return self.d.day_of(conn.value("SELECT max(announced) FROM papers"))

    def recent_texts(self, limit: int) -> list[str]:
        with self.db.read() as conn:
            rows = conn.all("SELECT title, abstract FROM papers ORDER BY seq DESC LIMIT ?", (limit,))
        return [f"{title} {abstract}" for title, abstract in rows]
