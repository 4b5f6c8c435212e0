"""Subscriptions: who gets a digest, how often, when, and what they care about. Pure; no I/O.

A subscription belongs to an email address (one per address). It is `pending` until the address
confirms it (double opt-in), then `active`; `unsubscribed` and `deactivated` (too many permanent
delivery failures) receive nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from paperwire.models.subscriptions import Preferences, Subscription
from paperwire.papers import ARXIV_CATEGORY
from paperwire.users import normalize_email

STATUSES = ("pending", "active", "unsubscribed", "deactivated")
FREQUENCIES = ("daily", "weekly")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_TOPICS = 20
MAX_AUTHORS = 20
MAX_CATEGORIES = 20
MAX_INTEREST_CHARS = 200
MAX_TRENDING = 20
MAX_PAPERS = 50
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


class InvalidSubscription(ValueError):
    """A subscription setting that cannot be used; the message says which and why in one line."""


def clean(prefs: Preferences) -> Preferences:
    """The preferences checked and normalised; InvalidSubscription names the first bad one."""
    if prefs.frequency not in FREQUENCIES:
        raise InvalidSubscription(f"frequency must be daily or weekly, not {str(prefs.frequency)[:20]!r}")
    return Preferences(
        frequency=prefs.frequency,
        weekday=parse_weekday(prefs.weekday),
        send_time=parse_send_time(prefs.send_time),
        timezone=parse_timezone(prefs.timezone),
        trending=_bounded("trending", prefs.trending, 0, MAX_TRENDING),
        for_you=bool(prefs.for_you),
        max_papers=_bounded("max_papers", prefs.max_papers, 1, MAX_PAPERS),
        topics=_interests("topic", prefs.topics, MAX_TOPICS, _check_topic),
        authors=_interests("author", prefs.authors, MAX_AUTHORS, lambda a: " ".join(a.split())),
        categories=_interests("category", prefs.categories, MAX_CATEGORIES, _check_category),
    )


def parse_weekday(value: int | str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    text = str(value).strip().lower()
    if text.isdigit() and 0 <= int(text) <= 6:
        return int(text)
    for i, name in enumerate(WEEKDAYS):
        if len(text) >= 3 and name.startswith(text):
            return i
    raise InvalidSubscription(f"weekday must be a day name like monday, not {text[:20]!r}")


def parse_send_time(value: str) -> str:
    m = _TIME.fullmatch(str(value).strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InvalidSubscription(f"send time must be a time of day like 07:00, not {str(value)[:20]!r}")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_timezone(value: str) -> str:
    text = str(value).strip()
    try:
        if not text or len(text) > 64:
            raise ValueError
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidSubscription(
            f"unknown time zone {text[:64]!r} (use a name like Europe/Paris or UTC)"
        ) from None
    return text


def parse_email(value: str) -> str:
    """A normalised address or InvalidSubscription; header-injection attempts never get through.

    A domain in Unicode is stored in its ASCII (IDNA) form, which every mail server accepts. A Unicode
    local part would need SMTPUTF8 from every server on the way, so it is refused with that reason."""
    try:
        email = normalize_email(value)
    except ValueError as exc:
        raise InvalidSubscription(str(exc)) from None
    if any(ord(c) < 32 or ord(c) == 127 for c in email):
        raise InvalidSubscription("an email address cannot contain control characters")
    local, _, domain = email.rpartition("@")
    if not local.isascii():
        raise InvalidSubscription(
            f"{email[:60]!r}: addresses with non-ASCII characters before the @ are not supported"
        )
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise InvalidSubscription(f"{email[:60]!r} does not have a valid domain") from None
    return f"{local}@{domain}"


def _bounded(name: str, value, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidSubscription(f"{name} must be a whole number, not {str(value)[:20]!r}") from None
    if not low <= number <= high:
        raise InvalidSubscription(f"{name} must be between {low} and {high}, not {number}")
    return number


def _interests(kind: str, values: Iterable[str], most: int, check) -> list[str]:
    out: list[str] = []
    for raw in values:
        text = str(raw).strip()
        if not text:
            continue
        if len(text) > MAX_INTEREST_CHARS or any(ord(c) < 32 for c in text):
            raise InvalidSubscription(
                f"a {kind} must be one line of at most {MAX_INTEREST_CHARS} characters: {text[:40]!r}"
            )
        text = check(text)
        if text not in out:
            out.append(text)
    if len(out) > most:
        raise InvalidSubscription(f"at most {most} {kind}s, not {len(out)}")
    return out


def _check_topic(text: str) -> str:
    from paperwire.models.search import BadQuery
    from paperwire.search.query import parse_query

    try:
        query = parse_query(text)
    except BadQuery as exc:
        raise InvalidSubscription(f"topic {text[:40]!r}: {exc}") from None
    if query.empty:
        raise InvalidSubscription(f"topic {text[:40]!r} has no words to search for")
    return " ".join(text.split())


def _check_category(text: str) -> str:
    if not ARXIV_CATEGORY.fullmatch(text):
        raise InvalidSubscription(f"not an arXiv category: {text[:40]!r} (like cs.LG)")
    return text


def split_lines(text: str | None) -> list[str]:
    """A form's textarea (one interest a line, or comma-separated categories) as a list."""
    return [line.strip() for line in re.split(r"[\n\r]+", text or "") if line.strip()]


# -- periods: what a digest covers ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestPeriod:
    """What one digest covers. `key` is unique per subscriber: the ledger holds one row per key."""

    frequency: str
    start: date
    end: date  # inclusive; the announcement day for a daily digest, the delivery day for a weekly one

    @property
    def key(self) -> str:
        if self.frequency == "daily":
            return self.end.isoformat()
        year, week, _ = self.end.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def label(self) -> str:
        if self.frequency == "daily":
            return self.end.strftime("%A %-d %B %Y")
        return f"{self.start:%-d %b} – {self.end:%-d %b %Y}"


def daily_period(day: date) -> DigestPeriod:
    return DigestPeriod("daily", day, day)


def weekly_period(delivery_day: date) -> DigestPeriod:
    """The seven days up to and including the delivery day."""
    return DigestPeriod("weekly", delivery_day - timedelta(days=6), delivery_day)


def local_now(sub: Subscription, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(sub.timezone))


def send_moment_passed(sub: Subscription, now: datetime, day: date) -> bool:
    """Whether the subscriber's delivery time on local `day` has come (aware `now`)."""
    local = local_now(sub, now)
    return (local.date(), local.time()) >= (day, sub.local_time())
