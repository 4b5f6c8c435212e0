"""Pydantic models of what the JSON API takes and answers, for the OpenAPI document (web/openapi.py).

The routes build their JSON themselves (the Hugging Face-compatible shapes must stay byte for byte as
they are); these models describe it, and tests/web/test_openapi.py runs schemathesis over the whole
document to prove that every answer fits its model.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# -- errors ---------------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(description="bad_request, unauthorized, forbidden, not_found, rate_limited, ...")
    message: str = Field(description="One line a person can act on.")


class Error(BaseModel):
    """Every 4xx and 5xx of the JSON API."""

    error: ErrorDetail


# -- request bodies -------------------------------------------------------------------------------
# Each write takes a JSON object or a form. A form carries the CSRF token as `csrf_token` (an API
# client sends the X-CSRF-Token header instead) and may name the page to go back to in `next`.


class FormFields(BaseModel):
    csrf_token: str = Field(description="The CSRF token (forms; API clients send X-CSRF-Token).")
    next: str | None = Field(None, description="A path on this hub to go back to.")


class VoteBody(BaseModel):
    up: Literal["0", "1", "false", "true"] | None = Field(None, description="Forms: 0 takes the vote back.")


class CommentBody(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"body": "Message passing **works** here."}]})

    body: str = Field(description="Markdown, at most 10,000 characters.")


class HideBody(BaseModel):
    hidden: Literal["0", "1", "false", "true"] | None = Field(None, description="0 shows it again.")


class SubmitBody(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ref": "2503.10009"}]})

    ref: str = Field(description="An arXiv id (2503.11677, arXiv:2503.11677v2) or an arXiv / HF link.")


class SigninBody(BaseModel):
    email: str
    next: str | None = None


class VerifyBody(BaseModel):
    token: str = Field(description="The token of the emailed sign-in link.")
    next: str | None = None


class PreferencesBody(BaseModel):
    """A subscription's preferences; a field left out keeps its value (or the default)."""

    frequency: Literal["daily", "weekly"] | None = None
    weekday: int | None = Field(None, description="0 (Monday) to 6, for weekly digests.")
    send_time: str | None = Field(None, description="HH:MM in `timezone`.")
    timezone: str | None = Field(None, description="An IANA time zone name.")
    trending: int | None = None
    for_you: bool | Literal["0", "1", "true", "false", "on", "off", "yes", "no", ""] | None = None
    max_papers: int | None = None
    topics: list[str] | str | None = Field(None, description="A list, or one a line.")
    authors: list[str] | str | None = Field(None, description="A list, or one a line.")
    categories: list[str] | str | None = Field(None, description="A list, or separated by spaces.")


class SubscribeBody(PreferencesBody):
    email: str


class TokenBody(BaseModel):
    token: str | None = Field(None, description="A subscription link's token (or be signed in).")


class SettingsBody(PreferencesBody):
    token: str | None = Field(None, description="The settings link's token (or be signed in).")


# -- answers: the Hugging Face shapes -------------------------------------------------------------


class HfAuthor(BaseModel):
    name: str
    hidden: bool


class HfUser(BaseModel):
    id_: str = Field(alias="_id")
    user: str
    name: str
    fullname: str
    avatarUrl: str
    type: str


class HfPaper(BaseModel):
    id: str
    authors: list[HfAuthor]
    publishedAt: str | None
    title: str
    summary: str
    upvotes: int
    githubRepo: str | None
    projectPage: str | None
    source: str


class HfPaperInfo(HfPaper):
    """GET /api/papers/{id}."""

    numComments: int
    githubStars: int | None
    ai_summary: str | None  # the extracted summary sentence (docs/search.md#extracts)
    ai_keywords: list[str]  # the extracted key phrases


class HfDailyPaper(HfPaper):
    discussionId: str
    ai_summary: str | None
    ai_keywords: list[str]
    githubStars: int | None
    submittedOnDailyAt: str | None
    submittedOnDailyBy: HfUser | None


class HfDailyItem(BaseModel):
    """An entry of /api/daily_papers, as huggingface_hub reads it."""

    paper: HfDailyPaper
    publishedAt: str | None
    title: str
    summary: str
    thumbnail: str | None
    numComments: int
    submittedBy: HfUser | None
    isAuthorParticipating: bool


class HfSearchItem(BaseModel):
    paper: HfPaper
    title: str
    summary: str
    publishedAt: str | None
    numComments: int
    isAuthorParticipating: bool


# -- answers: the native JSON ---------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    papers: int


class PeriodJson(BaseModel):
    kind: str
    label: str
    start: str
    end: str


class Listing(BaseModel):
    """/date/{day}.json, /week/{week}.json, /month/{month}.json."""

    period: PeriodJson
    total: int
    page: int
    papers: list[HfDailyItem]


class Trending(BaseModel):
    since: str
    until: str
    total: int
    page: int
    papers: list[HfDailyItem]


class Browse(BaseModel):
    """/categories/{cat}.json, /authors/{name}.json."""

    kind: Literal["category", "author"]
    name: str
    page: int
    feed: str | None
    more: bool
    papers: list[HfDailyItem]


class Hit(BaseModel):
    id: str
    title: str
    authors: list[str]
    categories: list[str]
    published: str | None
    announced: str | None
    score: float
    keyword_score: float | None
    semantic_score: float | None
    pinned: Literal["id", "title"] | None = Field(description="An exact match of the id or title, first.")


class QueryFilters(BaseModel):
    categories: list[str]
    authors: list[str]
    from_: str | None = Field(alias="from")
    until: str | None
    date_field: str


class ParsedQuery(BaseModel):
    text: str
    words: list[str]
    phrases: list[str]
    excluded: list[str]
    filters: QueryFilters


class SearchResults(BaseModel):
    query: ParsedQuery
    mode: str
    semantic: bool
    offset: int
    limit: int
    total: int
    results: list[Hit]
    timings_ms: dict[str, float]
    did_you_mean: str | None = Field(
        None,
        description="The query with its typos as the papers spell them, when a word matched only by typo",
    )


class Similar(BaseModel):
    paper_id: str
    results: list[Hit]


class CommentJson(BaseModel):
    id: int
    author: str
    body: str
    created_at: str


class PaperRecord(BaseModel):
    """/papers/{id}.json: every stored field (the export format), and the hub's figures."""

    id: str
    title: str
    authors: list[str]
    categories: list[str]
    upvotes: int
    num_comments: int
    submitted_by: str | None
    comments: list[CommentJson]
    related: list[str]


class Vote(BaseModel):
    paper_id: str
    upvoted: bool
    upvotes: int


class CommentPosted(BaseModel):
    id: int
    paper_id: str
    author: str
    body: str


class Deleted(BaseModel):
    deleted: int


class CommentHidden(BaseModel):
    comment_id: int
    hidden: bool


class PaperHidden(BaseModel):
    paper_id: str
    hidden: bool


class Submitted(BaseModel):
    paper_id: str
    title: str
    submitted_by: str
    day: str
    new: bool


class Queued(BaseModel):
    """A submission waiting for (or done with) its fetch from arXiv."""

    id: int
    paper_id: str
    state: Literal["queued", "done", "failed"]
    error: str | None
    submitted_by: str
    day: str
    created_at: str
    finished_at: str | None
    status_url: str
    paper_url: str | None


class CsrfToken(BaseModel):
    csrf_token: str


class SigninSent(BaseModel):
    sent: bool
    email: str


class SignedIn(BaseModel):
    user: str


class SignedOut(BaseModel):
    signed_out: bool


class ProfileSubmission(BaseModel):
    paper_id: str
    day: str


class ProfileComment(BaseModel):
    id: int
    paper_id: str
    body: str
    hidden: bool


class Profile(BaseModel):
    username: str
    email: str
    is_admin: bool
    upvoted: list[str]
    submitted: list[ProfileSubmission]
    waiting: list[Queued] = Field(description="Submissions queued for arXiv, or failed (why).")
    comments: list[ProfileComment]


class SubscriptionSent(BaseModel):
    status: Literal["confirmation_sent"]
    email: str


class SubscriptionStatus(BaseModel):
    status: str
    email: str


class SubscriptionJson(BaseModel):
    email: str
    status: str
    frequency: str
    weekday: int
    send_time: str
    timezone: str
    trending: int
    for_you: bool
    max_papers: int
    topics: list[str]
    authors: list[str]
    categories: list[str]
    confirmed_at: str | None
