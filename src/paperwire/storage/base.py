"""The Store interface: every read and write of stored data goes through it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from paperwire import PaperwireError
from paperwire.papers import Paper


class StoreError(PaperwireError):
    """The database failed (unreadable, locked, full); the message is one line."""


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


class Store(ABC):
    """Papers and everything about them. Implementations: SQLiteStore (embedded), PostgresStore (server)."""

    @abstractmethod
    def get_paper(self, paper_id: str) -> Paper | None:
        """The paper with its version history, or None."""

    @abstractmethod
    def upsert_papers(self, papers: Sequence[Paper]) -> list[UpsertOutcome]:
        """Store papers in one transaction: a newer version replaces the content, else nothing changes."""

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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def chunked(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
