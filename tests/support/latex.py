"""A paper with LaTeX in its title and abstract."""

from __future__ import annotations

from datetime import date

from paperwire.papers import arxiv_links, make_paper

TITLE = r"Fast A$^\text{T}$A products in $O(n\log n)$ time"
ABSTRACT = r"We compute $A^\top A$ for sparse $A$ in $O(n\log n)$, and \(x^2\) too."


def math_paper():
    return make_paper(
        id="2503.10100",
        title=TITLE,
        abstract=ABSTRACT,
        authors=["Emmy Noether"],
        categories=["cs.DS"],
        announced=date(2025, 3, 18),
        published=date(2025, 3, 18),
        source="arxiv-listing",
        links=arxiv_links("2503.10100"),
    )
