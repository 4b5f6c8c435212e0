"""Fixtures of the storage tests: `seeded`, a store (either database) holding four papers."""

from datetime import date

import pytest

from paperwire.papers import make_paper


def paper(pid, announced=None, **kw):
    return make_paper(id=pid, title=f"Paper {pid}", source="test", announced=announced, **kw)


@pytest.fixture
def seeded(store):
    store.papers.upsert_papers(
        [
            paper("2503.00001", date(2025, 3, 18), categories=["cs.CV", "cs.LG"], authors=["Ada L"]),
            paper("2503.00002", date(2025, 3, 18), categories=["cs.CL"], authors=["Ada L", "Bo M"]),
            paper("2503.00003", date(2025, 3, 19), categories=["cs.LG"]),
            paper("2503.00004", None, published=date(2025, 3, 1)),
        ]
    )
    return store
