"""Digest subscriptions (by address, with their preferences): `store.subscriptions`."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, datetime

from paperwire.models.subscriptions import PREFERENCE_FIELDS, Preferences, Subscription
from paperwire.storage.database import NotFound, Noun

_LISTS = ("topics", "authors", "categories")
_SUB_COLUMNS = (
    "id, email, status, frequency, weekday, send_time, timezone, trending, for_you, max_papers, "
    "topics, authors, categories, nonce, bounces, last_error, created_at, confirmed_at"
)
_SUB_FIELDS = _SUB_COLUMNS.split(", ")
_SUB = f"SELECT {_SUB_COLUMNS} FROM subscriptions"
# Digests composed for a subscriber who then left are never sent.
CANCEL_DELIVERIES = (
    "UPDATE deliveries SET status = 'cancelled' WHERE subscription_id = ? AND status = 'pending'"
)


class Subscriptions(ABC):
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


class SubscriptionsSQL(Noun, Subscriptions):
    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self.db.read() as conn:
            return conn.all(sql, params)

    def _subscription(self, row) -> Subscription | None:
        if row is None:
            return None
        values = dict(zip(_SUB_FIELDS, row, strict=True))  # the columns are the model's fields
        values.update({name: json.loads(values[name]) for name in _LISTS})
        values["for_you"] = bool(values["for_you"])
        for name in ("created_at", "confirmed_at"):
            values[name] = self.d.time_of(values[name])
        return Subscription(**values)

    @staticmethod
    def _pref_values(prefs: Preferences) -> list:
        return [
            json.dumps(getattr(prefs, f), ensure_ascii=False) if f in _LISTS else getattr(prefs, f)
            for f in PREFERENCE_FIELDS
        ]

    # -- subscriptions ----------------------------------------------------------------------------

    def create_subscription(
        self, email: str, prefs: Preferences, *, status: str, nonce: str
    ) -> tuple[Subscription, bool]:
        now = self.d.time(datetime.now(UTC))
        confirmed = now if status == "active" else None
        columns = ", ".join(PREFERENCE_FIELDS)
        marks = ", ".join("?" * (len(PREFERENCE_FIELDS) + 6))
        with self.db.transaction() as conn:
            row = conn.execute(
                f"INSERT INTO subscriptions (email, status, nonce, created_at, updated_at, confirmed_at, "
                f"{columns}) VALUES ({marks}) ON CONFLICT (email) DO NOTHING RETURNING {_SUB_COLUMNS}",
                (email, status, nonce, now, now, confirmed, *self._pref_values(prefs)),
            ).fetchall()
            if row:
                return self._subscription(row[0]), True
            row = conn.execute(f"{_SUB} WHERE email = ?", (email,)).fetchone()
            return self._subscription(row), False

    def get_subscription(self, subscription_id: int) -> Subscription | None:
        rows = self._rows(f"{_SUB} WHERE id = ?", (subscription_id,))
        return self._subscription(rows[0]) if rows else None

    def find_subscription(self, email: str) -> Subscription | None:
        rows = self._rows(f"{_SUB} WHERE email = ?", (email,))
        return self._subscription(rows[0]) if rows else None

    def update_subscription(self, subscription_id: int, prefs: Preferences) -> Subscription:
        sets = ", ".join(f"{f} = ?" for f in PREFERENCE_FIELDS)
        with self.db.transaction() as conn:
            row = conn.execute(
                f"UPDATE subscriptions SET {sets}, updated_at = ? WHERE id = ? RETURNING {_SUB_COLUMNS}",
                (*self._pref_values(prefs), self.d.time(datetime.now(UTC)), subscription_id),
            ).fetchall()
        if not row:
            raise NotFound(f"no subscription {subscription_id}")
        return self._subscription(row[0])

    def set_subscription_status(
        self, subscription_id: int, status: str, *, nonce: str | None = None, expect: str | None = None
    ) -> Subscription | None:
        now = self.d.time(datetime.now(UTC))
        sql = "UPDATE subscriptions SET status = ?, updated_at = ?, nonce = coalesce(?, nonce)"
        params: list = [status, now, nonce]
        if status == "active":
            # A confirmed (or re-activated) address starts with a clean record.
            sql += ", confirmed_at = coalesce(confirmed_at, ?), bounces = 0, last_error = NULL"
            params.append(now)
        sql += " WHERE id = ?"
        params.append(subscription_id)
        if expect is not None:
            sql += " AND status = ?"
            params.append(expect)
        with self.db.transaction() as conn:
            rows = conn.execute(f"{sql} RETURNING {_SUB_COLUMNS}", params).fetchall()
            if rows and status in ("unsubscribed", "deactivated"):
                conn.execute(CANCEL_DELIVERIES, (subscription_id,))
        return self._subscription(rows[0]) if rows else None

    def delete_subscription(self, subscription_id: int) -> bool:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,)).rowcount > 0

    def subscriptions(
        self, status: str | None = None, limit: int = 1000, offset: int = 0
    ) -> list[Subscription]:
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        rows = self._rows(f"{_SUB} {where} ORDER BY id LIMIT ? OFFSET ?", (*params, limit, offset))
        return [self._subscription(r) for r in rows]

    def subscription_counts(self) -> dict[str, int]:
        return {
            status: n
            for status, n in self._rows("SELECT status, count(*) FROM subscriptions GROUP BY status")
        }
