"""The store's own search (PostgreSQL full text and pgvector) behind the shapes of the file indexes.

With a store whose `native_search` is true, SearchEngine uses these in place of KeywordIndex and
VectorIndex, for the sides PAPERWIRE_SEARCH_IN_DATABASE names (`semantic`: NativeVectors only; `all`:
both): the database is the index, so there is nothing to sync, catch up, save or rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from paperwire.search.keyword import FieldWeights
from paperwire.search.query import Filters, Query
from paperwire.storage import Store


class NativeKeyword:
    def __init__(self, store: Store, weights: FieldWeights | None = None):
        self.store = store
        self.weights = weights or FieldWeights()

    def rank_weights(self) -> tuple[float, float, float, float]:
        """FieldWeights as ts_rank's {D, C, B, A}: a title word counts text + title, an abstract word
        text, an author name authors; scaled so that the largest is 1 (ts_rank's limit)."""
        w = self.weights
        title, abstract, authors = w.text + w.title, w.text, w.authors
        top = max(title, abstract, authors) or 1.0
        return (0.0, authors / top, abstract / top, title / top)

    def search(self, query: Query, limit: int) -> list[tuple[str, float]]:
        return self.store.keyword_search(query, limit, self.rank_weights())

    def exact_titles(self, text: str, limit: int = 5) -> list[str]:
        return self.store.exact_titles(text, limit)

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
        return self.store.count_papers()


class NativeVectors:
    def __init__(self, store: Store):
        self.store = store
        self.generation = None

    def __len__(self) -> int:
        return self.store.count_embeddings()

    def nearest(self, vector: np.ndarray, count: int, query: Query | None = None) -> list[tuple[str, float]]:
        """(paper id, cosine similarity) best first; with a query, only papers that obey it."""
        return self.store.nearest(vector, count, query)

    def catch_up(self, store: Store) -> int:
        return 0

    def save(self) -> None:
        pass

    def clear(self) -> None:
        pass
