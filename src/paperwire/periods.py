"""The hub's days: a paper's day (announced, submitted or featured), periods of a day, a week or a
month, and a paper as a listing shows it. Pure; no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


class BadPeriod(ValueError):
    """A date, week or month that cannot be read; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class Period:
    kind: str  # "date", "week" or "month"
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "date":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return self.start.strftime("%Y-%m")

    @property
    def title(self) -> str:
        if self.kind == "date":
            return self.start.strftime("%A %-d %B %Y")
        if self.kind == "week":
            return f"Week {self.label[6:]} of {self.label[:4]} ({self.start:%-d %b} – {self.end:%-d %b %Y})"
        return self.start.strftime("%B %Y")

    def previous(self) -> Period:
        return _shift(self, -1)

    def next(self) -> Period:
        return _shift(self, 1)


def day_period(day: date) -> Period:
    return Period("date", day, day)


# The hub's calendar: wide enough for any paper, narrow enough that a period's neighbours and ends are
# dates Python and both databases can hold (year 9999's last week ends in year 10000).
FIRST_YEAR, LAST_YEAR = 1000, 9998
_OUT_OF_RANGE = "{!r} is out of range: the hub's dates lie in the years " + f"{FIRST_YEAR} to {LAST_YEAR}"


def _in_range(period: Period, text: str) -> Period:
    if not FIRST_YEAR <= period.start.year <= LAST_YEAR:
        raise BadPeriod(_OUT_OF_RANGE.format(text))
    return period


def parse_day(text: str) -> Period:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or ""):
        raise BadPeriod(f"date must look like 2025-03-18, got {text[:30]!r}")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadPeriod(f"{text!r} is not a calendar date") from None
    return _in_range(day_period(day), text)


def parse_week(text: str) -> Period:
    m = re.fullmatch(r"(\d{4})-W(\d{2})", text or "")
    if not m:
        raise BadPeriod(f"week must look like 2025-W12, got {text[:30]!r}")
    if not FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
        raise BadPeriod(_OUT_OF_RANGE.format(text))
    try:
        start = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise BadPeriod(f"{text!r} is not an ISO week") from None
    return Period("week", start, start + timedelta(days=6))


def parse_month(text: str) -> Period:
    m = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise BadPeriod(f"month must look like 2025-03, got {text[:30]!r}")
    if not FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
        raise BadPeriod(_OUT_OF_RANGE.format(text))
    start = date(int(m.group(1)), int(m.group(2)), 1)
    return Period("month", start, _month_after(start) - timedelta(days=1))


def _month_after(start: date) -> date:
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def _shift(period: Period, step: int) -> Period:
    if period.kind == "date":
        return day_period(period.start + timedelta(days=step))
    if period.kind == "week":
        start = period.start + timedelta(weeks=step)
        return Period("week", start, start + timedelta(days=6))
    start = _month_after(period.start) if step > 0 else (period.start - timedelta(days=1)).replace(day=1)
    return Period("month", start, _month_after(start) - timedelta(days=1))
