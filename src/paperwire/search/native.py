"""The store's own search (PostgreSQL full text and pgvector) behind the shapes of the file indexes.

With a store whose `native_search` is true, SearchEngine uses these in place of KeywordIndex and
VectorIndex, for the sides PAPERWIRE_SEARCH_IN_DATABASE names (`semantic`: NativeVectors only; `all`:
both): the database is the index, so there is nothing to sync, catch up, save or rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from paperwire.models.search import Filters, Query
from paperwire.search.keyword import FieldWeights
from paperwire.storage import Store

if TYPE_CHECKING:
    import numpy as np


class NativeKeyword:
    def __init__(self, store: Store, weights: FieldWeights | None = None):
        self.store = store
        self.weights = weights or FieldWeights()

    def search(
        self, query: Query, limit: int, neighbours: Callable[[], Sequence[str]] | None = None
    ) -> list[tuple[str, float]]:
        """BM25 best first; `neighbours` gives the papers found by meaning in a hybrid search, scored
        in place of the papers with every word when those would be costly to find (and only then
        called: meaning is looked up meanwhile)."""
        w = self.weights
        return self.store.keyword_search(query, limit, (w.text, w.title, w.authors), neighbours)

    def exact_titles(self, text: str, limit: int = 5) -> list[str]:
        return self.store.exact_titles(text, limit)

    def typos(self, words: Sequence[str]) -> list[str]:
        return self.store.typos(words)

    def known_words(self, words: Sequence[str]) -> list[str]:
        return self.store.known_words(words)

    def matching(
        self, paper_ids: list[str], filters: Filters, excluded: list[str], required: Sequence[str] = ()
    ) -> set[str]:
        return self.store.matching(paper_ids, filters, excluded, required)

    # Nothing to keep in step: every committed write is searchable at once.
    def sync(self, store: Store, wait: bool = True, progress: Callable[[int], None] | None = None) -> int:
        return 0

    def rebuild(self, store: Store) -> int:
        return 0

    def behind(self, store: Store) -> bool:
        return False

    def refresh_if_changed(self) -> None:
        pass

    def count(self) -> int:
        return self.store.papers.count_papers()


class NativeVectors:
    def __init__(self, store: Store):
        self.store = store
        self.generation = None

    def __len__(self) -> int:
        return self.store.embeddings.count_embeddings()

    def nearest(self, vector: np.ndarray, count: int, query: Query | None = None) -> list[tuple[str, float]]:
        """(paper id, cosine similarity) best first; with a query, only papers that obey it."""
        return self.store.nearest(vector, count, query)

    def catch_up(self, store: Store) -> int:
        return 0

    def save(self) -> None:
        pass

    def clear(self) -> None:
        pass
