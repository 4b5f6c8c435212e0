"""Pydantic models of the "For you" JSON (web/foryou.py), for the OpenAPI document (web/openapi.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from paperwire.web.schemas import HfDailyItem


class InterestsBody(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"topics": ["graph neural networks"], "authors": ["Ada Lovelace"], "categories": ["cs.LG"]}
            ]
        }
    )

    topics: list[str] = Field(default_factory=list, description="Free text, matched by meaning; at most 20.")
    authors: list[str] = Field(default_factory=list, description="Names as papers spell them; at most 20.")
    categories: list[str] = Field(default_factory=list, description="arXiv categories (cs.CL); at most 20.")


class Interests(BaseModel):
    topics: list[str]
    authors: list[str]
    categories: list[str]


class FeedLink(BaseModel):
    feed: str = Field(description="The private Atom feed's new URL; older ones now answer 404.")


class LikedPaper(BaseModel):
    id: str
    title: str


class ForYouReason(BaseModel):
    text: str = Field(description="One line, as the page shows it.")
    kind: Literal["liked", "topic", "author", "category"]
    paper: LikedPaper | None = Field(None, description="The liked paper it is closest to (kind liked).")
    topic: str | None = None
    author: str | None = None
    category: str | None = None
    words: list[str] = Field(description="Words it shares with the liked paper or topic.")
    similarity: float | None = Field(None, description="Cosine similarity to that paper or topic.")


class ForYouItem(HfDailyItem):
    id: str
    url: str
    score: float = Field(description="The model's rank (1 best .. 0) plus lifts for followed authors "
                         "(+2) and categories (+0.3).")  # fmt: skip
    reason: ForYouReason


class ForYouJson(BaseModel):
    """/for-you.json: one's papers of the day (or week), ranked for one, each with its reason."""

    from_: str | None = Field(alias="from", description="The window's first announcement day.")
    to: str | None
    papers: list[ForYouItem]
    positives: int = Field(description="Liked papers learned from: saved, collected, upvoted (200 at most).")
    negatives: int = Field(description='Papers marked "not interested" (200 at most).')
    interests: Interests
    window: int = Field(description="Papers of the window.")
    left_out: int = Field(description="Of them, papers one saved, liked, dismissed or read.")
    unembedded: int = Field(description="Papers of the window the model could not rank yet.")
    problem: str | None = Field(description="Why the model could not rank, when it could not.")
    feed: str = Field(description="One's private Atom feed of this page.")
    timings_ms: dict[str, float]
