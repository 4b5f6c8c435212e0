"""Subscriptions and the delivery ledger in SQL both databases speak.

The statements are written once, with `?` parameters; the two small classes at the end say how each
database spells parameters, times and dates. Each store provides _transaction() (one write
transaction) and _snapshot() (one consistent read).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

from paperwire.digests.models import Delivery, DigestItem, NewDelivery
from paperwire.storage.base import chunked
from paperwire.storage.hub import NotFound
from paperwire.storage.subscriptions import SubscriptionStore
from paperwire.subscriptions import PREFERENCE_FIELDS, Preferences, Subscription

_LISTS = ("topics", "authors", "categories")
_SUB_COLUMNS = (
    "id, email, status, frequency, weekday, send_time, timezone, trending, for_you, max_papers, "
    "topics, authors, categories, nonce, bounces, last_error, created_at, confirmed_at"
)
_SUB = f"SELECT {_SUB_COLUMNS} FROM subscriptions"
_DELIVERY = (
    "SELECT d.id, d.subscription_id, s.email, d.period, d.frequency, d.covers_start, d.covers_end, "
    "d.status, d.message_id, d.items, d.attempts, d.next_attempt_at, d.last_error, d.created_at, d.sent_at, "
    "s.nonce FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id"
)
# Digests composed for a subscriber who then left are never sent.
_CANCEL = "UPDATE deliveries SET status = 'cancelled' WHERE subscription_id = ? AND status = 'pending'"
_CHUNK = 500
_MAX_LIKED = 200


class SubscriptionsSQL(SubscriptionStore):
    # -- how this database spells things (overridden below) -----------------------------------

    @staticmethod
    def _q(sql: str) -> str:
        return sql

    @staticmethod
    def _t(moment: datetime) -> object:
        raise NotImplementedError

    @staticmethod
    def _tv(value) -> datetime | None:
        raise NotImplementedError

    @staticmethod
    def _d(day: date) -> object:
        raise NotImplementedError

    @staticmethod
    def _dv(value) -> date:
        raise NotImplementedError

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._snapshot() as conn:
            return conn.execute(self._q(sql), params).fetchall()

    # -- rows to models -----------------------------------------------------------------------

    def _subscription(self, row) -> Subscription | None:
        if row is None:
            return None
        (sid, email, status, frequency, weekday, send_time, tz, trending, for_you, max_papers,
         topics, authors, categories, nonce, bounces, last_error, created_at, confirmed_at) = row  # fmt: skip
        return Subscription(
            id=sid,
            email=email,
            status=status,
            frequency=frequency,
            weekday=weekday,
            send_time=send_time,
            timezone=tz,
            trending=trending,
            for_you=bool(for_you),
            max_papers=max_papers,
            topics=json.loads(topics),
            authors=json.loads(authors),
            categories=json.loads(categories),
            nonce=nonce,
            bounces=bounces,
            last_error=last_error,
            created_at=self._tv(created_at),
            confirmed_at=self._tv(confirmed_at),
        )

    def _delivery(self, row) -> Delivery:
        (did, sid, email, period, frequency, start, end, status, message_id, items, attempts,
         next_at, last_error, created_at, sent_at, nonce) = row  # fmt: skip
        return Delivery(
            id=did,
            subscription_id=sid,
            email=email,
            period=period,
            frequency=frequency,
            start=self._dv(start),
            end=self._dv(end),
            status=status,
            message_id=message_id,
            items=[DigestItem(*item) for item in json.loads(items)],
            attempts=attempts,
            next_attempt_at=self._tv(next_at),
            last_error=last_error,
            created_at=self._tv(created_at),
            sent_at=self._tv(sent_at),
            nonce=nonce,
        )

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
        now = self._t(datetime.now(UTC))
        confirmed = now if status == "active" else None
        columns = ", ".join(PREFERENCE_FIELDS)
        marks = ", ".join("?" * (len(PREFERENCE_FIELDS) + 6))
        with self._transaction() as conn:
            row = conn.execute(
                self._q(
                    f"INSERT INTO subscriptions (email, status, nonce, created_at, updated_at, confirmed_at, "
                    f"{columns}) VALUES ({marks}) ON CONFLICT (email) DO NOTHING RETURNING {_SUB_COLUMNS}"
                ),
                (email, status, nonce, now, now, confirmed, *self._pref_values(prefs)),
            ).fetchall()
            if row:
                return self._subscription(row[0]), True
            row = conn.execute(self._q(f"{_SUB} WHERE email = ?"), (email,)).fetchone()
            return self._subscription(row), False

    def get_subscription(self, subscription_id: int) -> Subscription | None:
        rows = self._rows(f"{_SUB} WHERE id = ?", (subscription_id,))
        return self._subscription(rows[0]) if rows else None

    def find_subscription(self, email: str) -> Subscription | None:
        rows = self._rows(f"{_SUB} WHERE email = ?", (email,))
        return self._subscription(rows[0]) if rows else None

    def update_subscription(self, subscription_id: int, prefs: Preferences) -> Subscription:
        sets = ", ".join(f"{f} = ?" for f in PREFERENCE_FIELDS)
        with self._transaction() as conn:
            row = conn.execute(
                self._q(
                    f"UPDATE subscriptions SET {sets}, updated_at = ? WHERE id = ? RETURNING {_SUB_COLUMNS}"
                ),
                (*self._pref_values(prefs), self._t(datetime.now(UTC)), subscription_id),
            ).fetchall()
        if not row:
            raise NotFound(f"no subscription {subscription_id}")
        return self._subscription(row[0])

    def set_subscription_status(
        self, subscription_id: int, status: str, *, nonce: str | None = None, expect: str | None = None
    ) -> Subscription | None:
        now = self._t(datetime.now(UTC))
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
        with self._transaction() as conn:
            rows = conn.execute(self._q(f"{sql} RETURNING {_SUB_COLUMNS}"), params).fetchall()
            if rows and status in ("unsubscribed", "deactivated"):
                conn.execute(self._q(_CANCEL), (subscription_id,))
        return self._subscription(rows[0]) if rows else None

    def delete_subscription(self, subscription_id: int) -> bool:
        with self._transaction() as conn:
            return (
                conn.execute(self._q("DELETE FROM subscriptions WHERE id = ?"), (subscription_id,)).rowcount
                > 0
            )

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

    def liked_papers(self, emails: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        with self._snapshot() as conn:
            for chunk in chunked(list(emails), _CHUNK):
                marks = ", ".join("?" * len(chunk))
                rows = conn.execute(
                    self._q(
                        "SELECT u.email, v.paper_id FROM votes v JOIN users u ON u.id = v.user_id "
                        f"WHERE u.email IN ({marks}) ORDER BY u.email, v.created_at DESC, v.paper_id"
                    ),
                    chunk,
                ).fetchall()
                for email, paper_id in rows:
                    liked = out.setdefault(email, [])
                    if len(liked) < _MAX_LIKED:
                        liked.append(paper_id)
        return out

    def announced_days(self, start: date, end: date) -> list[date]:
        rows = self._rows(
            "SELECT DISTINCT announced FROM papers WHERE announced BETWEEN ? AND ? ORDER BY announced",
            (self._d(start), self._d(end)),
        )
        return [self._dv(r[0]) for r in rows]

    # -- the delivery ledger ------------------------------------------------------------------------

    def planned(self, period: str) -> set[int]:
        return {
            r[0] for r in self._rows("SELECT subscription_id FROM deliveries WHERE period = ?", (period,))
        }

    def sent_papers(self, subscription_ids: Sequence[int]) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {sid: set() for sid in subscription_ids}
        with self._snapshot() as conn:
            for chunk in chunked(list(subscription_ids), _CHUNK):
                marks = ", ".join("?" * len(chunk))
                sql = (
                    f"SELECT subscription_id, paper_id FROM digest_papers WHERE subscription_id IN ({marks})"
                )
                for sid, paper_id in conn.execute(self._q(sql), chunk).fetchall():
                    out[sid].add(paper_id)
        return out

    def add_deliveries(self, deliveries: Sequence[NewDelivery], now: datetime) -> int:
        added = 0
        stamp = self._t(now)
        insert = self._q(
            "INSERT INTO deliveries (subscription_id, period, frequency, covers_start, covers_end, status, "
            "message_id, items, attempts, next_attempt_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (subscription_id, period) DO NOTHING"
        )
        remember = self._q(
            "INSERT INTO digest_papers (subscription_id, paper_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
        )
        with self._transaction() as conn:
            for d in deliveries:
                items = json.dumps([[i.paper_id, i.section, i.reason] for i in d.items], ensure_ascii=False)
                row = (d.subscription_id, d.period, d.frequency, self._d(d.start), self._d(d.end), d.status)
                if conn.execute(insert, (*row, d.message_id, items, stamp, stamp)).rowcount != 1:
                    continue  # planned by another sender already: its papers stand
                added += 1
                if d.items:
                    conn.cursor().executemany(remember, [(d.subscription_id, i.paper_id) for i in d.items])
        return added

    def due_deliveries(self, now: datetime, limit: int) -> list[Delivery]:
        rows = self._rows(
            f"{_DELIVERY} WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND s.status = 'active' "
            "ORDER BY d.id LIMIT ?",
            (self._t(now), limit),
        )
        return [self._delivery(r) for r in rows]

    def next_retry_at(self) -> datetime | None:
        rows = self._rows(
            "SELECT min(d.next_attempt_at) FROM deliveries d JOIN subscriptions s "
            "ON s.id = d.subscription_id WHERE d.status = 'pending' AND s.status = 'active'"
        )
        return self._tv(rows[0][0]) if rows else None

    def claim_delivery(self, delivery_id: int, now: datetime) -> bool:
        with self._transaction() as conn:
            return (
                conn.execute(
                    self._q(
                        "UPDATE deliveries SET status = 'sending', attempts = attempts + 1 "
                        "WHERE id = ? AND status = 'pending'"
                    ),
                    (delivery_id,),
                ).rowcount
                == 1
            )

    def delivered(self, delivery_id: int, now: datetime) -> None:
        with self._transaction() as conn:
            row = conn.execute(
                self._q(
                    "UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = NULL "
                    "WHERE id = ? AND status = 'sending' RETURNING subscription_id"
                ),
                (self._t(now), delivery_id),
            ).fetchall()
            if row:
                conn.execute(
                    self._q("UPDATE subscriptions SET bounces = 0 WHERE id = ? AND bounces > 0"), (row[0][0],)
                )

    def retry_delivery(self, delivery_id: int, error: str, at: datetime) -> None:
        with self._transaction() as conn:
            conn.execute(
                self._q(
                    "UPDATE deliveries SET status = 'pending', last_error = ?, next_attempt_at = ? "
                    "WHERE id = ? AND status = 'sending'"
                ),
                (error, self._t(at), delivery_id),
            )

    def fail_delivery(self, delivery_id: int, error: str, *, bounce: bool, max_bounces: int) -> bool:
        with self._transaction() as conn:
            row = conn.execute(
                self._q(
                    "UPDATE deliveries SET status = 'failed', last_error = ? "
                    "WHERE id = ? AND status = 'sending' RETURNING subscription_id"
                ),
                (error, delivery_id),
            ).fetchall()
            if not row or not bounce:
                return False
            subscription_id = row[0][0]
            bounces = conn.execute(
                self._q(
                    "UPDATE subscriptions SET bounces = bounces + 1, last_error = ? "
                    "WHERE id = ? RETURNING bounces"
                ),
                (error, subscription_id),
            ).fetchall()[0][0]
            if bounces < max_bounces:
                return False
            conn.execute(
                self._q(
                    "UPDATE subscriptions SET status = 'deactivated', updated_at = ? "
                    "WHERE id = ? AND status = 'active'"
                ),
                (self._t(datetime.now(UTC)), subscription_id),
            )
            conn.execute(self._q(_CANCEL), (subscription_id,))
            return True

    def recover_deliveries(self) -> int:
        with self._transaction() as conn:
            return conn.execute(
                self._q("UPDATE deliveries SET status = 'pending' WHERE status = 'sending'")
            ).rowcount

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


class SQLiteSubscriptions(SubscriptionsSQL):
    """Times as UTC text that sorts as it compares; dates as ISO text."""

    @staticmethod
    def _t(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    @staticmethod
    def _tv(value) -> datetime | None:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None

    @staticmethod
    def _d(day: date) -> str:
        return day.isoformat()

    @staticmethod
    def _dv(value) -> date:
        return date.fromisoformat(value)


class PostgresSubscriptions(SubscriptionsSQL):
    """%s parameters; `timestamp` columns hold naive UTC."""

    @staticmethod
    def _q(sql: str) -> str:
        return sql.replace("?", "%s")

    @staticmethod
    def _t(moment: datetime) -> datetime:
        return moment.astimezone(UTC).replace(tzinfo=None)

    @staticmethod
    def _tv(value) -> datetime | None:
        return value.replace(tzinfo=UTC) if value else None

    @staticmethod
    def _d(day: date) -> date:
        return day

    @staticmethod
    def _dv(value) -> date:
        return value
