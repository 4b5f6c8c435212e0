"""Papers: a paper at its current version, its versions and links; a listing's row; what storing one did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from paperwire.models.extracts import Extract
from paperwire.models.submissions import Submission


class UpsertOutcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"  # a newer version replaced the content
    UNCHANGED = "unchanged"  # the same or an older version: nothing was written


@dataclass(slots=True)
class Stats:
    papers: int
    versions: int
    by_category: dict[str, int] = field(default_factory=dict)  # every listed category, most papers first
    by_month: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" of announcement (else first version)
    by_source: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class PaperActivity:
    """What the community did with one paper."""

    upvotes: int = 0
    num_comments: int = 0
    hidden: bool = False
    submission: Submission | None = None


@dataclass(slots=True)
class RankedPaper:
    """A paper on a listing, with the community's figures."""

    paper: Paper
    day: date | None  # its day on the hub within the listing's period
    upvotes: int = 0
    num_comments: int = 0
    submitted_by: str | None = None  # username
    submitted_at: datetime | None = None
    github_stars: int | None = None  # its code's stars, when the GitHub ingest has recorded them
    extract: Extract | None = None  # its summary sentence and key phrases, once the indexer made them


@dataclass(frozen=True, slots=True)
class PaperVersion:
    version: int
    date: date | None = None


@dataclass(frozen=True, slots=True)
class Links:
    abstract: str | None = None
    pdf: str | None = None
    code: str | None = None
    project: str | None = None


@dataclass(slots=True)
class Paper:
    """One paper at its current version. `versions` is its version history, oldest first."""

    id: str
    title: str
    source: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # primary first
    version: int = 1
    published: date | None = None  # the first version's date
    updated: date | None = None  # this version's date
    announced: date | None = None  # the day it first appeared in a daily listing
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    links: Links = field(default_factory=Links)
    versions: list[PaperVersion] = field(default_factory=list)

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None


def merge_versions(*histories: list[PaperVersion]) -> list[PaperVersion]:
    """Union of version histories, oldest first; a known date wins over an unknown one."""
    by_number: dict[int, PaperVersion] = {}
    for history in histories:
        for v in history:
            if v.version not in by_number or by_number[v.version].date is None:
                by_number[v.version] = v
    return [by_number[n] for n in sorted(by_number)]
