"""Search queries: words, phrases, exclusions and filters (parsing them is search/query.py's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from paperwire import PaperwireError

DATE_FIELDS = ("announced", "published")


class BadQuery(PaperwireError):
    """The query or its filters cannot be searched; the message says why in one line."""


@dataclass(slots=True)
class Filters:
    categories: list[str] = field(default_factory=list)  # any of them (a paper has several)
    authors: list[str] = field(default_factory=list)  # all of them
    date_from: date | None = None
    date_until: date | None = None
    date_field: str = "announced"  # or "published"

    def __post_init__(self) -> None:
        if self.date_field not in DATE_FIELDS:
            raise BadQuery(f"date field must be one of {', '.join(DATE_FIELDS)}, not {self.date_field!r}")
        if self.date_from and self.date_until and self.date_from > self.date_until:
            raise BadQuery(f"the date range is empty: {self.date_from} is after {self.date_until}")

    @property
    def active(self) -> bool:
        return bool(self.categories or self.authors or self.date_from or self.date_until)


@dataclass(slots=True)
class Query:
    raw: str
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # words or phrases
    filters: Filters = field(default_factory=Filters)
    paper_ids: list[str] = field(default_factory=list)  # the query is an arXiv id: look these up first
    positive: list[str] = field(default_factory=list)  # words and phrases in the order they were typed

    @property
    def text(self) -> str:
        """What is searched for by meaning: the words and phrases, without exclusions and filters."""
        return " ".join(self.positive)

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases)
