"""What the recommendation endpoints take and answer (web/recommendations.py), as pydantic models: the
routes read their bodies through them, and web/openapi.py describes the endpoints with them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from paperwire.recommend import MAX_IDS
from paperwire.recommend.service import MAX_TOPIC_CHARS, MAX_TOPICS

# -- the native API -------------------------------------------------------------------------------


class RecommendBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={"examples": [{"positive": ["2503.10002"], "negative": [], "limit": 5}]},
    )

    positive: list[str] = Field(
        default_factory=list,
        max_length=MAX_IDS,
        description="Liked papers: arXiv ids (arXiv: prefix allowed).",
    )
    negative: list[str] = Field(default_factory=list, max_length=MAX_IDS, description="Disliked papers.")
    from_: date | None = Field(
        None, alias="from", description="First announcement day of the pool (default: the latest day)."
    )
    to: date | None = Field(None, description="Last announcement day of the pool (default: the latest day).")
    categories: list[str] = Field(default_factory=list, max_length=50, description="Any of these categories.")
    limit: int = Field(20, ge=1, le=100)
    topics: list[str] = Field(
        default_factory=list,
        max_length=MAX_TOPICS,
        description=f"Free-text topics (at most {MAX_TOPIC_CHARS} characters each), liked like papers: a "
        "caller with no liked paper yet (cold start) may give only these.",
    )


class ReasonPaper(BaseModel):
    id: str
    title: str


class ReasonJson(BaseModel):
    text: str = Field(description="One line: the liked paper or topic, and the words shared with it.")
    similarity: float = Field(
        description="Cosine similarity of the two papers' (or paper and topic's) vectors."
    )
    paper: ReasonPaper | None = Field(description="The liked paper this one is closest to.")
    topic: str | None = Field(description="Or the topic it is closest to.")
    words: list[str] = Field(description="Words the two share, the rarest on this hub first.")


class RecommendedPaper(BaseModel):
    id: str
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    announced: str | None
    published: str | None
    url: str
    score: float = Field(description="Higher is better; comparable within one answer only.")
    reason: ReasonJson


class PoolJson(BaseModel):
    from_: str | None = Field(alias="from")
    to: str | None
    papers: int = Field(description="Papers announced in the window (in the categories, if given).")
    unembedded: int = Field(description="Of those, papers not embedded yet, which could not be ranked.")


class RecommendationsJson(BaseModel):
    papers: list[RecommendedPaper]
    unknown: list[str] = Field(description="Ids given that are not papers of this hub.")
    ignored: list[str] = Field(description="Papers given that are not embedded yet, so were not used.")
    pool: PoolJson
    timings_ms: dict[str, float]


# -- Semantic Scholar's shape ---------------------------------------------------------------------


class S2Body(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"positivePaperIds": ["arXiv:2503.10002"], "negativePaperIds": []}]}
    )

    positivePaperIds: list[str] = Field(max_length=MAX_IDS, description="Bare or arXiv:-prefixed ids.")
    negativePaperIds: list[str] = Field(default_factory=list, max_length=MAX_IDS)


class S2Author(BaseModel):
    authorId: str | None
    name: str


class S2Paper(BaseModel):
    """paperId always; the other fields when `fields` names them (title alone by default)."""

    model_config = ConfigDict(extra="allow")

    paperId: str
    title: str | None = None
    abstract: str | None = None
    authors: list[S2Author] | None = None
    externalIds: dict[str, str] | None = None
    publicationDate: str | None = None
    year: int | None = None
    url: str | None = None
    venue: str | None = None
    isOpenAccess: bool | None = None
    openAccessPdf: dict[str, str] | None = None


class S2Recommendations(BaseModel):
    recommendedPapers: list[S2Paper]
    unknownPaperIds: list[str] = Field(description="Ids given that are not papers of this hub (ours).")
