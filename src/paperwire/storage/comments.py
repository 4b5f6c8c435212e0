"""Comments and their stored HTML: `store.comments`. Each paper keeps its visible comments' count in
`papers.num_comments`, moved with each comment."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from paperwire.models.comments import RENDERER_VERSION, Comment
from paperwire.storage.database import NotFound, Noun
from paperwire.storage.rows import require_paper

_COMMENT = (
    "SELECT c.id, c.paper_id, c.user_id, u.username, c.body, c.created_at, c.hidden, c.html, c.renderer "
    "FROM comments c JOIN users u ON u.id = c.user_id"
)


class Comments(ABC):
    @abstractmethod
    def add_comment(self, paper_id: str, user_id: int, body: str, html: str) -> Comment:
        """Stores the body and its HTML (rendered once, by the caller, with comments.render_markdown);
        NotFound if the paper does not exist."""

    @abstractmethod
    def rerender_comments(self, render: Callable[[str], str], batch: int = 500) -> int:
        """Render again, with `render`, the comments stored by an older renderer (RENDERER_VERSION);
        how many."""

    @abstractmethod
    def get_comment(self, comment_id: int) -> Comment | None: ...

    @abstractmethod
    def delete_comment(self, comment_id: int) -> None: ...

    @abstractmethod
    def set_comment_hidden(self, comment_id: int, hidden: bool) -> None: ...

    @abstractmethod
    def paper_comments(self, paper_id: str, include_hidden: bool = False) -> list[Comment]:
        """Oldest first."""

    @abstractmethod
    def user_comments(self, user_id: int, limit: int = 100) -> list[Comment]:
        """The user's comments, newest first, hidden ones included (they are the author's)."""


class CommentsSQL(Noun, Comments):
    def _comment(self, row) -> Comment:
        rendered = row[7] if row[8] == RENDERER_VERSION else None  # an older renderer's: rendered on reading
        return Comment(row[0], row[1], row[2], row[3], row[4], self.d.time_of(row[5]), bool(row[6]), rendered)

    def add_comment(self, paper_id: str, user_id: int, body: str, html: str) -> Comment:
        with self.db.transaction() as conn:
            require_paper(conn, paper_id)
            comment_id = conn.value(
                "INSERT INTO comments (paper_id, user_id, body, hidden, created_at, html, renderer) "
                "VALUES (?, ?, ?, false, ?, ?, ?) RETURNING id",
                (paper_id, user_id, body, self.d.now(), html, RENDERER_VERSION),
            )
            conn.execute("UPDATE papers SET num_comments = num_comments + 1 WHERE id = ?", (paper_id,))
            self.db.bump(conn)
            return self._comment(conn.one(f"{_COMMENT} WHERE c.id = ?", (comment_id,)))

    def rerender_comments(self, render: Callable[[str], str], batch: int = 500) -> int:
        done, after = 0, 0
        while True:
            with self.db.snapshot() as conn:
                rows = conn.all(
                    "SELECT id, body FROM comments WHERE id > ? AND (renderer <> ? OR html IS NULL) "
                    "ORDER BY id LIMIT ?",
                    (after, RENDERER_VERSION, batch),
                )
            if not rows:
                return done
            # Rendered outside the write transaction: a long comment takes a while, writers should not wait.
            updates = [(render(body), RENDERER_VERSION, cid) for cid, body in rows]
            with self.db.transaction() as conn:
                for update in updates:
                    conn.execute("UPDATE comments SET html = ?, renderer = ? WHERE id = ?", update)
            done, after = done + len(rows), rows[-1][0]

    def get_comment(self, comment_id: int) -> Comment | None:
        with self.db.read() as conn:
            row = conn.one(f"{_COMMENT} WHERE c.id = ?", (comment_id,))
        return self._comment(row) if row else None

    def delete_comment(self, comment_id: int) -> None:
        with self.db.transaction() as conn:
            row = conn.one("DELETE FROM comments WHERE id = ? RETURNING paper_id, hidden", (comment_id,))
            if row is None:
                raise NotFound(f"no comment {comment_id}")
            if not row[1]:
                conn.execute("UPDATE papers SET num_comments = num_comments - 1 WHERE id = ?", (row[0],))
            self.db.bump(conn)

    def set_comment_hidden(self, comment_id: int, hidden: bool) -> None:
        with self.db.transaction() as conn:
            row = conn.one(
                f"SELECT paper_id, hidden FROM comments WHERE id = ?{self.d.for_update}", (comment_id,)
            )
            if row is None:
                raise NotFound(f"no comment {comment_id}")
            if bool(row[1]) != hidden:
                conn.execute("UPDATE comments SET hidden = ? WHERE id = ?", (bool(hidden), comment_id))
                conn.execute(
                    "UPDATE papers SET num_comments = num_comments + ? WHERE id = ?",
                    (-1 if hidden else 1, row[0]),
                )
            self.db.bump(conn)

    def paper_comments(self, paper_id: str, include_hidden: bool = False) -> list[Comment]:
        with self.db.read() as conn:
            rows = conn.all(
                f"{_COMMENT} WHERE c.paper_id = ? AND (? OR NOT c.hidden) ORDER BY c.id",
                (paper_id, bool(include_hidden)),
            )
        return [self._comment(r) for r in rows]

    def user_comments(self, user_id: int, limit: int = 100) -> list[Comment]:
        with self.db.read() as conn:
            rows = conn.all(f"{_COMMENT} WHERE c.user_id = ? ORDER BY c.id DESC LIMIT ?", (user_id, limit))
        return [self._comment(r) for r in rows]
