"""The digest delivery ledger: what each subscription was sent, or is due to be: `store.digests`."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, datetime

from paperwire.models.digests import Delivery, DigestItem, NewDelivery
from paperwire.storage.database import Noun
from paperwire.storage.subscriptions import CANCEL_DELIVERIES

_DELIVERY = (
    "SELECT d.id, d.subscription_id, s.email, d.period, d.frequency, d.covers_start, d.covers_end, "
    "d.status, d.message_id, d.items, d.attempts, d.next_attempt_at, d.last_error, d.created_at, d.sent_at, "
    "s.nonce, d.empty_reason FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id"
)


class Digests(ABC):
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


class DigestsSQL(Noun, Digests):
    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self.db.read() as conn:
            return conn.all(sql, params)

    def _delivery(self, row) -> Delivery:
        (did, sid, email, period, frequency, start, end, status, message_id, items, attempts,
         next_at, last_error, created_at, sent_at, nonce, empty_reason) = row  # fmt: skip
        return Delivery(
            id=did,
            subscription_id=sid,
            email=email,
            period=period,
            frequency=frequency,
            start=self.d.day_of(start),
            end=self.d.day_of(end),
            status=status,
            message_id=message_id,
            items=[DigestItem(*item) for item in json.loads(items)],
            attempts=attempts,
            next_attempt_at=self.d.time_of(next_at),
            last_error=last_error,
            created_at=self.d.time_of(created_at),
            sent_at=self.d.time_of(sent_at),
            nonce=nonce,
            empty_reason=empty_reason,
        )

    # -- the delivery ledger ------------------------------------------------------------------------

    def planned(self, period: str) -> set[int]:
        return {
            r[0] for r in self._rows("SELECT subscription_id FROM deliveries WHERE period = ?", (period,))
        }

    def sent_papers(self, subscription_ids: Sequence[int]) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {sid: set() for sid in subscription_ids}
        with self.db.snapshot() as conn:
            for condition, params in self.d.one_of("subscription_id", subscription_ids):
                sql = f"SELECT subscription_id, paper_id FROM digest_papers WHERE {condition}"
                for sid, paper_id in conn.all(sql, params):
                    out[sid].add(paper_id)
        return out

    def add_deliveries(self, deliveries: Sequence[NewDelivery], now: datetime) -> int:
        added = 0
        stamp = self.d.time(now)
        insert = (
            "INSERT INTO deliveries (subscription_id, period, frequency, covers_start, covers_end, status, "
            "message_id, items, attempts, next_attempt_at, created_at, empty_reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (subscription_id, period) DO NOTHING"
        )
        remember = (
            "INSERT INTO digest_papers (subscription_id, paper_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
        )
        with self.db.transaction() as conn:
            for d in deliveries:
                items = json.dumps([[i.paper_id, i.section, i.reason] for i in d.items], ensure_ascii=False)
                row = (
                    d.subscription_id,
                    d.period,
                    d.frequency,
                    self.d.day(d.start),
                    self.d.day(d.end),
                    d.status,
                )
                if (
                    conn.execute(insert, (*row, d.message_id, items, stamp, stamp, d.empty_reason)).rowcount
                    != 1
                ):
                    continue  # planned by another sender already: its papers stand
                added += 1
                if d.items:
                    conn.executemany(remember, [(d.subscription_id, i.paper_id) for i in d.items])
        return added

    def due_deliveries(self, now: datetime, limit: int) -> list[Delivery]:
        rows = self._rows(
            f"{_DELIVERY} WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND s.status = 'active' "
            "ORDER BY d.id LIMIT ?",
            (self.d.time(now), limit),
        )
        return [self._delivery(r) for r in rows]

    def next_retry_at(self) -> datetime | None:
        rows = self._rows(
            "SELECT min(d.next_attempt_at) FROM deliveries d JOIN subscriptions s "
            "ON s.id = d.subscription_id WHERE d.status = 'pending' AND s.status = 'active'"
        )
        return self.d.time_of(rows[0][0]) if rows else None

    def claim_delivery(self, delivery_id: int, now: datetime) -> bool:
        with self.db.transaction() as conn:
            return (
                conn.execute(
                    "UPDATE deliveries SET status = 'sending', attempts = attempts + 1 "
                    "WHERE id = ? AND status = 'pending'",
                    (delivery_id,),
                ).rowcount
                == 1
            )

    def delivered(self, delivery_id: int, now: datetime) -> None:
        with self.db.transaction() as conn:
            row = conn.execute(
                "UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = NULL "
                "WHERE id = ? AND status = 'sending' RETURNING subscription_id",
                (self.d.time(now), delivery_id),
            ).fetchall()
            if row:
                conn.execute(
                    "UPDATE subscriptions SET bounces = 0 WHERE id = ? AND bounces > 0", (row[0][0],)
                )

    def retry_delivery(self, delivery_id: int, error: str, at: datetime) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE deliveries SET status = 'pending', last_error = ?, next_attempt_at = ? "
                "WHERE id = ? AND status = 'sending'",
                (error, self.d.time(at), delivery_id),
            )

    def fail_delivery(self, delivery_id: int, error: str, *, bounce: bool, max_bounces: int) -> bool:
        with self.db.transaction() as conn:
            row = conn.execute(
                "UPDATE deliveries SET status = 'failed', last_error = ? "
                "WHERE id = ? AND status = 'sending' RETURNING subscription_id",
                (error, delivery_id),
            ).fetchall()
            if not row or not bounce:
                return False
            subscription_id = row[0][0]
            bounces = conn.execute(
                "UPDATE subscriptions SET bounces = bounces + 1, last_error = ? "
                "WHERE id = ? RETURNING bounces",
                (error, subscription_id),
            ).fetchall()[0][0]
            if bounces < max_bounces:
                return False
            conn.execute(
                "UPDATE subscriptions SET status = 'deactivated', updated_at = ? "
                "WHERE id = ? AND status = 'active'",
                (self.d.time(datetime.now(UTC)), subscription_id),
            )
            conn.execute(CANCEL_DELIVERIES, (subscription_id,))
            return True

    def recover_deliveries(self) -> int:
        with self.db.transaction() as conn:
            return conn.execute("UPDATE deliveries SET status = 'pending' WHERE status = 'sending'").rowcount

    def delivery_counts(self, period: str | None = None) -> dict[str, int]:
        where, params = ("WHERE period = ?", (period,)) if period else ("", ())
        rows = self._rows(f"SELECT status, count(*) FROM deliveries {where} GROUP BY status", params)
        return {status: n for status, n in rows}

    def deliveries(
        self, *, status: str | None = None, period: str | None = None, limit: int = 50
    ) -> list[Delivery]:
        conditions, params = [], []
        for column, value in (("d.status", status), ("d.period", period)):
            if value is not None:
                conditions.append(f"{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._rows(f"{_DELIVERY} {where} ORDER BY d.id DESC LIMIT ?", (*params, limit))
        return [self._delivery(r) for r in rows]
