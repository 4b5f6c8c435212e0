"""A user's library (saved papers) and private marks (not interested, read): `store.library`.

Nothing here is public: every statement names the user, and no write moves the community counter
(web/pages.py's cache of anonymous pages), since no anonymous page shows any of it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from paperwire.models.library import MARKS, PaperMarks, Signals
from paperwire.models.papers import RankedPaper
from paperwire.storage.database import Noun
from paperwire.storage.rows import RANKED_COLUMNS, SUBMITTER, ranked, require_paper

DAY = "coalesce(p.announced, s.day, p.published)"


class Library(ABC):
    @abstractmethod
    def set_saved(self, user_id: int, paper_id: str, saved: bool) -> bool:
        """Save a paper to the user's library or take it out (idempotent); returns `saved`.
        NotFound: no such paper."""

    @abstractmethod
    def set_mark(self, user_id: int, paper_id: str, mark: str, on: bool) -> bool:
        """Set or clear a mark ('not_interested' or 'read'; idempotent); returns `on`. NotFound: no paper."""

    @abstractmethod
    def marks(self, user_id: int, paper_ids: Sequence[str]) -> PaperMarks:
        """Which of these papers the user has saved, dismissed and read."""

    @abstractmethod
    def library_papers(self, user_id: int, limit: int, offset: int = 0) -> tuple[list[RankedPaper], int]:
        """The user's saved papers, newest saved first (hidden papers left out), and how many in all."""

    @abstractmethod
    def save_papers(self, user_id: int, paper_ids: Sequence[str]) -> int:
        """Save these (existing) papers in one transaction; how many were not saved before."""

    @abstractmethod
    def signals(self, user_id: int) -> Signals:
        """The user's feedback for ranking: saved, upvoted, collected, dismissed, read; newest first."""

    @abstractmethod
    def signals_of(self, user_ids: Sequence[int]) -> dict[int, Signals]:
        """`signals` of many users at once (a digest run's members): every id given is a key."""


class LibrarySQL(Noun, Library):
    def set_saved(self, user_id: int, paper_id: str, saved: bool) -> bool:
        with self.db.transaction() as conn:
            require_paper(conn, paper_id)
            if saved:
                conn.execute(
                    "INSERT INTO library_papers (user_id, paper_id, saved_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (user_id, paper_id, self.d.now()),
                )
            else:
                conn.execute(
                    "DELETE FROM library_papers WHERE user_id = ? AND paper_id = ?", (user_id, paper_id)
                )
        return saved

    def set_mark(self, user_id: int, paper_id: str, mark: str, on: bool) -> bool:
        if mark not in MARKS:
            raise ValueError(f"mark must be one of {', '.join(MARKS)}, not {mark!r}")
        with self.db.transaction() as conn:
            require_paper(conn, paper_id)
            if on:
                conn.execute(
                    "INSERT INTO paper_marks (user_id, paper_id, mark, marked_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (user_id, paper_id, mark, self.d.now()),
                )
            else:
                conn.execute(
                    "DELETE FROM paper_marks WHERE user_id = ? AND paper_id = ? AND mark = ?",
                    (user_id, paper_id, mark),
                )
        return on

    def marks(self, user_id: int, paper_ids: Sequence[str]) -> PaperMarks:
        out = PaperMarks()
        sets = {"saved": out.saved, "not_interested": out.not_interested, "read": out.read}
        with self.db.snapshot() as conn:
            for condition, params in self.d.one_of("paper_id", paper_ids):
                rows = conn.all(
                    f"SELECT 'saved', paper_id FROM library_papers WHERE user_id = ? AND {condition} "
                    f"UNION ALL SELECT mark, paper_id FROM paper_marks WHERE user_id = ? AND {condition}",
                    (user_id, *params, user_id, *params),
                )
                for kind, paper_id in rows:
                    sets[kind].add(paper_id)
        return out

    def library_papers(self, user_id: int, limit: int, offset: int = 0) -> tuple[list[RankedPaper], int]:
        with self.db.snapshot() as conn:
            rows = conn.all(
                f"SELECT {DAY}, {RANKED_COLUMNS} FROM library_papers l JOIN papers p ON p.id = l.paper_id "
                f"{SUBMITTER} WHERE l.user_id = ? AND NOT p.hidden "
                "ORDER BY l.saved_at DESC, p.id DESC LIMIT ? OFFSET ?",
                (user_id, limit, offset),
            )
            total = conn.value(
                "SELECT count(*) FROM library_papers l JOIN papers p ON p.id = l.paper_id "
                "WHERE l.user_id = ? AND NOT p.hidden",
                (user_id,),
            )
        return [ranked(self.d, r) for r in rows], total

    def save_papers(self, user_id: int, paper_ids: Sequence[str]) -> int:
        ids = list(dict.fromkeys(paper_ids))
        now = self.d.now()
        with self.db.transaction() as conn:
            before = conn.value("SELECT count(*) FROM library_papers WHERE user_id = ?", (user_id,))
            conn.executemany(
                "INSERT INTO library_papers (user_id, paper_id, saved_at) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [(user_id, pid, now) for pid in ids],
            )
            after = conn.value("SELECT count(*) FROM library_papers WHERE user_id = ?", (user_id,))
        return after - before

    def signals(self, user_id: int) -> Signals:
        return self.signals_of([user_id])[user_id]

    def signals_of(self, user_ids: Sequence[int]) -> dict[int, Signals]:
        # One statement per chunk of users: each source's ids with their time, newest first; a paper in
        # several of a user's collections counts once, at its latest addition.
        out = {
            uid: Signals(saved=[], upvoted=[], collected=[], not_interested=[], read=[]) for uid in user_ids
        }
        columns = ("user_id", "user_id", "c.user_id", "user_id")
        chunks = zip(*(self.d.one_of(column, list(out)) for column in columns), strict=True)
        with self.db.snapshot() as conn:
            for (saved, sp), (voted, vp), (collected, cp), (marked, mp) in chunks:
                rows = conn.all(
                    "SELECT uid, kind, paper_id, happened FROM ("
                    "SELECT user_id AS uid, 'saved' AS kind, paper_id, saved_at AS happened "
                    f"FROM library_papers WHERE {saved} "
                    f"UNION ALL SELECT user_id, 'upvoted', paper_id, created_at FROM votes WHERE {voted} "
                    "UNION ALL SELECT c.user_id, 'collected', cp.paper_id, max(cp.added_at) "
                    "FROM collection_papers cp JOIN collections c ON c.id = cp.collection_id "
                    f"WHERE {collected} GROUP BY c.user_id, cp.paper_id "
                    f"UNION ALL SELECT user_id, mark, paper_id, marked_at FROM paper_marks WHERE {marked}"
                    f") signals ORDER BY uid, happened DESC, paper_id{self.d.bytewise} DESC",
                    (*sp, *vp, *cp, *mp),
                )
                for uid, kind, paper_id, _at in rows:
                    getattr(out[uid], kind).append(paper_id)
        return out
