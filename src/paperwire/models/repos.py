"""Code repositories: what GitHub said about one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class GithubRepo:
    """What `paperwire ingest github` last learned about a repository."""

    name: str  # owner/name lower-cased, as papers' links are matched to it
    full_name: str  # as GitHub spells it now: a renamed or transferred repository has its new name
    status: str  # "ok", "missing" (404: deleted or private) or "unavailable" (403/451: blocked)
    stars: int | None = None
    etag: str | None = None
    checked_at: datetime | None = None
