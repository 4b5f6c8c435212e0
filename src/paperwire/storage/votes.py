"""Upvotes: `store.votes`. Each paper keeps its count in `papers.upvotes`, moved with the vote."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from paperwire.models.papers import Paper
from paperwire.storage.database import Noun
from paperwire.storage.rows import P_COLUMNS, paper_from_row, require_paper


class Votes(ABC):
    @abstractmethod
    def set_vote(self, user_id: int, paper_id: str, up: bool) -> int:
        """Add or take back a user's upvote (idempotent); returns its upvotes; NotFound: no paper."""

    @abstractmethod
    def voted(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        """Which of these papers the user has upvoted."""

    @abstractmethod
    def user_votes(self, user_id: int, limit: int = 100) -> list[Paper]:
        """Papers the user upvoted, latest vote first."""


class VotesSQL(Noun, Votes):
    def set_vote(self, user_id: int, paper_id: str, up: bool) -> int:
        with self.db.transaction() as conn:
            require_paper(conn, paper_id)
            if up:
                changed = conn.execute(
                    "INSERT INTO votes (user_id, paper_id, created_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (user_id, paper_id, self.d.now()),
                ).rowcount
            else:
                changed = conn.execute(
                    "DELETE FROM votes WHERE user_id = ? AND paper_id = ?", (user_id, paper_id)
                ).rowcount
            if changed:
                conn.execute(
                    "UPDATE papers SET upvotes = upvotes + ? WHERE id = ?", (1 if up else -1, paper_id)
                )
                self.db.bump(conn)
            return conn.value("SELECT upvotes FROM papers WHERE id = ?", (paper_id,))

    def voted(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self.db.read() as conn:
            for condition, params in self.d.one_of("paper_id", paper_ids):
                sql = f"SELECT paper_id FROM votes WHERE user_id = ? AND {condition}"
                found.update(r[0] for r in conn.all(sql, (user_id, *params)))
        return found

    def user_votes(self, user_id: int, limit: int = 100) -> list[Paper]:
        with self.db.read() as conn:
            rows = conn.all(
                f"SELECT {P_COLUMNS} FROM votes v JOIN papers p ON p.id = v.paper_id WHERE v.user_id = ? "
                "ORDER BY v.created_at DESC, p.id DESC LIMIT ?",
                (user_id, limit),
            )
        return [paper_from_row(self.d, r, []) for r in rows]
