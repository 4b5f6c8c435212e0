"""The fetch queue of submissions (papers the hub lacks), in SQL both databases speak.

Statements are written once with `?` parameters; the two small classes at the end say how each
database spells parameters, times and dates, and how a queueing transaction keeps the queue's bounds
against concurrent writers. Each store provides _transaction() and _snapshot().
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from paperwire.daily import QueuedSubmission, QueueFull

_QUEUED = (
    "SELECT f.id, f.paper_id, f.user_id, u.username, f.day, f.state, f.error, f.created_at, f.finished_at "
    "FROM submission_fetches f JOIN users u ON u.id = f.user_id"
)


class SubmissionFetchesSQL:
    # -- how this database spells things (overridden below) -----------------------------------

    @staticmethod
    def _q(sql: str) -> str:
        return sql

    @staticmethod
    def _now() -> object:
        raise NotImplementedError

    @staticmethod
    def _when(value) -> datetime | None:
        raise NotImplementedError

    @staticmethod
    def _day(value) -> object:
        raise NotImplementedError

    @staticmethod
    def _day_of(value) -> date:
        raise NotImplementedError

    def _lock_queue(self, conn) -> None:
        """Hold the queue's bounds for the rest of this transaction."""

    # -----------------------------------------------------------------------------------------

    def _queued(self, row) -> QueuedSubmission:
        fid, paper_id, user_id, username, day, state, error, created_at, finished_at = row
        return QueuedSubmission(
            fid, paper_id, user_id, username, self._day_of(day), state, error,
            self._when(created_at), self._when(finished_at),
        )  # fmt: skip

    def queue_submission(
        self, paper_id: str, user_id: int, day: date, *, per_user: int, total: int
    ) -> tuple[QueuedSubmission, bool]:
        with self._transaction() as conn:
            self._lock_queue(conn)
            q = self._q
            row = conn.execute(
                q(f"{_QUEUED} WHERE f.user_id = ? AND f.paper_id = ? AND f.state = 'queued'"),
                (user_id, paper_id),
            ).fetchone()
            if row:  # asked again while it is being fetched: the same submission
                return self._queued(row), False
            mine = conn.execute(
                q("SELECT count(*) FROM submission_fetches WHERE user_id = ? AND state = 'queued'"),
                (user_id,),
            ).fetchone()[0]
            if mine >= per_user:
                raise QueueFull(
                    f"you have {mine} submissions waiting for arXiv (at most {per_user}); "
                    "try again once they are fetched"
                )
            everyone = conn.execute(
                "SELECT count(*) FROM submission_fetches WHERE state = 'queued'"
            ).fetchone()[0]
            if everyone >= total:
                raise QueueFull(f"{everyone} submissions are waiting for arXiv; try again in a minute")
            conn.execute(
                q(
                    "INSERT INTO submission_fetches (paper_id, user_id, day, state, created_at) "
                    "VALUES (?, ?, ?, 'queued', ?)"
                ),
                (paper_id, user_id, self._day(day), self._now()),
            )
            row = conn.execute(
                q(f"{_QUEUED} WHERE f.user_id = ? AND f.paper_id = ? AND f.state = 'queued'"),
                (user_id, paper_id),
            ).fetchone()
            return self._queued(row), True

    def get_queued_submission(self, fetch_id: int) -> QueuedSubmission | None:
        with self._snapshot() as conn:
            row = conn.execute(self._q(f"{_QUEUED} WHERE f.id = ?"), (fetch_id,)).fetchone()
        return self._queued(row) if row else None

    def queued_submissions(self, limit: int = 100) -> list[QueuedSubmission]:
        with self._snapshot() as conn:
            rows = conn.execute(
                self._q(f"{_QUEUED} WHERE f.state = 'queued' ORDER BY f.id LIMIT ?"), (limit,)
            ).fetchall()
        return [self._queued(r) for r in rows]

    def user_queued_submissions(self, user_id: int, limit: int = 20) -> list[QueuedSubmission]:
        with self._snapshot() as conn:
            rows = conn.execute(
                self._q(f"{_QUEUED} WHERE f.user_id = ? AND f.state <> 'done' ORDER BY f.id DESC LIMIT ?"),
                (user_id, limit),
            ).fetchall()
        return [self._queued(r) for r in rows]

    def count_queued_submissions(self) -> int:
        with self._snapshot() as conn:
            return conn.execute("SELECT count(*) FROM submission_fetches WHERE state = 'queued'").fetchone()[
                0
            ]

    def finish_queued_submission(self, fetch_id: int, state: str, error: str | None = None) -> None:
        if state not in ("done", "failed"):
            raise ValueError(f"a queued submission ends done or failed, not {state!r}")
        with self._transaction() as conn:
            conn.execute(
                self._q("UPDATE submission_fetches SET state = ?, error = ?, finished_at = ? WHERE id = ?"),
                (state, error, self._now(), fetch_id),
            )


class SQLiteSubmissionFetches(SubmissionFetchesSQL):
    """Text times and dates; the single writer already keeps the bounds."""

    @staticmethod
    def _now() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    @staticmethod
    def _when(value) -> datetime | None:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None

    @staticmethod
    def _day(value: date) -> str:
        return value.isoformat()

    @staticmethod
    def _day_of(value) -> date:
        return date.fromisoformat(value)


class PostgresSubmissionFetches(SubmissionFetchesSQL):
    """%s parameters; `timestamp` columns hold naive UTC; a transaction lock keeps the bounds."""

    @staticmethod
    def _q(sql: str) -> str:
        return sql.replace("?", "%s")

    @staticmethod
    def _now() -> datetime:
        return datetime.now(UTC).replace(tzinfo=None)

    @staticmethod
    def _when(value) -> datetime | None:
        return value.replace(tzinfo=UTC) if value else None

    @staticmethod
    def _day(value: date) -> date:
        return value

    @staticmethod
    def _day_of(value) -> date:
        return value

    def _lock_queue(self, conn) -> None:
        # Two workers counting at once would both see room for one more.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('paperwire.submission_fetches'))")
