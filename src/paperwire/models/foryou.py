"""The "For you" list: one member's ranked papers of a window, each with the reason it is there."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from paperwire.models.interests import Interests
from paperwire.models.papers import RankedPaper


@dataclass(slots=True)
class Why:
    """A paper's one-line reason. kind: "liked" (closest to a paper the member likes), "topic", "author"
    (by an author they follow) or "category" (in a category they follow)."""

    text: str
    kind: str
    paper_id: str | None = None  # the liked paper, for "liked"
    paper_title: str | None = None
    topic: str | None = None
    author: str | None = None
    category: str | None = None
    words: list[str] = field(default_factory=list)
    similarity: float | None = None


@dataclass(slots=True)
class ForYouPaper:
    row: RankedPaper
    score: float
    why: Why


@dataclass(slots=True)
class ForYou:
    papers: list[ForYouPaper]
    start: date | None  # the window's announcement days (None: the hub has no announced papers)
    end: date | None
    positives: int  # liked papers the model learned from (saved, collected, upvoted)
    negatives: int  # "not interested" papers
    interests: Interests
    window: int = 0  # papers of the window
    left_out: int = 0  # of them, papers the member saved, liked, dismissed or read
    unembedded: int = 0  # papers of the window the model could not rank yet (no vector)
    problem: str | None = None  # why the model could not rank at all, when it could not
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def cold(self) -> bool:
        """Nothing to learn from: no liked papers and no interests."""
        return not self.positives and not self.interests


@dataclass(slots=True)
class Profile:
    """What a "For you" ranking is for: a member's (the page), or a digest subscriber's (the
    subscription's interests joined with the member's, when the address is one)."""

    positives: list[str] = field(default_factory=list)  # liked paper ids, most telling first
    negatives: list[str] = field(default_factory=list)  # dismissed ("not interested") paper ids
    topics: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    leave_out: set[str] = field(default_factory=set)  # papers never listed (read, saved, sent before)

    @property
    def model_inputs(self) -> bool:
        """Whether the model has anything to learn from (liked papers or topics)."""
        return bool(self.positives or self.topics)

    @property
    def empty(self) -> bool:
        """Nothing to rank for: no liked paper, topic, author or category."""
        return not (self.positives or self.topics or self.authors or self.categories)
