"""Comments' stored HTML, in SQL both databases speak: render again what an older renderer stored."""

from __future__ import annotations

from paperwire.comments import RENDERER_VERSION, render_markdown


class CommentsSQL:
    """Mixed into each store, whose _snapshot() and _transaction() it uses; `_q` spells parameters."""

    @staticmethod
    def _q(sql: str) -> str:
        return sql

    def rerender_comments(self, batch: int = 500) -> int:
        done, after = 0, 0
        while True:
            with self._snapshot() as conn:
                rows = conn.execute(
                    self._q(
                        "SELECT id, body FROM comments WHERE id > ? AND (renderer <> ? OR html IS NULL) "
                        "ORDER BY id LIMIT ?"
                    ),
                    (after, RENDERER_VERSION, batch),
                ).fetchall()
            if not rows:
                return done
            # Rendered outside the write transaction: a long comment takes a while, writers should not wait.
            updates = [(render_markdown(body), RENDERER_VERSION, cid) for cid, body in rows]
            with self._transaction() as conn:
                for update in updates:
                    conn.execute(self._q("UPDATE comments SET html = ?, renderer = ? WHERE id = ?"), update)
            done, after = done + len(rows), rows[-1][0]


class SQLiteComments(CommentsSQL):
    pass


class PostgresComments(CommentsSQL):
    @staticmethod
    def _q(sql: str) -> str:
        return sql.replace("?", "%s")
