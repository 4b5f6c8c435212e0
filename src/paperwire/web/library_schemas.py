"""Pydantic models of the library's and collections' JSON (web/library.py, web/collections.py), for
the OpenAPI document (web/openapi.py); kept apart from schemas.py so each stays short."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from paperwire.web.schemas import HfDailyItem

# -- request bodies -------------------------------------------------------------------------------


class SignalBody(BaseModel):
    on: Literal["0", "1", "false", "true"] | None = Field(None, description="Forms: 0 undoes it.")


class ImportBody(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"content": "@misc{k, eprint = {2503.10002}, archivePrefix = {arXiv}}"}]
        }
    )

    content: str = Field(description="The file's text (forms send it as the multipart field `file`).")
    format: Literal["bibtex", "csl-json"] | None = Field(None, description="Unset: from the first character.")
    collection_id: int | None = Field(None, description="One of one's collections; unset: the library.")


class CollectionBody(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Graph learning", "public": True}]})

    name: str = Field(description="At most 100 characters; unique among one's collections.")
    public: bool | None = Field(None, description="Anyone with the link may see it (default: private).")


class CollectionUpdateBody(BaseModel):
    name: str | None = None
    public: bool | None = None


class CollectBody(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"collection_id": 1}]})

    collection_id: int = Field(description="One of one's collections.")


# -- answers --------------------------------------------------------------------------------------


class Saved(BaseModel):
    paper_id: str
    saved: bool


class NotInterested(BaseModel):
    paper_id: str
    not_interested: bool


class Read(BaseModel):
    paper_id: str
    read: bool


class Collected(BaseModel):
    paper_id: str
    collection_id: int
    collected: bool


class CollectionJson(BaseModel):
    id: int
    name: str
    owner: str = Field(description="The owner's username.")
    public: bool
    size: int = Field(description="How many papers it holds.")
    created_at: str
    updated_at: str
    url: str = Field(description="Its stable address: the number never changes, renamed or not.")


class CollectionPage(CollectionJson):
    """/collections/{id}.json: the collection and a page of its papers, latest added first."""

    total: int
    page: int
    papers: list[HfDailyItem]


class LibraryJson(BaseModel):
    """/library.json: one's saved papers, newest saved first, and one's collections."""

    total: int
    page: int
    papers: list[HfDailyItem]
    collections: list[CollectionJson]


class ImportedPaper(BaseModel):
    id: str
    by: Literal["arxiv", "doi", "title"]


class UnmatchedEntry(BaseModel):
    key: str
    title: str
    reason: str


class ImportResult(BaseModel):
    format: Literal["bibtex", "csl-json"]
    into: Literal["library"] | dict[str, int]
    entries: int
    matched: int
    added: int = Field(description="Matched papers that were not there before.")
    papers: list[ImportedPaper]
    unmatched: list[UnmatchedEntry]
