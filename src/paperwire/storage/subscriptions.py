"""The Store's part for subscriptions and the digest delivery ledger (implemented once, in
subscriptions_sql.py, for both databases)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import date, datetime

from paperwire.digests.models import Delivery, NewDelivery
from paperwire.subscriptions import Preferences, Subscription


class SubscriptionStore(ABC):
    # -- subscriptions ----------------------------------------------------------------------------

    @abstractmethod
    def create_subscription(
        self, email: str, prefs: Preferences, *, status: str, nonce: str
    ) -> tuple[Subscription, bool]:
        """A new subscription, or the address's existing one untouched; (subscription, created)."""

    @abstractmethod
    def get_subscription(self, subscription_id: int) -> Subscription | None: ...

    @abstractmethod
    def find_subscription(self, email: str) -> Subscription | None: ...

    @abstractmethod
    def update_subscription(self, subscription_id: int, prefs: Preferences) -> Subscription:
        """Replace its preferences; NotFound if it is gone."""

    @abstractmethod
    def set_subscription_status(
        self, subscription_id: int, status: str, *, nonce: str | None = None, expect: str | None = None
    ) -> Subscription | None:
        """Change its status (confirming records when); a new nonce revokes its old links. With
        `expect`, only a subscription in that status changes. None when nothing changed."""

    @abstractmethod
    def delete_subscription(self, subscription_id: int) -> bool: ...

    @abstractmethod
    def subscriptions(
        self, status: str | None = None, limit: int = 1000, offset: int = 0
    ) -> list[Subscription]:
        """By id."""

    @abstractmethod
    def subscription_counts(self) -> dict[str, int]:
        """Subscriptions by status."""

    @abstractmethod
    def liked_papers(self, emails: Sequence[str]) -> dict[str, list[str]]:
        """The papers upvoted by the users with these addresses, latest first (at most 200 each)."""

    @abstractmethod
    def announced_days(self, start: date, end: date) -> list[date]:
        """The days between start and end (inclusive) on which arXiv announced stored papers."""

    # -- the delivery ledger ------------------------------------------------------------------------

    @abstractmethod
    def planned(self, period: str) -> set[int]:
        """The subscriptions that already have a ledger row for this period key."""

    @abstractmethod
    def sent_papers(self, subscription_ids: Sequence[int]) -> dict[int, set[str]]:
        """Every paper each of these subscriptions has been given in a digest."""

    @abstractmethod
    def add_deliveries(self, deliveries: Sequence[NewDelivery], now: datetime) -> int:
        """Write composed digests to the ledger with their papers, in one transaction; a period that
        already has a row for its subscription is left as it is. Returns how many rows were added."""

    @abstractmethod
    def due_deliveries(self, now: datetime, limit: int) -> list[Delivery]:
        """Pending rows whose next attempt is due, oldest first, for active subscriptions."""

    @abstractmethod
    def next_retry_at(self) -> datetime | None:
        """When the earliest pending row is due."""

    @abstractmethod
    def claim_delivery(self, delivery_id: int, now: datetime) -> bool:
        """pending -> sending, counting an attempt; False if someone else claimed it first."""

    @abstractmethod
    def delivered(self, delivery_id: int, now: datetime) -> None:
        """sending -> sent; the subscription's run of bounces ends."""

    @abstractmethod
    def retry_delivery(self, delivery_id: int, error: str, at: datetime) -> None:
        """sending -> pending, due again at `at` (a temporary failure)."""

    @abstractmethod
    def fail_delivery(self, delivery_id: int, error: str, *, bounce: bool, max_bounces: int) -> bool:
        """sending -> failed. A bounce (permanent refusal) counts against the address; at max_bounces
        in a row the subscription is deactivated. Returns whether it was."""

    @abstractmethod
    def recover_deliveries(self) -> int:
        """sending -> pending, for rows whose sender died (call it holding the digest job lock)."""

    @abstractmethod
    def delivery_counts(self, period: str | None = None) -> dict[str, int]:
        """Ledger rows by status, for one period key or all."""

    @abstractmethod
    def deliveries(
        self, *, status: str | None = None, period: str | None = None, limit: int = 50
    ) -> list[Delivery]:
        """Ledger rows, newest first."""
