"""Interests: what a member told the hub they follow, for the "For you" page's cold start."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("topic", "author", "category")
MAX_PER_KIND = 20  # a bound, so one account cannot fill the database; the recommender takes 20 topics
MAX_CHARS = 300  # a topic, an author's name or a category


@dataclass(slots=True)
class Interests:
    """One member's followed topics (free text), authors (names as papers spell them) and categories."""

    topics: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.topics or self.authors or self.categories)
