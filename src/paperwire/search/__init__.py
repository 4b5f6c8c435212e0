"""Search: hybrid keyword (tantivy BM25) and semantic (MiniLM + usearch) retrieval over the store."""

from __future__ import annotations

from paperwire.models.search import BadQuery, Filters
from paperwire.search.engine import Hit, Results, SearchEngine
from paperwire.settings import Settings
from paperwire.storage import Store

__all__ = ["BadQuery", "Filters", "Hit", "Results", "SearchEngine", "open_search"]


def open_search(settings: Settings, store: Store) -> SearchEngine:
    # PostgreSQL answers both sides itself by default (PAPERWIRE_SEARCH_IN_DATABASE, docs/search.md).
    return SearchEngine(
        store, settings.search_dir, settings.resolved_model_dir, in_database=settings.search_in_database
    )
