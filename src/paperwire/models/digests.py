"""What the ledger holds about a digest. Plain dataclasses; no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

TRENDING = "trending"
FOR_YOU = "for_you"
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "empty", "cancelled")


@dataclass(frozen=True, slots=True)
class DigestItem:
    paper_id: str
    section: str  # TRENDING or FOR_YOU
    reason: str | None = None  # for FOR_YOU: the topic, author, category or liked paper that matched


@dataclass(slots=True)
class NewDelivery:
    """A composed digest, to be written to the ledger before anything is sent."""

    subscription_id: int
    period: str
    frequency: str
    start: date
    end: date
    message_id: str
    items: list[DigestItem]
    empty_reason: str | None = None  # one line, when there are no items: why (docs/digests.md)

    @property
    def status(self) -> str:
        return "pending" if self.items else "empty"


@dataclass(slots=True)
class Delivery:
    id: int
    subscription_id: int
    email: str
    period: str
    frequency: str
    start: date
    end: date
    status: str
    message_id: str
    items: list[DigestItem] = field(default_factory=list)
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    sent_at: datetime | None = None
    nonce: str = ""  # the subscription's, for its signed links in the mail
    empty_reason: str | None = None  # why a digest has no papers (status "empty")
