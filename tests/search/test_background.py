"""What `serve` runs beside the requests: warming search up before the first request needs it."""

from paperwire.search import open_search
from paperwire.search.background import warm_up
from paperwire.search.indexer import embed_pending
from tests.support.search_corpus import CORPUS


def test_warming_up_loads_what_the_first_search_would(make_settings, store):
    settings = make_settings()
    store.papers.upsert_papers(CORPUS)
    indexer = open_search(settings, store)
    indexer.sync_keyword()
    assert embed_pending(indexer).embedded == len(CORPUS)

    served = open_search(settings, store)  # a new process's engine: nothing loaded yet
    assert served._embedder is None
    warm_up(served).join(60)
    assert served._embedder is not None
    assert served._embedder._query_session is not None  # made at the caller's priority, not the indexer's
    assert served._vectors is not None and len(served._vectors) == len(CORPUS)  # loaded (or pgvector)
    assert [h.paper.id for h in served.search("protein structure").hits]  # and searching works as before


def test_a_hub_with_nothing_embedded_warms_up_without_the_model(make_settings, store):
    settings = make_settings()
    store.papers.upsert_papers(CORPUS)
    served = open_search(settings, store)
    served.sync_keyword()
    warm_up(served).join(60)
    assert served._embedder is None  # words only until papers are embedded: no model to load
