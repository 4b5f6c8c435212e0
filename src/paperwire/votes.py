"""Trending: upvotes that decay with a paper's age on the hub. Pure; docs/ui.md gives the formula."""

from __future__ import annotations

from datetime import date

# score = upvotes / (age_days + 2) ** GRAVITY, the age counted in whole days from the paper's day on
# the hub (its announcement, submission or Hugging Face feature). With GRAVITY 1.5, yesterday's paper
# needs (3/2) ** 1.5 = 1.8 times the votes of today's to rank level with it, a week-old one
# (9/2) ** 1.5 = 9.5 times. Papers without votes follow, newest first.
GRAVITY = 1.5
TRENDING_DAYS = 30  # papers older than this do not trend


def trending_score(upvotes: int, day: date, today: date) -> float:
    age = max((today - day).days, 0)
    return upvotes / (age + 2) ** GRAVITY


def trending_order(rows: list[tuple[str, date, int]], today: date) -> list[str]:
    """Paper ids of (id, day, upvotes) rows, best first: by score, then newer day, then id descending."""
    ranked = sorted(rows, key=lambda r: (trending_score(r[2], r[1], today), r[1], r[0]), reverse=True)
    return [r[0] for r in ranked]
