"""Ingest models: harvest state, the run log, announcement days and Hugging Face features. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True)
class HarvestState:
    """Where an OAI-PMH harvest stands. `pending_*` describe a harvest under way: one whose pages up to
    `pending_token` are stored. No token, no harvest under way."""

    name: str
    cursor: date | None = None
    pending_from: date | None = None
    pending_until: date | None = None
    pending_token: str | None = None
    pending_max: date | None = None
    pending_pages: int = 0
    pending_records: int = 0


@dataclass(slots=True)
class IngestRun:
    id: int
    kind: str
    args: str
    trigger: str  # "cli" or "schedule"
    status: str  # "running" (or killed), "ok", "error"
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(slots=True)
class HfFeature:
    """A paper featured on Hugging Face daily papers; upvotes are Hugging Face's count, not ours."""

    paper_id: str
    featured: date
    submitter: str | None = None
    upvotes: int = 0
