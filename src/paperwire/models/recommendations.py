"""Recommendations: a pool's papers as the model reads them, and what a request answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from paperwire.models.papers import Paper


@dataclass(frozen=True, slots=True)
class PoolPaper:
    """A paper of a recommendation pool: its id, its categories and its stored vector (None: not
    embedded yet)."""

    paper_id: str
    categories: list[str]
    vector: bytes | None


@dataclass(frozen=True, slots=True)
class PoolStamp:
    """What a cached pool was read at: the papers' and the embeddings' latest change, and how many
    times a paper was hidden or shown again."""

    papers_seq: int
    embeddings_seq: int
    embeddings_key: int
    hidden: int = 0


@dataclass(slots=True)
class Reason:
    """Why a paper is recommended: the liked paper (or topic) it is closest to, and the words they share."""

    text: str  # one line, e.g. 'close to "Graph attention networks" (2503.10002): graph, attention'
    similarity: float  # cosine similarity to that paper or topic
    paper_id: str | None = None
    paper_title: str | None = None
    topic: str | None = None
    words: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Recommendation:
    paper: Paper
    score: float
    reason: Reason


@dataclass(slots=True)
class Recommendations:
    """A request's answer: the ranked papers and what it could not use."""

    papers: list[Recommendation]
    start: date | None  # the pool's announcement days (None when the pool was not a window)
    end: date | None
    pool: int  # papers in the pool, before the liked and disliked ones were left out
    unembedded: int  # pool papers without a vector yet, which could not be ranked
    unknown: list[str] = field(default_factory=list)  # ids given that are not papers of this hub
    ignored: list[str] = field(default_factory=list)  # known papers that have no vector yet
    timings_ms: dict[str, float] = field(default_factory=dict)
