"""The Store's part for extracts (a paper's summary sentence and key phrases), in SQL both databases
speak. Statements are written once with `?` parameters; the small classes at the end say how each
database spells them. Each store provides _transaction() and _snapshot()."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence

from paperwire.extracts import Extract

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
# The counter the pages' cache compares (web/pages.py): pages show extracts, so new ones make them stale.
_BUMP = (
    "INSERT INTO hub_counters (name, value) VALUES ('community', 1) "
    "ON CONFLICT (name) DO UPDATE SET value = hub_counters.value + 1"
)
_CHUNK = 500
_SELECT = "SELECT paper_id, text_hash, summary, keywords FROM paper_extracts"


class ExtractStore(ABC):
    @abstractmethod
    def save_extracts(self, extracts: Sequence[tuple[str, Extract]]) -> None:
        """Store (paper id, extract) pairs, replacing what the papers had."""

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


class ExtractsSQL(ExtractStore):
    @staticmethod
    def _q(sql: str) -> str:
        return sql

    def save_extracts(self, extracts: Sequence[tuple[str, Extract]]) -> None:
        if not extracts:
            return
        rows = [
            (pid, x.text_hash, x.summary, json.dumps(x.keywords, ensure_ascii=False)) for pid, x in extracts
        ]
        with self._transaction() as conn:
            conn.cursor().executemany(self._q(_SAVE), rows)
            conn.execute(_BUMP)

    def paper_extracts(self, paper_ids: Sequence[str]) -> dict[str, Extract]:
        wanted = list(dict.fromkeys(paper_ids))
        out: dict[str, Extract] = {}
        with self._snapshot() as conn:
            for chunk in (wanted[i : i + _CHUNK] for i in range(0, len(wanted), _CHUNK)):
                marks = ", ".join("?" * len(chunk))
                sql = f"{_SELECT} WHERE paper_id IN ({marks})"
                for pid, digest, summary, keywords in conn.execute(self._q(sql), chunk).fetchall():
                    out[pid] = Extract(summary, json.loads(keywords), digest)
        return out

    def papers_lacking_extracts(self, after: str, limit: int) -> list[tuple[str, str, str, str]]:
        sql = f"SELECT p.id, p.title, p.abstract, e.text_hash {_LACKING} AND p.id > ? ORDER BY p.id LIMIT ?"
        with self._snapshot() as conn:
            return [tuple(r) for r in conn.execute(self._q(sql), (after, limit)).fetchall()]

    def count_lacking_extracts(self) -> int:
        with self._snapshot() as conn:
            return conn.execute(f"SELECT count(*) {_LACKING}").fetchone()[0]

    def clear_extracts(self) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM paper_extracts")


class SQLiteExtracts(ExtractsSQL):
    pass


class PostgresExtracts(ExtractsSQL):
    @staticmethod
    def _q(sql: str) -> str:
        return sql.replace("?", "%s")
