"""PostgresStore's hub half: users, sign-in, sessions, votes, comments, submissions, listings, limits.

The same statements as SQLiteHub's in PostgreSQL's dialect: %(name)s parameters, real booleans,
dates and timestamps, and json_array_elements_text for the authors and categories lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import psycopg

from paperwire.comments import RENDERER_VERSION, Comment, render_markdown
from paperwire.daily import RankedPaper, Submission
from paperwire.papers import Paper
from paperwire.storage.hub import HubStore, NotFound, PaperActivity
from paperwire.storage.postgres_rows import naive_utc, now, paper_from_row, utc
from paperwire.storage.sqlite_rows import PAPER_COLUMNS
from paperwire.users import MAX_USERNAME_CHARS, User, username_base

_USER = "SELECT id, email, username, is_admin, created_at FROM users"
_COMMENT = (
    "SELECT c.id, c.paper_id, c.user_id, u.username, c.body, c.created_at, c.hidden, c.html, c.renderer "
    "FROM comments c JOIN users u ON u.id = c.user_id"
)
_P = ", ".join(f"p.{c}" for c in PAPER_COLUMNS)
_RANKED_COLUMNS = f"p.upvotes, p.num_comments, u.username, s.submitted_at, {_P}"
_SUBMITTER = "LEFT JOIN submissions s ON s.paper_id = p.id LEFT JOIN users u ON u.id = s.user_id"
_RANKED = f"SELECT {{day}}, {_RANKED_COLUMNS} FROM papers p {_SUBMITTER}"
_DAYS = (
    "SELECT id, announced AS day FROM papers WHERE announced BETWEEN %(start)s AND %(end)s "
    "UNION ALL SELECT paper_id, day FROM submissions WHERE day BETWEEN %(start)s AND %(end)s "
    "UNION ALL SELECT paper_id, featured FROM hf_daily_papers WHERE featured BETWEEN %(start)s AND %(end)s"
)
_ORDERS = {"upvotes": "p.upvotes DESC, p.id DESC", "newest": "{day} DESC, p.id DESC"}


def _user(row) -> User | None:
    return User(row[0], row[1], row[2], bool(row[3]), utc(row[4])) if row else None


def _comment(row) -> Comment:
    rendered = row[7] if row[8] == RENDERER_VERSION else None  # an older renderer's: rendered on reading
    return Comment(row[0], row[1], row[2], row[3], row[4], utc(row[5]), bool(row[6]), rendered)


def _ranked(row) -> RankedPaper:
    day, upvotes, num_comments, username, submitted_at = row[:5]
    return RankedPaper(paper_from_row(row[5:], []), day, upvotes, num_comments, username, utc(submitted_at))


class PostgresHub(HubStore):
    """Mixed into PostgresStore, whose _transaction, _snapshot, _one and _all it uses."""

    # -- users, sign-in and sessions --------------------------------------------------------

    def get_or_create_user(self, email: str) -> User:
        found = self.find_user(email=email)
        if found:
            return found
        base = username_base(email)
        with self._transaction() as conn:
            # Serialise account creation so that two new users never pick the same free username.
            conn.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
            row = conn.execute(f"{_USER} WHERE email = %s", (email,)).fetchone()
            if row:
                return _user(row)
            taken = {
                r[0] for r in conn.execute("SELECT username FROM users WHERE username LIKE %s", (base + "%",))
            }
            username, n = base, 1
            while username in taken:
                n += 1
                username = f"{base[: MAX_USERNAME_CHARS - len(str(n)) - 1]}-{n}"
            row = conn.execute(
                "INSERT INTO users (email, username, is_admin, created_at) VALUES (%s, %s, false, %s) "
                "RETURNING id, email, username, is_admin, created_at",
                (email, username, now()),
            ).fetchone()
            return _user(row)

    def get_user(self, user_id: int) -> User | None:
        return _user(self._one(f"{_USER} WHERE id = %s", (user_id,)))

    def find_user(self, *, email: str | None = None, username: str | None = None) -> User | None:
        column, value = ("email", email) if email is not None else ("username", username)
        return _user(self._one(f"{_USER} WHERE {column} = %s", (value,)))

    def set_admin(self, user_id: int, is_admin: bool) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE users SET is_admin = %s WHERE id = %s", (is_admin, user_id))

    def admins(self) -> list[User]:
        return [_user(r) for r in self._all(f"{_USER} WHERE is_admin ORDER BY username")]

    def save_signin_token(self, nonce: str, email: str, expires_at: datetime) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO signin_tokens (nonce, email, created_at, expires_at) VALUES (%s, %s, %s, %s)",
                (nonce, email, now(), naive_utc(expires_at)),
            )

    def use_signin_token(self, nonce: str, now_: datetime) -> str | None:
        moment = naive_utc(now_)
        with self._transaction() as conn:
            row = conn.execute(
                "UPDATE signin_tokens SET used_at = %s "
                "WHERE nonce = %s AND used_at IS NULL AND expires_at > %s RETURNING email",
                (moment, nonce, moment),
            ).fetchone()
            conn.execute("DELETE FROM signin_tokens WHERE expires_at < %s", (moment,))
        return row[0] if row else None

    def create_session(self, token_hash: str, user_id: int, expires_at: datetime) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (%s, %s, %s, %s)",
                (token_hash, user_id, now(), naive_utc(expires_at)),
            )

    def session_user(self, token_hash: str, now_: datetime) -> User | None:
        row = self._one(
            "SELECT u.id, u.email, u.username, u.is_admin, u.created_at FROM sessions s "
            "JOIN users u ON u.id = s.user_id WHERE s.token_hash = %s AND s.expires_at > %s",
            (token_hash, naive_utc(now_)),
        )
        return _user(row)

    def delete_session(self, token_hash: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = %s", (token_hash,))

    # -- votes, comments, submissions, moderation -----------------------------------------------

    def set_vote(self, user_id: int, paper_id: str, up: bool) -> int:
        with self._transaction() as conn:
            _require_paper(conn, paper_id)
            if up:
                changed = conn.execute(
                    "INSERT INTO votes (user_id, paper_id, created_at) VALUES (%s, %s, %s) "
                    "ON CONFLICT DO NOTHING",
                    (user_id, paper_id, now()),
                ).rowcount
            else:
                changed = conn.execute(
                    "DELETE FROM votes WHERE user_id = %s AND paper_id = %s", (user_id, paper_id)
                ).rowcount
            if changed:
                conn.execute(
                    "UPDATE papers SET upvotes = upvotes + %s WHERE id = %s", (1 if up else -1, paper_id)
                )
                _bump(conn)
            return conn.execute("SELECT upvotes FROM papers WHERE id = %s", (paper_id,)).fetchone()[0]

    def voted(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        rows = self._all(
            "SELECT paper_id FROM votes WHERE user_id = %s AND paper_id = ANY(%s)", (user_id, list(paper_ids))
        )
        return {r[0] for r in rows}

    def add_comment(self, paper_id: str, user_id: int, body: str) -> Comment:
        html = render_markdown(body)  # once, here, and outside the write transaction
        with self._transaction() as conn:
            _require_paper(conn, paper_id)
            comment_id = conn.execute(
                "INSERT INTO comments (paper_id, user_id, body, hidden, created_at, html, renderer) "
                "VALUES (%s, %s, %s, false, %s, %s, %s) RETURNING id",
                (paper_id, user_id, body, now(), html, RENDERER_VERSION),
            ).fetchone()[0]
            conn.execute("UPDATE papers SET num_comments = num_comments + 1 WHERE id = %s", (paper_id,))
            _bump(conn)
            return _comment(conn.execute(f"{_COMMENT} WHERE c.id = %s", (comment_id,)).fetchone())

    def get_comment(self, comment_id: int) -> Comment | None:
        row = self._one(f"{_COMMENT} WHERE c.id = %s", (comment_id,))
        return _comment(row) if row else None

    def delete_comment(self, comment_id: int) -> None:
        with self._transaction() as conn:
            row = conn.execute(
                "DELETE FROM comments WHERE id = %s RETURNING paper_id, hidden", (comment_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no comment {comment_id}")
            if not row[1]:
                conn.execute("UPDATE papers SET num_comments = num_comments - 1 WHERE id = %s", (row[0],))
            _bump(conn)

    def set_comment_hidden(self, comment_id: int, hidden: bool) -> None:
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT paper_id, hidden FROM comments WHERE id = %s FOR UPDATE", (comment_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no comment {comment_id}")
            if bool(row[1]) != hidden:
                conn.execute("UPDATE comments SET hidden = %s WHERE id = %s", (hidden, comment_id))
                conn.execute(
                    "UPDATE papers SET num_comments = num_comments + %s WHERE id = %s",
                    (-1 if hidden else 1, row[0]),
                )
            _bump(conn)

    def paper_comments(self, paper_id: str, include_hidden: bool = False) -> list[Comment]:
        rows = self._all(
            f"{_COMMENT} WHERE c.paper_id = %s AND (%s OR NOT c.hidden) ORDER BY c.id",
            (paper_id, include_hidden),
        )
        return [_comment(r) for r in rows]

    def add_submission(self, paper_id: str, user_id: int, day: date) -> tuple[Submission, bool]:
        with self._transaction() as conn:
            _require_paper(conn, paper_id)
            created = conn.execute(
                "INSERT INTO submissions (paper_id, user_id, day, submitted_at) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT DO NOTHING",
                (paper_id, user_id, day, now()),
            ).rowcount
            if created:
                _bump(conn)
            row = conn.execute(
                "SELECT s.paper_id, u.username, s.day, s.submitted_at FROM submissions s "
                "JOIN users u ON u.id = s.user_id WHERE s.paper_id = %s",
                (paper_id,),
            ).fetchone()
        return Submission(row[0], row[1], row[2], utc(row[3])), bool(created)

    def set_paper_hidden(self, paper_id: str, hidden: bool) -> None:
        with self._transaction() as conn:
            _require_paper(conn, paper_id)
            conn.execute("UPDATE papers SET hidden = %s WHERE id = %s", (hidden, paper_id))
            _bump(conn)

    def paper_activity(self, paper_id: str) -> PaperActivity:
        with self._snapshot() as conn:
            row = conn.execute(
                "SELECT upvotes, num_comments, hidden FROM papers WHERE id = %s", (paper_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no paper {paper_id}")
            sub = conn.execute(
                "SELECT s.paper_id, u.username, s.day, s.submitted_at FROM submissions s "
                "JOIN users u ON u.id = s.user_id WHERE s.paper_id = %s",
                (paper_id,),
            ).fetchone()
        submission = Submission(sub[0], sub[1], sub[2], utc(sub[3])) if sub else None
        return PaperActivity(row[0], row[1], bool(row[2]), submission)

    def hidden_papers(self, paper_ids: Sequence[str]) -> set[str]:
        return {
            r[0] for r in self._all("SELECT id FROM papers WHERE hidden AND id = ANY(%s)", (list(paper_ids),))
        }

    # -- a user's own activity ------------------------------------------------------------------

    def user_votes(self, user_id: int, limit: int = 100) -> list[Paper]:
        rows = self._all(
            f"SELECT {_P} FROM votes v JOIN papers p ON p.id = v.paper_id WHERE v.user_id = %s "
            "ORDER BY v.created_at DESC, p.id DESC LIMIT %s",
            (user_id, limit),
        )
        return [paper_from_row(r, []) for r in rows]

    def user_comments(self, user_id: int, limit: int = 100) -> list[Comment]:
        rows = self._all(f"{_COMMENT} WHERE c.user_id = %s ORDER BY c.id DESC LIMIT %s", (user_id, limit))
        return [_comment(r) for r in rows]

    def user_submissions(self, user_id: int, limit: int = 100) -> list[RankedPaper]:
        rows = self._all(
            f"{_RANKED.format(day='s.day')} WHERE s.user_id = %s ORDER BY s.submitted_at DESC LIMIT %s",
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
        ranked = (
            f"WITH d AS (SELECT id, min(day) AS day FROM ({_DAYS}) AS days GROUP BY id), "
            "r AS (SELECT d.id, d.day FROM d JOIN papers p ON p.id = d.id "
            "LEFT JOIN submissions s ON s.paper_id = p.id LEFT JOIN users u ON u.id = s.user_id "
            "WHERE NOT p.hidden AND (%(submitter)s::text IS NULL OR u.username = %(submitter)s)) "
        )
        page = (
            f"{ranked}, pg AS (SELECT r.id, r.day FROM r JOIN papers p ON p.id = r.id "
            f"ORDER BY {_ORDERS[order].format(day='r.day')} LIMIT %(limit)s OFFSET %(offset)s) "
            f"SELECT pg.day, {_RANKED_COLUMNS} FROM pg JOIN papers p ON p.id = pg.id {_SUBMITTER} "
            f"ORDER BY {_ORDERS[order].format(day='pg.day')}"
        )
        params = {"start": start, "end": end, "submitter": submitter, "limit": limit, "offset": offset}
        with self._snapshot() as conn:
            rows = conn.execute(page, params).fetchall()
            total = conn.execute(f"{ranked} SELECT count(*) FROM r", params).fetchone()[0]
        return [_ranked(r) for r in rows], total

    def ranked_papers(self, paper_ids: Sequence[str]) -> list[RankedPaper]:
        day = "coalesce(p.announced, s.day, p.published)"
        rows = self._all(
            f"{_RANKED.format(day=day)} WHERE p.id = ANY(%s) AND NOT p.hidden",
            (list(dict.fromkeys(paper_ids)),),
        )
        found = {row[5]: _ranked(row) for row in rows}
        return [found[i] for i in paper_ids if i in found]

    def trending_candidates(self, since: date) -> list[tuple[str, date, int]]:
        rows = self._all(
            f"WITH d AS (SELECT id, min(day) AS day FROM ({_DAYS}) AS days GROUP BY id) "
            "SELECT p.id, d.day, p.upvotes FROM d JOIN papers p ON p.id = d.id WHERE NOT p.hidden",
            {"start": since, "end": date(9999, 12, 31)},
        )
        return [(pid, day, upvotes) for pid, day, upvotes in rows]

    def neighbour_days(self, day: date) -> tuple[date | None, date | None]:
        with self._snapshot() as conn:
            before = conn.execute(
                "SELECT greatest((SELECT max(announced) FROM papers WHERE announced < %(d)s), "
                "(SELECT max(day) FROM submissions WHERE day < %(d)s), "
                "(SELECT max(featured) FROM hf_daily_papers WHERE featured < %(d)s))",
                {"d": day},
            ).fetchone()[0]
            after = conn.execute(
                "SELECT least((SELECT min(announced) FROM papers WHERE announced > %(d)s), "
                "(SELECT min(day) FROM submissions WHERE day > %(d)s), "
                "(SELECT min(featured) FROM hf_daily_papers WHERE featured > %(d)s))",
                {"d": day},
            ).fetchone()[0]
        return before, after

    def latest_day(self, until: date) -> date | None:
        return self._one(
            "SELECT greatest((SELECT max(announced) FROM papers WHERE announced <= %(d)s), "
            "(SELECT max(day) FROM submissions WHERE day <= %(d)s), "
            "(SELECT max(featured) FROM hf_daily_papers WHERE featured <= %(d)s))",
            {"d": until},
        )[0]

    def category_papers(self, category: str, limit: int, offset: int = 0) -> list[RankedPaper]:
        condition = "EXISTS (SELECT 1 FROM json_array_elements_text(p.categories) AS c WHERE c = %s)"
        return self._newest(condition, category, limit, offset)

    def count_category_papers(self, category: str) -> int:
        condition = "EXISTS (SELECT 1 FROM json_array_elements_text(p.categories) AS c WHERE c = %s)"
        return self._all(f"SELECT count(*) FROM papers p WHERE {condition} AND NOT p.hidden", (category,))[0][
            0
        ]

    def author_papers(self, author: str, limit: int, offset: int = 0) -> list[RankedPaper]:
        condition = "EXISTS (SELECT 1 FROM json_array_elements_text(p.authors) AS a WHERE a = %s)"
        return self._newest(condition, author, limit, offset)

    def _newest(self, condition: str, value: str, limit: int, offset: int) -> list[RankedPaper]:
        day = "coalesce(p.announced, p.published)"
        rows = self._all(
            f"{_RANKED.format(day=day)} WHERE {condition} AND NOT p.hidden "
            f"ORDER BY {day} DESC NULLS LAST, p.id DESC LIMIT %s OFFSET %s",
            (value, limit, offset),
        )
        return [_ranked(r) for r in rows]

    # -- shared state ---------------------------------------------------------------------------

    def hit_rate_limit(self, key: str, window_seconds: int, limit: int, now_: datetime) -> bool:
        window = int(now_.timestamp()) // window_seconds * window_seconds
        with self._transaction() as conn:
            hits = conn.execute(
                'INSERT INTO rate_limits (key, "window", hits) VALUES (%s, %s, 1) '
                'ON CONFLICT (key, "window") DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits',
                (key, window),
            ).fetchone()[0]
            if hits == 1:
                conn.execute('DELETE FROM rate_limits WHERE key = %s AND "window" < %s', (key, window))
        return hits <= limit

    def community_version(self) -> int:
        row = self._one("SELECT value FROM hub_counters WHERE name = 'community'")
        return row[0] if row else 0


def _bump(conn: psycopg.Connection) -> None:
    conn.execute(
        "INSERT INTO hub_counters (name, value) VALUES ('community', 1) "
        "ON CONFLICT (name) DO UPDATE SET value = hub_counters.value + 1"
    )


def _require_paper(conn: psycopg.Connection, paper_id: str) -> None:
    if not conn.execute("SELECT 1 FROM papers WHERE id = %s", (paper_id,)).fetchone():
        raise NotFound(f"no paper with id {paper_id!r}")
