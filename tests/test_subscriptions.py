"""Subscription settings: validation with one-line reasons, and the periods a digest covers."""

from datetime import UTC, date, datetime

import pytest

from paperwire.models.subscriptions import Preferences, Subscription
from paperwire.subscriptions import (
    InvalidSubscription,
    clean,
    daily_period,
    parse_email,
    parse_weekday,
    send_moment_passed,
    split_lines,
    weekly_period,
)


def test_clean_normalises_and_deduplicates():
    prefs = clean(
        Preferences(
            frequency="weekly",
            weekday="Fri",
            send_time="7:05",
            timezone="Europe/Paris",
            topics=["  graph   neural networks ", "graph neural networks", ""],
            authors=["Ada  Lovelace"],
            categories=["cs.LG", "cs.LG"],
        )
    )
    assert (prefs.weekday, prefs.send_time) == (4, "07:05")
    assert prefs.topics == ["graph neural networks"]
    assert prefs.authors == ["Ada Lovelace"] and prefs.categories == ["cs.LG"]


@pytest.mark.parametrize(
    "prefs, message",
    [
        (Preferences(frequency="hourly"), "frequency must be daily or weekly"),
        (Preferences(weekday="someday"), "weekday must be a day name"),
        (Preferences(send_time="25:00"), "send time must be a time of day"),
        (Preferences(timezone="Mars/Olympus"), "unknown time zone"),
        (Preferences(trending=99), "trending must be between 0 and 20"),
        (Preferences(max_papers=0), "max_papers must be between 1 and 50"),
        (Preferences(topics=["x" * 201]), "a topic must be one line of at most 200 characters"),
        (Preferences(topics=["line\nbreak"]), "must be one line"),
        (Preferences(topics=["-only -excluded"]), "has no words to search for"),
        (Preferences(categories=["not a category"]), "not an arXiv category"),
        (Preferences(authors=[f"Author {i}" for i in range(21)]), "at most 20 authors"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(prefs, message):
    with pytest.raises(InvalidSubscription, match=message):
        clean(prefs)


@pytest.mark.parametrize(
    "address",
    [
        "ada@example.org\r\nBcc: victim@example.org",
        "ada@example.org\nSubject: spam",
        "a" * 300 + "@example.org",
        "<ada@example.org>",
        "ada@@example.org",
        "",
    ],
)
def test_hostile_addresses_are_refused(address):
    with pytest.raises(InvalidSubscription):
        parse_email(address)


def test_addresses_are_normalised():
    assert parse_email("  Ada@Example.ORG ") == "ada@example.org"


def test_unicode_domains_become_ascii_and_unicode_local_parts_are_refused():
    assert parse_email("ada@bücher.example") == "ada@xn--bcher-kva.example"
    with pytest.raises(InvalidSubscription, match="non-ASCII characters before the @"):
        parse_email("adà@example.org")
    with pytest.raises(InvalidSubscription, match="control characters"):
        parse_email("ada\x00@example.org")


def test_weekday_names_and_numbers():
    assert [parse_weekday(x) for x in ("monday", "Sun", "3", 6)] == [0, 6, 3, 6]


def test_split_lines():
    assert split_lines("graph networks\r\n\n  diffusion \n") == ["graph networks", "diffusion"]


def test_periods_have_one_key_per_day_or_week():
    assert daily_period(date(2026, 11, 23)).key == "2026-11-23"
    week = weekly_period(date(2026, 11, 27))  # a Friday
    assert (week.start, week.end, week.key) == (date(2026, 11, 21), date(2026, 11, 27), "2026-W48")


def test_delivery_time_is_local_to_the_subscriber():
    tokyo = Subscription(1, "a@b.org", send_time="07:00", timezone="Asia/Tokyo")
    day = date(2026, 11, 23)
    assert not send_moment_passed(tokyo, datetime(2026, 11, 22, 21, 59, tzinfo=UTC), day)
    assert send_moment_passed(tokyo, datetime(2026, 11, 22, 22, 0, tzinfo=UTC), day)
