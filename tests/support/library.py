"""The library's test data: papers the import fixtures (tests/data/library/) match by DOI, by an
old-style arXiv id and by a title with an accent, added to support/hub.py's week of papers."""

from __future__ import annotations

from datetime import date

from paperwire.papers import arxiv_links, make_paper
from tests.support.paths import DATA

LIBRARY_DATA = DATA / "library"


def extra_papers():
    def paper(pid, title, **kw):
        return make_paper(
            id=pid, title=title, abstract=f"We study {title.lower()}.", authors=["Jane Smith"],
            categories=["cs.LG"], published=date(2025, 3, 20), source="test", links=arxiv_links(pid), **kw,
        )  # fmt: skip

    return [
        paper("2503.10010", "Embedding graphs at scale", doi="10.1145/3292500.3330701"),
        paper("2503.10011", "Schrödinger bridges for generative modelling"),
        paper("hep-th/9901001", "Strings on a lattice"),
    ]
