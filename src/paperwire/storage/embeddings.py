"""Papers' embeddings and the search indexes' bookkeeping: `store.embeddings`. Each embedding records the
change seq of the paper it was computed from, so a paper changed since is embedded again."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from paperwire.models.embeddings import EmbeddingRow
from paperwire.models.papers import Paper
from paperwire.storage.database import Noun
from paperwire.storage.rows import PAPER_COLUMNS, paper_from_row

_EMBEDDING = "SELECT key, paper_id, seq, text_hash, vector FROM embeddings"
_STALE = "FROM papers p LEFT JOIN embeddings e ON e.paper_id = p.id WHERE (e.seq IS NULL OR e.seq < p.seq)"


class Embeddings(ABC):
    @abstractmethod
    def unembedded_papers(self, after: tuple[int, str], limit: int) -> list[tuple[int, Paper, str | None]]:
        """(seq, paper, stored text hash) for papers changed since their embedding (or never embedded)."""

    @abstractmethod
    def count_unembedded(self) -> int: ...

    @abstractmethod
    def save_embeddings(self, rows: Sequence[EmbeddingRow]) -> None:
        """Insert or replace embeddings in one transaction; a row without a vector only updates seq."""

    @abstractmethod
    def embeddings_since(self, after: tuple[int, int], limit: int) -> list[EmbeddingRow]:
        """Embeddings with (seq, key) > after, in that order."""

    @abstractmethod
    def embeddings_for(self, paper_ids: Sequence[str]) -> dict[str, EmbeddingRow]: ...

    @abstractmethod
    def vectors_for(self, paper_ids: Sequence[str]) -> dict[str, bytes]:
        """The stored vectors (float16 bytes) of those papers that have one: what a search rescores."""

    @abstractmethod
    def paper_ids_for_keys(self, keys: Sequence[int]) -> dict[int, str]: ...

    @abstractmethod
    def count_embeddings(self) -> int: ...

    @abstractmethod
    def clear_embeddings(self) -> None: ...

    @abstractmethod
    def get_search_meta(self, name: str) -> str | None: ...

    @abstractmethod
    def set_search_meta(self, name: str, value: str) -> None: ...


def _row(key, pid, seq, text_hash, vector) -> EmbeddingRow:
    return EmbeddingRow(paper_id=pid, seq=seq, text_hash=text_hash, vector=vector, key=key)


class EmbeddingsSQL(Noun, Embeddings):
    def unembedded_papers(self, after: tuple[int, str], limit: int) -> list[tuple[int, Paper, str | None]]:
        with self.db.read() as conn:
            rows = conn.all(
                f"SELECT p.seq, e.text_hash, {', '.join('p.' + c for c in PAPER_COLUMNS)} {_STALE} "
                "AND (p.seq, p.id) > (?, ?) ORDER BY p.seq, p.id LIMIT ?",
                (*after, limit),
            )
        return [(r[0], paper_from_row(self.d, r[2:], []), r[1]) for r in rows]

    def count_unembedded(self) -> int:
        with self.db.read() as conn:
            return conn.value(f"SELECT count(*) {_STALE}")

    def save_embeddings(self, rows: Sequence[EmbeddingRow]) -> None:
        new = [r for r in rows if r.vector is not None]
        columns, marks = "paper_id, seq, text_hash, vector", "?, ?, ?, ?"
        values = [(r.paper_id, r.seq, r.text_hash, r.vector) for r in new]
        if self.d.pgvector:  # and the halfvec copy that search inside PostgreSQL walks
            from paperwire.storage.postgres_vectors import halfvec

            columns, marks = f"{columns}, embedding", f"{marks}, CAST(? AS halfvec)"
            values = [(*v, halfvec(r.vector)) for v, r in zip(values, new, strict=True)]
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns.split(", ")[1:])
        # Serial: the vector index catches up on (seq, key), and a key is drawn at insert time.
        with self.db.transaction(serial=True) as conn:
            conn.executemany(
                f"INSERT INTO embeddings ({columns}) VALUES ({marks}) "
                f"ON CONFLICT (paper_id) DO UPDATE SET {sets}",
                values,
            )
            conn.executemany(
                "UPDATE embeddings SET seq = ? WHERE paper_id = ? AND text_hash = ?",
                [(r.seq, r.paper_id, r.text_hash) for r in rows if r.vector is None],
            )

    def embeddings_since(self, after: tuple[int, int], limit: int) -> list[EmbeddingRow]:
        with self.db.read() as conn:
            rows = conn.all(
                f"{_EMBEDDING} WHERE (seq, key) > (?, ?) ORDER BY seq, key LIMIT ?", (*after, limit)
            )
        return [_row(*r) for r in rows]

    def embeddings_for(self, paper_ids: Sequence[str]) -> dict[str, EmbeddingRow]:
        out = {}
        with self.db.snapshot() as conn:
            for condition, params in self.d.one_of("paper_id", paper_ids):
                out.update((r[1], _row(*r)) for r in conn.all(f"{_EMBEDDING} WHERE {condition}", params))
        return out

    def vectors_for(self, paper_ids: Sequence[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        with self.db.snapshot() as conn:
            for condition, params in self.d.one_of("paper_id", paper_ids):
                sql = f"SELECT paper_id, vector FROM embeddings WHERE {condition} AND vector IS NOT NULL"
                out.update((pid, bytes(vector)) for pid, vector in conn.all(sql, params))
        return out

    def paper_ids_for_keys(self, keys: Sequence[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        with self.db.snapshot() as conn:
            for condition, params in self.d.one_of("key", keys):
                out.update(conn.all(f"SELECT key, paper_id FROM embeddings WHERE {condition}", params))
        return out

    def count_embeddings(self) -> int:
        with self.db.read() as conn:
            return conn.value("SELECT count(*) FROM embeddings")

    def clear_embeddings(self) -> None:
        with self.db.transaction(serial=True) as conn:
            conn.execute("DELETE FROM embeddings")

    def get_search_meta(self, name: str) -> str | None:
        with self.db.read() as conn:
            return conn.value("SELECT value FROM search_meta WHERE name = ?", (name,))

    def set_search_meta(self, name: str, value: str) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO search_meta (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
