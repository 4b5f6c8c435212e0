"""SQLiteStore's hub half: users, sign-in, sessions, votes, comments, submissions, listings, limits."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime

from paperwire.comments import RENDERER_VERSION, Comment, render_markdown
from paperwire.daily import RankedPaper, Submission
from paperwire.papers import Paper
from paperwire.storage.base import chunked
from paperwire.storage.hub import HubStore, NotFound, PaperActivity
from paperwire.storage.sqlite_rows import PAPER_COLUMNS, as_date, as_datetime, iso, now_text, paper_from_row
from paperwire.users import MAX_USERNAME_CHARS, User, username_base

_USER = "SELECT id, email, username, is_admin, created_at FROM users"
_COMMENT = (
    "SELECT c.id, c.paper_id, c.user_id, u.username, c.body, c.created_at, c.hidden, c.html, c.renderer "
    "FROM comments c JOIN users u ON u.id = c.user_id"
)
_P = ", ".join(f"p.{c}" for c in PAPER_COLUMNS)
# A listing row: the paper, its figures and its submission. `{day}` is the day the listing knows it by.
_RANKED_COLUMNS = f"p.upvotes, p.num_comments, u.username, s.submitted_at, {_P}"
_SUBMITTER = "LEFT JOIN submissions s ON s.paper_id = p.id LEFT JOIN users u ON u.id = s.user_id"
_RANKED = f"SELECT {{day}}, {_RANKED_COLUMNS} FROM papers p {_SUBMITTER}"
# Every paper's days on the hub: announced by arXiv, submitted here, or featured by Hugging Face.
_DAYS = (
    "SELECT id, announced AS day FROM papers WHERE announced BETWEEN :start AND :end "
    "UNION ALL SELECT paper_id, day FROM submissions WHERE day BETWEEN :start AND :end "
    "UNION ALL SELECT paper_id, featured FROM hf_daily_papers WHERE featured BETWEEN :start AND :end"
)
_ORDERS = {"upvotes": "p.upvotes DESC, p.id DESC", "newest": "{day} DESC, p.id DESC"}
_IN_CHUNK = 500


def _user(row) -> User | None:
    return User(row[0], row[1], row[2], bool(row[3]), as_datetime(row[4])) if row else None


def _comment(row) -> Comment:
    rendered = row[7] if row[8] == RENDERER_VERSION else None  # an older renderer's: rendered on reading
    return Comment(row[0], row[1], row[2], row[3], row[4], as_datetime(row[5]), bool(row[6]), rendered)


def _ranked(row) -> RankedPaper:
    day, upvotes, num_comments, username, submitted_at = row[:5]
    return RankedPaper(
        paper_from_row(row[5:], []),
        as_date(day),
        upvotes,
        num_comments,
        username,
        as_datetime(submitted_at),
    )


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


class SQLiteHub(HubStore):
    """Mixed into SQLiteStore, whose _transaction, _snapshot and _reader it uses."""

    # -- users, sign-in and sessions --------------------------------------------------------

    def get_or_create_user(self, email: str) -> User:
        found = self.find_user(email=email)
        if found:
            return found
        base = username_base(email)
        with self._transaction() as conn:
            row = conn.execute(f"{_USER} WHERE email = ?", (email,)).fetchone()
            if row:  # created by another process a moment ago
                return _user(row)
            taken = {
                r[0] for r in conn.execute("SELECT username FROM users WHERE username LIKE ?", (base + "%",))
            }
            username = base
            n = 1
            while username in taken:
                n += 1
                username = f"{base[: MAX_USERNAME_CHARS - len(str(n)) - 1]}-{n}"
            conn.execute(
                "INSERT INTO users (email, username, is_admin, created_at) VALUES (?, ?, 0, ?)",
                (email, username, now_text()),
            )
            return _user(conn.execute(f"{_USER} WHERE email = ?", (email,)).fetchone())

    def get_user(self, user_id: int) -> User | None:
        return _user(self._reader().execute(f"{_USER} WHERE id = ?", (user_id,)).fetchone())

    def find_user(self, *, email: str | None = None, username: str | None = None) -> User | None:
        column, value = ("email", email) if email is not None else ("username", username)
        return _user(self._reader().execute(f"{_USER} WHERE {column} = ?", (value,)).fetchone())

    def set_admin(self, user_id: int, is_admin: bool) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE users SET is_admin = ? WHERE id = ?", (int(is_admin), user_id))

    def admins(self) -> list[User]:
        return [_user(r) for r in self._reader().execute(f"{_USER} WHERE is_admin ORDER BY username")]

    def save_signin_token(self, nonce: str, email: str, expires_at: datetime) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO signin_tokens (nonce, email, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (nonce, email, now_text(), _stamp(expires_at)),
            )

    def use_signin_token(self, nonce: str, now: datetime) -> str | None:
        with self._transaction() as conn:
            row = conn.execute(
                "UPDATE signin_tokens SET used_at = ? WHERE nonce = ? AND used_at IS NULL AND expires_at > ? "
                "RETURNING email",
                (_stamp(now), nonce, _stamp(now)),
            ).fetchone()
            # Expired, never-used tokens are of no use to anyone: clear them while here.
            conn.execute("DELETE FROM signin_tokens WHERE expires_at < ?", (_stamp(now),))
        return row[0] if row else None

    def create_session(self, token_hash: str, user_id: int, expires_at: datetime) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (token_hash, user_id, now_text(), _stamp(expires_at)),
            )

    def session_user(self, token_hash: str, now: datetime) -> User | None:
        row = (
            self._reader()
            .execute(
                "SELECT u.id, u.email, u.username, u.is_admin, u.created_at FROM sessions s "
                "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
                (token_hash, _stamp(now)),
            )
            .fetchone()
        )
        return _user(row)

    def delete_session(self, token_hash: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    # -- votes, comments, submissions, moderation -----------------------------------------------

    def set_vote(self, user_id: int, paper_id: str, up: bool) -> int:
        with self._transaction() as conn:
            self._require_paper(conn, paper_id)
            if up:
                changed = conn.execute(
                    "INSERT INTO votes (user_id, paper_id, created_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (user_id, paper_id, now_text()),
                ).rowcount
            else:
                changed = conn.execute(
                    "DELETE FROM votes WHERE user_id = ? AND paper_id = ?", (user_id, paper_id)
                ).rowcount
            if changed:
                conn.execute(
                    "UPDATE papers SET upvotes = upvotes + ? WHERE id = ?", (1 if up else -1, paper_id)
                )
                self._bump(conn)
            return conn.execute("SELECT upvotes FROM papers WHERE id = ?", (paper_id,)).fetchone()[0]

    def voted(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        conn = self._reader()
        for chunk in chunked(list(paper_ids), _IN_CHUNK):
            marks = ", ".join("?" * len(chunk))
            found.update(
                r[0]
                for r in conn.execute(
                    f"SELECT paper_id FROM votes WHERE user_id = ? AND paper_id IN ({marks})",
                    (user_id, *chunk),
                )
            )
        return found

    def add_comment(self, paper_id: str, user_id: int, body: str) -> Comment:
        html = render_markdown(body)  # once, here, and outside the write transaction
        with self._transaction() as conn:
            self._require_paper(conn, paper_id)
            comment_id = conn.execute(
                "INSERT INTO comments (paper_id, user_id, body, hidden, created_at, html, renderer) "
                "VALUES (?, ?, ?, 0, ?, ?, ?)",
                (paper_id, user_id, body, now_text(), html, RENDERER_VERSION),
            ).lastrowid
            conn.execute("UPDATE papers SET num_comments = num_comments + 1 WHERE id = ?", (paper_id,))
            self._bump(conn)
            return _comment(conn.execute(f"{_COMMENT} WHERE c.id = ?", (comment_id,)).fetchone())

    def get_comment(self, comment_id: int) -> Comment | None:
        row = self._reader().execute(f"{_COMMENT} WHERE c.id = ?", (comment_id,)).fetchone()
        return _comment(row) if row else None

    def delete_comment(self, comment_id: int) -> None:
        with self._transaction() as conn:
            row = conn.execute(
                "DELETE FROM comments WHERE id = ? RETURNING paper_id, hidden", (comment_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no comment {comment_id}")
            if not row[1]:
                conn.execute("UPDATE papers SET num_comments = num_comments - 1 WHERE id = ?", (row[0],))
            self._bump(conn)

    def set_comment_hidden(self, comment_id: int, hidden: bool) -> None:
        with self._transaction() as conn:
            row = conn.execute("SELECT paper_id, hidden FROM comments WHERE id = ?", (comment_id,)).fetchone()
            if row is None:
                raise NotFound(f"no comment {comment_id}")
            if bool(row[1]) != hidden:
                conn.execute("UPDATE comments SET hidden = ? WHERE id = ?", (int(hidden), comment_id))
                conn.execute(
                    "UPDATE papers SET num_comments = num_comments + ? WHERE id = ?",
                    (-1 if hidden else 1, row[0]),
                )
            self._bump(conn)

    def paper_comments(self, paper_id: str, include_hidden: bool = False) -> list[Comment]:
        rows = self._reader().execute(
            f"{_COMMENT} WHERE c.paper_id = ? AND (? OR NOT c.hidden) ORDER BY c.id",
            (paper_id, include_hidden),
        )
        return [_comment(r) for r in rows]

    def add_submission(self, paper_id: str, user_id: int, day: date) -> tuple[Submission, bool]:
        with self._transaction() as conn:
            self._require_paper(conn, paper_id)
            created = conn.execute(
                "INSERT INTO submissions (paper_id, user_id, day, submitted_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (paper_id, user_id, iso(day), now_text()),
            ).rowcount
            if created:
                self._bump(conn)
            row = conn.execute(
                "SELECT s.paper_id, u.username, s.day, s.submitted_at FROM submissions s "
                "JOIN users u ON u.id = s.user_id WHERE s.paper_id = ?",
                (paper_id,),
            ).fetchone()
        return Submission(row[0], row[1], as_date(row[2]), as_datetime(row[3])), bool(created)

    def set_paper_hidden(self, paper_id: str, hidden: bool) -> None:
        with self._transaction() as conn:
            self._require_paper(conn, paper_id)
            conn.execute("UPDATE papers SET hidden = ? WHERE id = ?", (int(hidden), paper_id))
            self._bump(conn)

    def paper_activity(self, paper_id: str) -> PaperActivity:
        with self._snapshot() as conn:
            row = conn.execute(
                "SELECT upvotes, num_comments, hidden FROM papers WHERE id = ?", (paper_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no paper {paper_id}")
            sub = conn.execute(
                "SELECT s.paper_id, u.username, s.day, s.submitted_at FROM submissions s "
                "JOIN users u ON u.id = s.user_id WHERE s.paper_id = ?",
                (paper_id,),
            ).fetchone()
        submission = Submission(sub[0], sub[1], as_date(sub[2]), as_datetime(sub[3])) if sub else None
        return PaperActivity(row[0], row[1], bool(row[2]), submission)

    def hidden_papers(self, paper_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        conn = self._reader()
        for chunk in chunked(list(paper_ids), _IN_CHUNK):
            marks = ", ".join("?" * len(chunk))
            found.update(
                r[0] for r in conn.execute(f"SELECT id FROM papers WHERE hidden AND id IN ({marks})", chunk)
            )
        return found

    # -- a user's own activity ------------------------------------------------------------------

    def user_votes(self, user_id: int, limit: int = 100) -> list[Paper]:
        rows = self._reader().execute(
            f"SELECT {_P} FROM votes v JOIN papers p ON p.id = v.paper_id WHERE v.user_id = ? "
            "ORDER BY v.created_at DESC, p.id DESC LIMIT ?",
            (user_id, limit),
        )
        return [paper_from_row(r, []) for r in rows]

    def user_comments(self, user_id: int, limit: int = 100) -> list[Comment]:
        rows = self._reader().execute(
            f"{_COMMENT} WHERE c.user_id = ? ORDER BY c.id DESC LIMIT ?", (user_id, limit)
        )
        return [_comment(r) for r in rows]

    def user_submissions(self, user_id: int, limit: int = 100) -> list[RankedPaper]:
        rows = self._reader().execute(
            f"{_RANKED.format(day='s.day')} WHERE s.user_id = ? ORDER BY s.submitted_at DESC LIMIT ?",
            (user_id, limit),
        )
        return [_ranked(r) for r in rows]

    # -- listings -------------------------------------------------------------------------------

    def day_papers(
        self,
        start: date,
        end: date,
        *,
        submitter: str | None = None,
        order: str = "upvotes",
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[RankedPaper], int]:
        if order not in _ORDERS:
            raise ValueError(f"unknown order {order!r}")
        # Rank the light (id, day, upvotes) rows first, then read the full rows of one page only.
        ranked = (
            f"WITH d AS (SELECT id, min(day) AS day FROM ({_DAYS}) GROUP BY id), "
            "r AS (SELECT d.id, d.day FROM d JOIN papers p ON p.id = d.id "
            "LEFT JOIN submissions s ON s.paper_id = p.id LEFT JOIN users u ON u.id = s.user_id "
            "WHERE NOT p.hidden AND (:submitter IS NULL OR u.username = :submitter)) "
        )
        page = (
            f"{ranked}, pg AS (SELECT r.id, r.day FROM r JOIN papers p ON p.id = r.id "
            f"ORDER BY {_ORDERS[order].format(day='r.day')} LIMIT :limit OFFSET :offset) "
            f"SELECT pg.day, {_RANKED_COLUMNS} FROM pg JOIN papers p ON p.id = pg.id {_SUBMITTER} "
            f"ORDER BY {_ORDERS[order].format(day='pg.day')}"
        )
        params = {
            "start": iso(start),
            "end": iso(end),
            "submitter": submitter,
            "limit": limit,
            "offset": offset,
        }
        with self._snapshot() as conn:
            rows = conn.execute(page, params).fetchall()
            total = conn.execute(f"{ranked} SELECT count(*) FROM r", params).fetchone()[0]
        return [_ranked(r) for r in rows], total

    def ranked_papers(self, paper_ids: Sequence[str]) -> list[RankedPaper]:
        found: dict[str, RankedPaper] = {}
        day = "coalesce(p.announced, s.day, p.published)"
        with self._snapshot() as conn:
            for chunk in chunked(list(dict.fromkeys(paper_ids)), _IN_CHUNK):
                marks = ", ".join("?" * len(chunk))
                for row in conn.execute(
                    f"{_RANKED.format(day=day)} WHERE p.id IN ({marks}) AND NOT p.hidden", chunk
                ):
                    found[row[5]] = _ranked(row)
        return [found[i] for i in paper_ids if i in found]

    def trending_candidates(self, since: date) -> list[tuple[str, date, int]]:
        params = {"start": iso(since), "end": "9999-12-31"}
        rows = self._reader().execute(
            f"WITH d AS (SELECT id, min(day) AS day FROM ({_DAYS}) GROUP BY id) "
            "SELECT p.id, d.day, p.upvotes FROM d JOIN papers p ON p.id = d.id WHERE NOT p.hidden",
            params,
        )
        return [(pid, as_date(day), upvotes) for pid, day, upvotes in rows]

    def neighbour_days(self, day: date) -> tuple[date | None, date | None]:
        d = iso(day)
        with self._snapshot() as conn:
            before = conn.execute(
                "SELECT max(day) FROM (SELECT max(announced) AS day FROM papers WHERE announced < :d "
                "UNION ALL SELECT max(day) FROM submissions WHERE day < :d "
                "UNION ALL SELECT max(featured) FROM hf_daily_papers WHERE featured < :d)",
                {"d": d},
            ).fetchone()[0]
            after = conn.execute(
                "SELECT min(day) FROM (SELECT min(announced) AS day FROM papers WHERE announced > :d "
                "UNION ALL SELECT min(day) FROM submissions WHERE day > :d "
                "UNION ALL SELECT min(featured) FROM hf_daily_papers WHERE featured > :d)",
                {"d": d},
            ).fetchone()[0]
        return as_date(before), as_date(after)

    def latest_day(self, until: date) -> date | None:
        row = (
            self._reader()
            .execute(
                "SELECT max(day) FROM (SELECT max(announced) AS day FROM papers WHERE announced <= :d "
                "UNION ALL SELECT max(day) FROM submissions WHERE day <= :d "
                "UNION ALL SELECT max(featured) FROM hf_daily_papers WHERE featured <= :d)",
                {"d": iso(until)},
            )
            .fetchone()
        )
        return as_date(row[0])

    def category_papers(self, category: str, limit: int, offset: int = 0) -> list[RankedPaper]:
        return self._newest(
            "EXISTS (SELECT 1 FROM json_each(p.categories) WHERE value = ?)", category, limit, offset
        )

    def count_category_papers(self, category: str) -> int:
        condition = "EXISTS (SELECT 1 FROM json_each(p.categories) WHERE value = ?)"
        sql = f"SELECT count(*) FROM papers p WHERE {condition} AND NOT p.hidden"
        return self._reader().execute(sql, (category,)).fetchone()[0]

    def author_papers(self, author: str, limit: int, offset: int = 0) -> list[RankedPaper]:
        return self._newest(
            "EXISTS (SELECT 1 FROM json_each(p.authors) WHERE value = ?)", author, limit, offset
        )

    def _newest(self, condition: str, value: str, limit: int, offset: int) -> list[RankedPaper]:
        # Walks papers newest first through the announced index and stops at `limit` matches.
        day = "coalesce(p.announced, p.published)"
        rows = self._reader().execute(
            f"{_RANKED.format(day=day)} WHERE {condition} AND NOT p.hidden "
            f"ORDER BY {day} DESC NULLS LAST, p.id DESC LIMIT ? OFFSET ?",
            (value, limit, offset),
        )
        return [_ranked(r) for r in rows]

    # -- shared state ---------------------------------------------------------------------------

    def hit_rate_limit(self, key: str, window_seconds: int, limit: int, now: datetime) -> bool:
        window = int(now.timestamp()) // window_seconds * window_seconds
        with self._transaction() as conn:
            hits = conn.execute(
                'INSERT INTO rate_limits (key, "window", hits) VALUES (?, ?, 1) '
                'ON CONFLICT (key, "window") DO UPDATE SET hits = hits + 1 RETURNING hits',
                (key, window),
            ).fetchone()[0]
            if hits == 1:  # a new window: forget this key's old ones
                conn.execute('DELETE FROM rate_limits WHERE key = ? AND "window" < ?', (key, window))
        return hits <= limit

    def community_version(self) -> int:
        row = self._reader().execute("SELECT value FROM hub_counters WHERE name = 'community'").fetchone()
        return row[0] if row else 0

    # -- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO hub_counters (name, value) VALUES ('community', 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1"
        )

    @staticmethod
    def _require_paper(conn: sqlite3.Connection, paper_id: str) -> None:
        if not conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone():
            raise NotFound(f"no paper with id {paper_id!r}")
