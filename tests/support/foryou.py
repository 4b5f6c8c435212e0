"""A hub for "For you" tests (the web page and the digests): the recommendation corpus plus one paper by
followed authors, embedded, and members signed in with a CSRF token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from paperwire.search.indexer import embed_pending
from paperwire.web.services import services
from tests.support.hub import TOKEN, make_hub
from tests.support.recommend_corpus import DAY, PAPERS
from tests.support.search_corpus import paper

NEAR = {"2504.00011", "2504.00015"}  # the day's papers on molecules as graphs, like the liked ones
HOPPER = paper("2504.00019", "Compilers for tiny machines", "Small compilers for embedded chips.",
               authors=["Grace Hopper", "Ken Thompson"], cats=["cs.PL"], announced=DAY,
               published=DAY)  # fmt: skip


@contextmanager
def foryou_hub(tmp_path, model_dir, smtp_inbox, database_url) -> Iterator:
    """The running hub over PAPERS and HOPPER, every paper embedded."""
    hub, store = make_hub(tmp_path, model_dir, smtp_inbox, database_url=database_url)
    store.papers.upsert_papers([*PAPERS, HOPPER])
    embed_pending(services(hub.app).search, extracts=False)
    try:
        with hub.client:
            yield hub
    finally:
        store.close()


def member(hub, email):
    """A client signed in as `email`, sending the CSRF token of its pages."""
    client = hub.sign_in(email, hub.new_client())
    client.headers["X-CSRF-Token"] = TOKEN.search(client.get("/for-you").text).group(1)
    return client
