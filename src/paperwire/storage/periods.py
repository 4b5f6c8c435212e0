"""The hub's periods (day, week, month pages, trending): which papers a span of days holds, and in
which order: `store.periods`. A paper's day is the first of: announced by arXiv, submitted here,
featured by Hugging Face."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date

from paperwire.models.papers import RankedPaper
from paperwire.storage.database import Noun
from paperwire.storage.rows import RANKED_COLUMNS, SUBMITTER, ranked

# Every paper's days on the hub, between two days (parameters: start, end, three times).
_DAYS = (
    "SELECT id, announced AS day FROM papers WHERE announced BETWEEN ? AND ? "
    "UNION ALL SELECT paper_id, day FROM submissions WHERE day BETWEEN ? AND ? "
    "UNION ALL SELECT paper_id, featured FROM hf_daily_papers WHERE featured BETWEEN ? AND ?"
)
_FIRST_DAYS = f"WITH d AS (SELECT id, min(day) AS day FROM ({_DAYS}) AS days GROUP BY id)"
_ORDERS = {"upvotes": "p.upvotes DESC, p.id DESC", "newest": "{day} DESC, p.id DESC"}
# The nearest day with papers on one side of a day (parameter: the day, three times).
_NEAREST = (
    "SELECT {f}(day) FROM (SELECT {f}(announced) AS day FROM papers WHERE announced {op} ? "
    "UNION ALL SELECT {f}(day) FROM submissions WHERE day {op} ? "
    "UNION ALL SELECT {f}(featured) FROM hf_daily_papers WHERE featured {op} ?) AS days"
)


class Periods(ABC):
    @abstractmethod
    def day_papers(
        self,
        start: date,
        end: date,
        *,
        submitter: str | None = None,
        order: str = "upvotes",
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[RankedPaper], int]:
        """Papers announced, submitted or featured between start and end (inclusive), not hidden, and
        how many there are in all. order: "upvotes" (then id descending) or "newest" (day, then id)."""

    @abstractmethod
    def trending_candidates(self, since: date) -> list[tuple[str, date, int]]:
        """(paper id, day, upvotes) of every visible paper whose day is on or after `since`."""

    @abstractmethod
    def neighbour_days(self, day: date) -> tuple[date | None, date | None]:
        """The nearest earlier and later days that have papers."""

    @abstractmethod
    def latest_day(self, until: date) -> date | None:
        """The newest day, on or before `until`, that has papers."""

    @abstractmethod
    def announced_days(self, start: date, end: date) -> list[date]:
        """The days between start and end (inclusive) on which arXiv announced stored papers."""


class PeriodsSQL(Noun, Periods):
    def day_papers(self, start, end, *, submitter=None, order="upvotes", limit=50, offset=0):  # see Periods
        if order not in _ORDERS:
            raise ValueError(f"unknown order {order!r}")
        # Rank the light (id, day, upvotes) rows first, then read the full rows of one page only.
        visible = (
            f"{_FIRST_DAYS}, r AS (SELECT d.id, d.day FROM d JOIN papers p ON p.id = d.id {SUBMITTER} "
            "WHERE NOT p.hidden AND (CAST(? AS TEXT) IS NULL OR u.username = ?)) "
        )
        page = (
            f"{visible}, pg AS (SELECT r.id, r.day FROM r JOIN papers p ON p.id = r.id "
            f"ORDER BY {_ORDERS[order].format(day='r.day')} LIMIT ? OFFSET ?) "
            f"SELECT pg.day, {RANKED_COLUMNS} FROM pg JOIN papers p ON p.id = pg.id {SUBMITTER} "
            f"ORDER BY {_ORDERS[order].format(day='pg.day')}"
        )
        params = (*self._span(start, end), submitter, submitter)
        with self.db.snapshot() as conn:
            rows = conn.all(page, (*params, limit, offset))
            total = conn.value(f"{visible} SELECT count(*) FROM r", params)
        return [ranked(self.d, r) for r in rows], total

    def _span(self, start: date, end: date) -> tuple:
        return (self.d.day(start), self.d.day(end)) * 3

    def trending_candidates(self, since: date) -> list[tuple[str, date, int]]:
        with self.db.read() as conn:
            rows = conn.all(
                f"{_FIRST_DAYS} SELECT p.id, d.day, p.upvotes FROM d JOIN papers p ON p.id = d.id "
                "WHERE NOT p.hidden",
                self._span(since, date(9999, 12, 31)),
            )
        return [(pid, self.d.day_of(day), upvotes) for pid, day, upvotes in rows]

    def neighbour_days(self, day: date) -> tuple[date | None, date | None]:
        params = (self.d.day(day),) * 3
        with self.db.snapshot() as conn:
            before = conn.value(_NEAREST.format(f="max", op="<"), params)
            after = conn.value(_NEAREST.format(f="min", op=">"), params)
        return self.d.day_of(before), self.d.day_of(after)

    def latest_day(self, until: date) -> date | None:
        with self.db.read() as conn:
            return self.d.day_of(conn.value(_NEAREST.format(f="max", op="<="), (self.d.day(until),) * 3))

    def announced_days(self, start: date, end: date) -> list[date]:
        with self.db.read() as conn:
            rows = conn.all(
                "SELECT DISTINCT announced FROM papers WHERE announced BETWEEN ? AND ? ORDER BY announced",
                (self.d.day(start), self.d.day(end)),
            )
        return [self.d.day_of(r[0]) for r in rows]
