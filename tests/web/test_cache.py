"""The visitors' page cache: versions, and one render of a stale page while others get the last copy."""

from fastapi.responses import Response

from paperwire.web.cache import PageCache


def test_a_page_is_served_while_its_version_holds():
    cache = PageCache(size=2)
    cache.put("/a", (1,), Response(b"a1", media_type="text/html"))
    assert cache.get("/a", (1,)).body == b"a1"
    assert cache.get("/a", (2,)) is None  # the database's counters moved
    cache.put("/b", (1,), Response(b"b"))
    cache.put("/c", (1,), Response(b"c"))
    assert cache.get("/a", (1,)) is None  # the least recently used went


def test_one_request_renders_a_stale_page_and_the_others_get_the_last_copy():
    cache = PageCache()
    mine, stale = cache.claim("/trending")
    assert mine and stale is None  # nothing to serve yet: the first visitors all render
    cache.put("/trending", (1,), Response(b"old"))
    cache.release("/trending")
    # The page went stale (a vote): the first request renders it, a concurrent one gets the old copy.
    first, _ = cache.claim("/trending")
    second, copy = cache.claim("/trending")
    assert first and not second and copy.body == b"old"
    cache.put("/trending", (2,), Response(b"new"))
    cache.release("/trending")
    again, copy = cache.claim("/trending")
    assert again and copy.body == b"new"  # released: the next change is rendered again
