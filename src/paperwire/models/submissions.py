"""Submissions: a paper a member put on a day's page, and one queued for the fetch worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(slots=True)
class Submission:
    paper_id: str
    username: str
    day: date
    submitted_at: datetime


@dataclass(slots=True)
class QueuedSubmission:
    """A submission of a paper the hub lacked: queued while its metadata is fetched from arXiv in the
    background, then done (the paper is stored and submitted) or failed (`error` says why)."""

    id: int
    paper_id: str  # the bare arXiv id asked for
    user_id: int
    username: str
    day: date  # the day whose page it goes on
    state: str  # "queued", "done" or "failed"
    error: str | None
    created_at: datetime
    finished_at: datetime | None = None


class QueueFull(Exception):
    """The fetch queue holds as many submissions as it may (the submitter's, or everyone's)."""
