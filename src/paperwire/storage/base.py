"""The Store interface: every read and write of stored data goes through it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from paperwire import PaperwireError
from paperwire.ingest.models import AnnouncementDay, HarvestState, HfFeature, IngestRun
from paperwire.papers import Paper
from paperwire.storage.database import Database
from paperwire.storage.hub import HubStore
from paperwire.storage.repos import Repos
from paperwire.storage.subscriptions import SubscriptionStore


class StoreError(PaperwireError):
    """The database failed (unreadable, locked, full); the message is one line."""


def refused_value(exc: BaseException) -> bool:
    """Whether a write failed because the database refused a value in it (a NUL, an out-of-range
    number, text it cannot encode), not because the database failed: the record is the problem."""
    import sqlite3

    import psycopg

    values = (ValueError, OverflowError, UnicodeError, sqlite3.DataError, sqlite3.IntegrityError)
    return isinstance(exc, (*values, sqlite3.InterfaceError, psycopg.DataError, psycopg.IntegrityError))


class UpsertOutcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"  # a newer version replaced the content
    UNCHANGED = "unchanged"  # the same or an older version: nothing was written


@dataclass(slots=True)
class Stats:
    papers: int
    versions: int
    by_category: dict[str, int] = field(default_factory=dict)  # every listed category, most papers first
    by_month: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" of announcement (else first version)
    by_source: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class EmbeddingRow:
    """A paper's stored vector (float16 bytes) and what it was computed from."""

    paper_id: str
    seq: int  # the paper's change seq when embedded
    text_hash: str
    vector: bytes | None  # None when saving: the text is unchanged, keep the stored vector
    key: int = 0  # the integer the vector index knows the paper by; assigned by the store


class Store(HubStore, SubscriptionStore, Database, ABC):
    """Papers and everything about them, one small interface per noun (`store.repos`, ...), each
    implemented once over the Database this is. Implementations: SQLiteStore (embedded), PostgresStore
    (server)."""

    repos: Repos

    def _compose(self) -> None:
        """Give the store its nouns; implementations call it once their connections are ready."""
        from paperwire.storage.repos import ReposSQL

        self.repos = ReposSQL(self)

    # True when the store answers search itself (keyword_search, nearest, exact_titles, matching: see
    # storage/postgres_search.py); SearchEngine then keeps no index files. False: tantivy and usearch.
    native_search: bool = False

    @abstractmethod
    def get_paper(self, paper_id: str) -> Paper | None:
        """The paper with its version history, or None."""

    @abstractmethod
    def upsert_papers(self, papers: Sequence[Paper]) -> list[UpsertOutcome]:
        """Store papers in one transaction: a newer version replaces the content, else nothing changes."""

    @abstractmethod
    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        """The stored papers among paper_ids, by id (version histories not loaded)."""

    @abstractmethod
    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        """Every paper with its version history, in id order, read in batches."""

    @abstractmethod
    def recent_papers(self, limit: int = 50) -> list[Paper]:
        """The most recently announced (else published) papers, newest first."""

    @abstractmethod
    def count_papers(self) -> int: ...

    @abstractmethod
    def stats(self) -> Stats: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def job_lock(self, name: str) -> AbstractContextManager[bool]:
        """Try to take background job `name`'s lock, shared by every process and host on this database;
        yields whether it was taken, and releases it on exit (or when this process dies)."""

    # -- changes and embeddings, for the search indexes -------------------------------------------
    # Every write that changes a paper gives it a new, larger `seq`; an index that remembers the
    # largest (seq, id) it has applied catches up with changed_papers(after=that).

    @abstractmethod
    def change_seq(self) -> int:
        """The largest seq of any paper (0 for an empty store)."""

    @abstractmethod
    def changed_papers(self, after: tuple[int, str], limit: int) -> list[tuple[int, Paper]]:
        """(seq, paper) for papers with (seq, id) > after, in that order; version histories not loaded."""

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
    def paper_ids_for_keys(self, keys: Sequence[int]) -> dict[int, str]: ...

    @abstractmethod
    def count_embeddings(self) -> int: ...

    @abstractmethod
    def clear_embeddings(self) -> None: ...

    @abstractmethod
    def get_search_meta(self, name: str) -> str | None: ...

    @abstractmethod
    def set_search_meta(self, name: str, value: str) -> None: ...

    # -- ingest (issue 4) -------------------------------------------------------------------------

    @abstractmethod
    def get_harvest(self, name: str) -> HarvestState | None:
        """The state of the OAI-PMH harvest called `name` (e.g. "oai:cs"), or None if never run."""

    @abstractmethod
    def harvests(self) -> list[HarvestState]:
        """Every harvest's state, by name."""

    @abstractmethod
    def save_harvest(self, state: HarvestState) -> None:
        """Replace the stored state of a harvest. Call it only after the papers it covers are stored."""

    @abstractmethod
    def start_run(self, kind: str, args: str, trigger: str) -> int:
        """Log an ingest run as running; returns its id."""

    @abstractmethod
    def finish_run(self, run_id: int, status: str, counts: Mapping[str, int], error: str | None) -> None:
        """Record how a run ended: status ok or error, its counts and its one-line error."""

    @abstractmethod
    def recent_runs(
        self, limit: int = 20, kind: str | None = None, trigger: str | None = None
    ) -> list[IngestRun]:
        """The latest ingest runs, newest first, optionally of one kind and trigger."""

    @abstractmethod
    def record_announcement(self, day: AnnouncementDay, announced: Mapping[str, date]) -> None:
        """In one transaction: record a category's announcement day and give each paper id in
        `announced` that date, unless it already has the same or an earlier one."""

    @abstractmethod
    def announcement_days(self, category: str | None = None, limit: int = 30) -> list[AnnouncementDay]:
        """Recorded announcement days (explicit "no announcement" days included), newest first."""

    @abstractmethod
    def upsert_hf_features(self, features: Sequence[HfFeature]) -> None:
        """Record Hugging Face daily-paper features; a known (paper, day) gets the new upvote count."""

    @abstractmethod
    def hf_features(self, featured: date | None = None, paper_id: str | None = None) -> list[HfFeature]:
        """Features of one day or one paper, most upvoted first."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def chunked(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
