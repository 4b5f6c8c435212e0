""" "Did you mean": a query whose words matched only through typo tolerance, spelled as the papers are.

A word that no title or abstract contains matches the words near it (keyword.py, postgres_words.py).
The correction shown is the word nearest to it in the titles and abstracts of the papers the words
found, within the same distance the index allows (one edit, two for words of LONG_WORD letters), the
most frequent of equals; the rest of the query stays as typed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from paperwire.models.search import Query
from paperwire.search.query import replace_words
from paperwire.storage import Store

LONG_WORD = 8  # as in the indexes: words this long match two edits away, shorter ones one
PAPERS_READ = 20  # the best keyword candidates whose texts are searched for the corrections
_LETTERS = re.compile(r"[^\W\d_]+")


class Words(Protocol):
    def typos(self, words: Sequence[str]) -> list[str]: ...
    def known_words(self, words: Sequence[str]) -> list[str]: ...


def did_you_mean(store: Store, index: Words, query: Query, keyword: list[tuple[str, float]]) -> str | None:
    """The query with its typos corrected, or None when every word was found as typed."""
    typos = index.typos(query.words)
    if not typos:
        return None
    papers = store.papers.get_papers([pid for pid, _ in keyword[:PAPERS_READ]])
    fixes = corrections(typos, [f"{p.title}\n{p.abstract}" for p in papers.values()])
    # Only words the index has as spelled: not a stop word, not another typo.
    known = set(index.known_words(sorted(set(fixes.values())))) if fixes else set()
    fixes = {typo: word for typo, word in fixes.items() if word in known}
    return replace_words(query.raw, fixes) if fixes else None


def corrections(typos: Sequence[str], texts: Sequence[str]) -> dict[str, str]:
    """Each typo's nearest word in texts (lower case), if one is near enough."""
    from rapidfuzz.distance import OSA  # here: most searches have no typo

    counts = Counter(w for text in texts for w in _LETTERS.findall(text.lower()))
    out = {}
    for typo in typos:
        low = typo.lower()
        limit = 2 if len(low) >= LONG_WORD else 1
        best = None
        for word, n in counts.items():
            distance = OSA.distance(low, word, score_cutoff=limit)
            if distance <= limit and word != low and (best is None or (distance, -n, word) < best):
                best = (distance, -n, word)
        if best is not None:
            out[typo] = best[2]
    return out
