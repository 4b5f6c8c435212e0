"""Search queries: the user's text parsed into words, phrases, exclusions and filters. Pure, no I/O.

Syntax: words, "a phrase", -word, -"a phrase", author:Name, author:"First Last", cat:cs.LG.
Filters may also come as arguments (CLI options, API parameters); both are combined with AND.
"""

from __future__ import annotations

import re
import unicodedata

from paperwire.models.search import BadQuery, Filters, Query
from paperwire.papers import InvalidPaper, paper_id_candidates, split_arxiv_id

MAX_QUERY_CHARS = 1_000
MAX_LIMIT = 100
_TOKEN = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"?|(\S+))')
_FILTER_KEYS = {"author": "author", "au": "author", "cat": "category", "category": "category"}


def clean_text(text: str) -> str:
    """Printable text only: control and other non-printing characters become spaces."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c if c.isprintable() else " " for c in text).strip()


def parse_query(raw: str, filters: Filters | None = None) -> Query:
    if len(raw) > MAX_QUERY_CHARS:
        raise BadQuery(f"the query is {len(raw):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    text = clean_text(raw)
    query = Query(raw=text, filters=filters or Filters())
    query.paper_ids = _arxiv_ids(text)
    for m in _TOKEN.finditer(text):
        negate, key, quoted, bare = m.group(1), m.group(2), m.group(3), m.group(4)
        value = (quoted if quoted is not None else bare or "").strip()
        if key and key.lower() in _FILTER_KEYS and value:
            kind = _FILTER_KEYS[key.lower()]
            if kind == "author":
                query.filters.authors.append(value)
            else:
                query.filters.categories.append(value)
            continue
        if key:  # not a filter ("e.g. word:word"): keep it as text
            value = f"{key} {value}"
        if not _has_word(value):
            continue
        if negate:
            query.excluded.append(value)
        else:
            (query.phrases if quoted is not None else query.words).append(value)
            query.positive.append(value)
    return query


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _arxiv_ids(text: str) -> list[str]:
    if " " in text or not text:
        return []
    try:
        split_arxiv_id(text)
    except InvalidPaper:
        return []
    return paper_id_candidates(text)


def replace_words(raw: str, fixes: dict[str, str]) -> str:
    """raw with its plain words (not phrases, exclusions or filters) replaced by fixes[word], in the
    typed word's case (Capitalised, UPPER or lower); everything else as typed."""
    out, end = [], 0
    for m in _TOKEN.finditer(raw):
        negate, key, bare = m.group(1), m.group(2), m.group(4)
        if negate or key or bare is None or bare not in fixes:
            continue
        fix = fixes[bare]
        fix = fix.upper() if bare.isupper() else fix.capitalize() if bare[:1].isupper() else fix
        out += [raw[end : m.start(4)], fix]
        end = m.end(4)
    return "".join(out) + raw[end:]
