"""Papers' extracts (summary sentence and key phrases, made by the indexer): `store.extracts`. Each
records the text hash of the embedding it was made with, so a paper embedded again gets a new one."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence

from paperwire.models.extracts import Extract
from paperwire.storage.database import Noun

_SAVE = (
    "INSERT INTO paper_extracts (paper_id, text_hash, summary, keywords) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (paper_id) DO UPDATE SET text_hash = excluded.text_hash, summary = excluded.summary, "
    "keywords = excluded.keywords"
)
# Embedded papers whose extract is missing or was made from another text.
_LACKING = (
    "FROM papers p JOIN embeddings e ON e.paper_id = p.id "
    "LEFT JOIN paper_extracts x ON x.paper_id = p.id "
    "WHERE (x.paper_id IS NULL OR x.text_hash <> e.text_hash)"
)
_SELECT = "SELECT paper_id, text_hash, summary, keywords FROM paper_extracts"


class Extracts(ABC):
    @abstractmethod
    def save_extracts(self, extracts: Sequence[tuple[str, Extract]], publish: bool = True) -> None:
        """Store (paper id, extract) pairs, replacing what the papers had; with `publish`, the visitors'
        page cache learns that pages changed (the indexer publishes once a minute and at the end of a
        run instead: a bump every batch would empty the cache all through a long build)."""

    @abstractmethod
    def publish(self) -> None:
        """Tell the visitors' page cache that extracts changed since (pages show them)."""

    @abstractmethod
    def paper_extracts(self, paper_ids: Sequence[str]) -> dict[str, Extract]:
        """The stored extracts of these papers, by paper id (papers without one are absent)."""

    @abstractmethod
    def papers_lacking_extracts(self, after: str, limit: int) -> list[tuple[str, str, str, str]]:
        """Embedded papers whose extract is missing or stale, by id after `after`: (id, title,
        abstract, their embedding's text hash)."""

    @abstractmethod
    def count_lacking_extracts(self) -> int: ...

    @abstractmethod
    def clear_extracts(self) -> None: ...


class ExtractsSQL(Noun, Extracts):
    def save_extracts(self, extracts: Sequence[tuple[str, Extract]], publish: bool = True) -> None:
        if not extracts:
            return
        rows = [
            (pid, x.text_hash, x.summary, json.dumps(x.keywords, ensure_ascii=False)) for pid, x in extracts
        ]
        with self.db.transaction() as conn:
            conn.executemany(_SAVE, rows)
            if publish:
                self.db.bump(conn)  # pages show extracts: cached copies are stale now

    def publish(self) -> None:
        with self.db.transaction() as conn:
            self.db.bump(conn)

    def paper_extracts(self, paper_ids: Sequence[str]) -> dict[str, Extract]:
        out: dict[str, Extract] = {}
        with self.db.snapshot() as conn:
            for condition, params in self.d.one_of("paper_id", paper_ids):
                for pid, digest, summary, keywords in conn.all(f"{_SELECT} WHERE {condition}", params):
                    out[pid] = Extract(summary, json.loads(keywords), digest)
        return out

    def papers_lacking_extracts(self, after: str, limit: int) -> list[tuple[str, str, str, str]]:
        sql = f"SELECT p.id, p.title, p.abstract, e.text_hash {_LACKING} AND p.id > ? ORDER BY p.id LIMIT ?"
        with self.db.snapshot() as conn:
            return [tuple(r) for r in conn.all(sql, (after, limit))]

    def count_lacking_extracts(self) -> int:
        with self.db.read() as conn:
            return conn.value(f"SELECT count(*) {_LACKING}")

    def clear_extracts(self) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM paper_extracts")
