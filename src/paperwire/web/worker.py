"""The app of one worker process of `paperwire serve --workers N`, built from the environment."""

from __future__ import annotations

from fastapi import FastAPI


def create_worker_app() -> FastAPI:
    """Each worker opens its own store and search indexes; background jobs stay in the supervisor, but
    each worker follows the vectors they store into its own vector index (VectorFollower)."""
    from paperwire.search import open_search
    from paperwire.search.background import VectorFollower, warm_up
    from paperwire.settings import load_settings
    from paperwire.storage import open_store
    from paperwire.web import create_app

    settings = load_settings()
    store = open_store(settings, create=False)
    search = open_search(settings, store)
    VectorFollower(search).start()  # a daemon thread: it ends with the worker
    warm_up(search)  # the worker's first search, made before a request asks for it
    return create_app(settings, store, search)
