"""Submissions: papers members put on a day's page (`submissions`), and the fetch queue of those the
hub lacks (`submission_fetches`), bounded per member and in all: `store.submissions`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date

from paperwire.models.papers import RankedPaper
from paperwire.models.submissions import QueuedSubmission, QueueFull, Submission
from paperwire.storage.database import Noun
from paperwire.storage.rows import RANKED, ranked, require_paper

_QUEUED = (
    "SELECT f.id, f.paper_id, f.user_id, u.username, f.day, f.state, f.error, f.created_at, f.finished_at "
    "FROM submission_fetches f JOIN users u ON u.id = f.user_id"
)
_SUBMISSION = (
    "SELECT s.paper_id, u.username, s.day, s.submitted_at FROM submissions s "
    "JOIN users u ON u.id = s.user_id WHERE s.paper_id = ?"
)


class Submissions(ABC):
    @abstractmethod
    def add_submission(self, paper_id: str, user_id: int, day: date) -> tuple[Submission, bool]:
        """Put a stored paper on a day's page; returns (the submission, whether it is new). A paper
        already submitted keeps its first submission."""

    @abstractmethod
    def user_submissions(self, user_id: int, limit: int = 100) -> list[RankedPaper]: ...

    # -- the fetch queue: submissions of papers the hub lacks --------------------------------------

    @abstractmethod
    def queue_submission(
        self, paper_id: str, user_id: int, day: date, *, per_user: int, total: int
    ) -> tuple[QueuedSubmission, bool]:
        """Queue a submission for the fetch worker; the user's submission of that id still queued
        is returned instead (created False). QueueFull past `per_user` or `total` queued ones."""

    @abstractmethod
    def get_queued_submission(self, fetch_id: int) -> QueuedSubmission | None: ...

    @abstractmethod
    def queued_submissions(self, limit: int = 100) -> list[QueuedSubmission]:
        """Those still queued, oldest first."""

    @abstractmethod
    def user_queued_submissions(self, user_id: int, limit: int = 20) -> list[QueuedSubmission]:
        """The user's queued and failed ones, newest first."""

    @abstractmethod
    def count_queued_submissions(self) -> int: ...

    @abstractmethod
    def finish_queued_submission(self, fetch_id: int, state: str, error: str | None = None) -> None:
        """Mark it done (its paper is stored and submitted) or failed, with the reason."""


class SubmissionsSQL(Noun, Submissions):
    def submission(self, row) -> Submission | None:
        return Submission(row[0], row[1], self.d.day_of(row[2]), self.d.time_of(row[3])) if row else None

    def add_submission(self, paper_id: str, user_id: int, day: date) -> tuple[Submission, bool]:
        with self.db.transaction() as conn:
            require_paper(conn, paper_id)
            created = conn.execute(
                "INSERT INTO submissions (paper_id, user_id, day, submitted_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (paper_id, user_id, self.d.day(day), self.d.now()),
            ).rowcount
            if created:
                self.db.bump(conn)
            row = conn.one(_SUBMISSION, (paper_id,))
        return self.submission(row), bool(created)

    def user_submissions(self, user_id: int, limit: int = 100) -> list[RankedPaper]:
        with self.db.read() as conn:
            rows = conn.all(
                f"{RANKED.format(day='s.day')} WHERE s.user_id = ? ORDER BY s.submitted_at DESC LIMIT ?",
                (user_id, limit),
            )
        return [ranked(self.d, r) for r in rows]

    # -- the fetch queue ----------------------------------------------------------------------------

    def _queued(self, row) -> QueuedSubmission:
        fid, paper_id, user_id, username, day, state, error, created_at, finished_at = row
        return QueuedSubmission(
            fid, paper_id, user_id, username, self.d.day_of(day), state, error,
            self.d.time_of(created_at), self.d.time_of(finished_at),
        )  # fmt: skip

    def queue_submission(
        self, paper_id: str, user_id: int, day: date, *, per_user: int, total: int
    ) -> tuple[QueuedSubmission, bool]:
        mine_queued = f"{_QUEUED} WHERE f.user_id = ? AND f.paper_id = ? AND f.state = 'queued'"
        with self.db.transaction() as conn:
            conn.exclusive("submission_fetches")  # two workers counting at once would both see room
            row = conn.one(mine_queued, (user_id, paper_id))
            if row:  # asked again while it is being fetched: the same submission
                return self._queued(row), False
            mine = conn.value(
                "SELECT count(*) FROM submission_fetches WHERE user_id = ? AND state = 'queued'", (user_id,)
            )
            if mine >= per_user:
                raise QueueFull(
                    f"you have {mine} submissions waiting for arXiv (at most {per_user}); "
                    "try again once they are fetched"
                )
            everyone = conn.value("SELECT count(*) FROM submission_fetches WHERE state = 'queued'")
            if everyone >= total:
                raise QueueFull(f"{everyone} submissions are waiting for arXiv; try again in a minute")
            conn.execute(
                "INSERT INTO submission_fetches (paper_id, user_id, day, state, created_at) "
                "VALUES (?, ?, ?, 'queued', ?)",
                (paper_id, user_id, self.d.day(day), self.d.now()),
            )
            return self._queued(conn.one(mine_queued, (user_id, paper_id))), True

    def get_queued_submission(self, fetch_id: int) -> QueuedSubmission | None:
        with self.db.read() as conn:
            row = conn.one(f"{_QUEUED} WHERE f.id = ?", (fetch_id,))
        return self._queued(row) if row else None

    def queued_submissions(self, limit: int = 100) -> list[QueuedSubmission]:
        with self.db.read() as conn:
            rows = conn.all(f"{_QUEUED} WHERE f.state = 'queued' ORDER BY f.id LIMIT ?", (limit,))
        return [self._queued(r) for r in rows]

    def user_queued_submissions(self, user_id: int, limit: int = 20) -> list[QueuedSubmission]:
        with self.db.read() as conn:
            rows = conn.all(
                f"{_QUEUED} WHERE f.user_id = ? AND f.state <> 'done' ORDER BY f.id DESC LIMIT ?",
                (user_id, limit),
            )
        return [self._queued(r) for r in rows]

    def count_queued_submissions(self) -> int:
        with self.db.read() as conn:
            return conn.value("SELECT count(*) FROM submission_fetches WHERE state = 'queued'")

    def finish_queued_submission(self, fetch_id: int, state: str, error: str | None = None) -> None:
        if state not in ("done", "failed"):
            raise ValueError(f"a queued submission ends done or failed, not {state!r}")
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE submission_fetches SET state = ?, error = ?, finished_at = ? WHERE id = ?",
                (state, error, self.d.now(), fetch_id),
            )
