"""Announcements: arXiv's daily listing of one category on one day, as ingest recorded it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(slots=True)
class AnnouncementDay:
    """One category's announcement on one day; announced=False is an explicit "no announcement" day."""

    category: str
    day: date
    announced: bool
    new: int = 0
    cross: int = 0
    replace: int = 0
    replace_cross: int = 0
