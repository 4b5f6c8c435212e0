"""Search: hybrid keyword (tantivy BM25) and semantic (MiniLM + usearch) retrieval over the store."""

from __future__ import annotations

from paperwire.search.engine import Hit, Results, SearchEngine
from paperwire.search.query import BadQuery, Filters
from paperwire.settings import Settings
from paperwire.storage import Store

__all__ = ["BadQuery", "Filters", "Hit", "Results", "SearchEngine", "open_search"]


def open_search(settings: Settings, store: Store) -> SearchEngine:
    # PostgreSQL can search in the database (PAPERWIRE_SEARCH_IN_DATABASE), but measured at a million
    # papers its keyword side takes seconds where tantivy takes milliseconds (docs/benchmarks.md), so
    # the index files stay the default on both stores.
    native = settings.search_in_database and store.native_search
    return SearchEngine(store, settings.search_dir, settings.resolved_model_dir, native=native)
