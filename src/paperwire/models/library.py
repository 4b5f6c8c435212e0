"""Library: a user's saved papers, private marks, named collections, and what an import did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# A user's private marks on a paper, beside saving it; each is set and undone on its own.
MARKS = ("not_interested", "read")
MAX_COLLECTION_NAME = 100
MAX_COLLECTIONS = 500  # per user: a bound, so one account cannot fill the database with empty lists


class CollectionNameTaken(ValueError):
    """The user already has a collection with this name."""


class TooManyCollections(ValueError):
    """The user has MAX_COLLECTIONS collections already."""


@dataclass(slots=True)
class Signals:
    """One user's feedback, for ranking: paper ids, newest first."""

    saved: list[str]  # in their library
    upvoted: list[str]
    collected: list[str]  # in any of their collections
    not_interested: list[str]
    read: list[str]


@dataclass(slots=True)
class PaperMarks:
    """One user's private state of some papers (a page's rows): which are saved, dismissed, read."""

    saved: set[str] = field(default_factory=set)
    not_interested: set[str] = field(default_factory=set)
    read: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Collection:
    """A user's named list of papers; only its owner sees a private one."""

    id: int
    user_id: int
    owner: str  # the owner's username
    name: str
    is_public: bool
    created_at: datetime
    updated_at: datetime
    size: int = 0  # how many papers it holds


@dataclass(slots=True)
class CitedEntry:
    """One entry of an imported BibTeX or CSL JSON file, reduced to what identifies its paper."""

    key: str  # the entry's citation key or id, or its position when it has none
    title: str = ""
    arxiv_ids: list[str] = field(default_factory=list)  # bare ids, most trusted first
    dois: list[str] = field(default_factory=list)  # lower-cased, without a resolver prefix
    problem: str | None = None  # why the entry could not be read at all ("malformed entry: ...")


@dataclass(slots=True)
class Unmatched:
    key: str
    title: str
    reason: str


@dataclass(slots=True)
class ImportReport:
    """What an import did: the papers it matched (by arXiv id, DOI or title) and the entries left."""

    format: str  # "bibtex" or "csl-json"
    entries: int
    matched: dict[str, str] = field(default_factory=dict)  # paper id -> how ("arxiv", "doi", "title")
    unmatched: list[Unmatched] = field(default_factory=list)
    added: int = 0  # matched papers that were not in the library or collection before
