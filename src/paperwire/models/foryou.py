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
