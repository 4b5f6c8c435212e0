"""Search inside PostgreSQL: full-text keyword candidates, pgvector nearest neighbours, exact titles.

Mixed into PostgresStore (`native_search = True`); SearchEngine then uses these methods instead of the
tantivy and usearch files that SQLite needs. The schema is migration 0005: `papers.search`, a stored
weighted tsvector (title A, abstract B, authors C) with a GIN index; `embeddings.embedding`, a
halfvec(384) with an HNSW index (cosine). The ranking is explained in docs/search.md.
"""

from __future__ import annotations

import math
import re
import struct
import threading
import time
from collections.abc import Sequence

import numpy as np
import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import Format

from paperwire.search.query import Filters, Query

# ts_rank's weights, in its order {D, C, B, A}, at most 1 each: set from FieldWeights by the engine.
DEFAULT_WEIGHTS = (0.0, 0.4 / 1.3, 1.0 / 1.3, 1.0)
RANK_NORMALISATION = 1  # ts_rank divides by 1 + log(document length): a long abstract is not favoured
TYPO_WEIGHT = 0.5  # a word one edit away from an unknown word counts half, as in the tantivy index
# HNSW candidates examined (at least the number of neighbours asked for). At 1M papers, 200 found 66% of
# the exact 200 nearest; 600 finds 79%, as many as usearch's index (76%), for about 3 ms more.
EF_SEARCH = 600
MAX_SCANNED = "40000"  # how far a filtered search may walk the graph (pgvector iterative scan)
STATS_TTL_S = 600.0  # how long the lexeme frequencies read from pg_stats are reused
_LEXEME = re.compile(r"'((?:[^']|'')+)'")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ANYWHERE = "(p.search @@ phraseto_tsquery('english', %s) OR p.search @@ phraseto_tsquery('simple', %s))"


class HalfVec(bytes):
    """A vector in pgvector's binary halfvec format, sent as a binary parameter (`%s::halfvec`)."""


class _HalfVecDumper(Dumper):
    format = Format.BINARY
    oid = 0  # unknown: the server takes the type from the cast beside the parameter

    def dump(self, obj: HalfVec) -> bytes:
        return bytes(obj)


psycopg.adapters.register_dumper(HalfVec, _HalfVecDumper)


def halfvec(vector: np.ndarray | bytes) -> HalfVec:
    """float32 array, or the stored little-endian float16 bytes, as a halfvec parameter."""
    half = np.frombuffer(vector, "<f2") if isinstance(vector, bytes) else np.asarray(vector, "<f2")
    return HalfVec(struct.pack(">hh", len(half), 0) + half.astype(">f2").tobytes())


def weighted(tsquery_text: str, weights: str) -> str:
    """A tsquery's text with every lexeme restricted to the given weights ('AB', 'C')."""
    return _LEXEME.sub(lambda m: f"'{m.group(1)}':{weights}", tsquery_text)


def one_edit_away(word: str) -> list[str]:
    """Every string one deletion, transposition, replacement or insertion away (Norvig's edits1)."""
    word = word.lower()
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    edits |= {a + c + b for a, b in splits for c in _LETTERS}
    edits.discard(word)
    return sorted(edits)


def conditions(filters: Filters, excluded: Sequence[str] = (), required: Sequence[str] = ()):
    """SQL conditions on `papers p` (joined with AND) and their parameters."""
    where: list[str] = []
    params: list = []
    if filters.categories:
        where.append(
            "EXISTS (SELECT 1 FROM json_array_elements_text(p.categories) c WHERE lower(c) = ANY(%s))"
        )
        params.append([c.lower() for c in filters.categories])
    for author in filters.authors:
        # The index finds the name anywhere; ts_filter keeps it only where it is an author's (weight C).
        where.append(
            "(p.search @@ phraseto_tsquery('simple', %s) "
            "AND ts_filter(p.search, '{c}') @@ phraseto_tsquery('simple', %s))"
        )
        params += [author, author]
    column = "p.published" if filters.date_field == "published" else "p.announced"
    if filters.date_from:
        where.append(f"{column} >= %s")
        params.append(filters.date_from)
    if filters.date_until:
        where.append(f"{column} <= %s")
        params.append(filters.date_until)
    for text in required:
        where.append(_ANYWHERE)
        params += [text, text]
    for text in excluded:
        where.append(f"NOT {_ANYWHERE}")
        params += [text, text]
    return where, params


class PostgresSearch:
    """Native search for PostgresStore; uses its `_connection`, `_all` and `_one`."""

    native_search = True
    _stats_lock = threading.Lock()  # the statistics themselves are per store: `_search_stats`

    # -- keyword ----------------------------------------------------------------------------------

    def keyword_search(
        self, query: Query, limit: int, weights: Sequence[float] = DEFAULT_WEIGHTS
    ) -> list[tuple[str, float]]:
        """(paper id, score) best first; filter-only queries list papers newest first with score 0."""
        where, params = conditions(query.filters, query.excluded, query.phrases)
        if query.empty:
            if not query.filters.active:
                return []
            rows = self._all(
                f"SELECT p.id FROM papers p WHERE {' AND '.join(where)} "
                "ORDER BY coalesce(p.announced, p.published, p.updated) DESC NULLS LAST, p.id DESC LIMIT %s",
                (*params, limit),
            )
            return [(r[0], 0.0) for r in rows]
        terms = self._word_queries(query.words)  # (tsquery text, weight) per word and typo correction
        if query.words and not terms:
            return []  # only stop words
        w = "'{" + ",".join(f"{float(x):.6f}" for x in weights) + "}'::float4[]"
        score = " + ".join(
            f"%s::float8 * ts_rank({w}, p.search, %s::tsquery, {RANK_NORMALISATION})" for _ in terms
        )
        score_params = [x for text, weight in terms for x in (weight, text)]
        if terms:
            where.insert(0, "p.search @@ %s::tsquery")
            params.insert(0, " | ".join(f"({text})" for text, _ in terms))
        else:  # phrases only: the phrases are the score
            score = f"ts_rank({w}, p.search, phraseto_tsquery('english', %s), {RANK_NORMALISATION})"
            score_params = [" ".join(query.phrases)]
        rows = self._all(
            f"SELECT p.id, {score} AS score FROM papers p WHERE {' AND '.join(where)} "
            "ORDER BY score DESC, p.id DESC LIMIT %s",
            (*score_params, *params, limit),
        )
        return [(pid, float(s)) for pid, s in rows]

    def _word_queries(self, words: Sequence[str]) -> list[tuple[str, float]]:
        """Each word as a tsquery (stemmed in titles and abstracts, as typed in author names) with its
        weight (an estimate of its IDF); a word no paper contains adds its one-edit variants."""
        if not words:
            return []
        rows = self._all(
            "SELECT phraseto_tsquery('english', w)::text, phraseto_tsquery('simple', w)::text, "
            "EXISTS (SELECT 1 FROM papers WHERE search @@ phraseto_tsquery('english', w)) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) ORDER BY n",
            (list(words),),
        )
        idf = self._idf()
        terms, unknown = [], []
        for word, (english, simple, known) in zip(words, rows, strict=True):
            options = [f"({weighted(english, 'AB')})"] if english else []
            if simple and simple != english:
                options.append(f"({weighted(simple, 'C')})")
            if not options:
                continue
            terms.append((" | ".join(options), idf(_LEXEME.findall(english or simple))))
            if not known and english and " " not in english and len(word) >= 4 and word.isalpha():
                unknown.append(word)
        for word in unknown:  # likely typos: the variants that are words of the corpus match
            variants = one_edit_away(word)
            row = self._one(
                "SELECT to_tsquery('english', %s)::text",
                (" | ".join(v for v in variants),),
            )
            if row and row[0]:
                found = self._all(
                    "SELECT l FROM unnest(%s::text[]) l WHERE EXISTS "
                    "(SELECT 1 FROM papers WHERE search @@ quote_literal(l)::tsquery)",
                    (sorted(set(_LEXEME.findall(row[0]))),),
                )
                for (lexeme,) in found:
                    terms.append((weighted(f"'{lexeme}'", "AB"), TYPO_WEIGHT * idf([lexeme])))
        return terms

    def _idf(self):
        """lexemes -> the sum of their BM25 IDF, from the lexeme frequencies ANALYZE keeps in pg_stats;
        1 each while the table has no statistics (a new or tiny database)."""
        now = time.monotonic()
        with self._stats_lock:
            stats = getattr(self, "_search_stats", None)
            if stats is None or now - stats[0] > STATS_TTL_S:
                row = self._one(
                    "SELECT most_common_elems::text::text[], most_common_elem_freqs, "
                    "(SELECT reltuples FROM pg_class WHERE oid = 'papers'::regclass) FROM pg_stats "
                    "WHERE schemaname = current_schema() AND tablename = 'papers' AND attname = 'search'"
                )
                freqs: dict[str, float] = {}
                floor, rows = 0.0, 0
                if row and row[0]:
                    lexemes, values, rows = row
                    freqs = dict(zip(lexemes, values, strict=False))
                    floor = values[len(lexemes)] / 2  # rarer than the rarest lexeme tracked
                stats = self._search_stats = (now, freqs, floor, int(rows or 0))
            _, freqs, floor, rows = stats
        if not freqs or rows <= 0:
            return lambda lexemes: 1.0

        def idf(lexemes: Sequence[str]) -> float:
            total = 0.0
            for lexeme in lexemes:
                f = min(freqs.get(lexeme.replace("''", "'"), floor), 1.0)
                total += math.log(1 + (1 - f + 0.5 / rows) / (f + 0.5 / rows))
            return total or 1.0

        return idf

    def exact_titles(self, text: str, limit: int = 5) -> list[str]:
        rows = self._all(
            "SELECT id FROM papers WHERE paperwire_title_key(title) = paperwire_title_key(%s) "
            "AND paperwire_title_key(%s) <> '' ORDER BY id LIMIT %s",
            (text, text, limit),
        )
        return [r[0] for r in rows]

    def matching(
        self,
        paper_ids: Sequence[str],
        filters: Filters,
        excluded: Sequence[str],
        required: Sequence[str] = (),
    ) -> set[str]:
        """Which of paper_ids pass the filters, contain every required phrase and no excluded one."""
        if not paper_ids:
            return set()
        where, params = conditions(filters, excluded, required)
        rows = self._all(
            f"SELECT p.id FROM papers p WHERE {' AND '.join(['p.id = ANY(%s)', *where])}",
            (list(paper_ids), *params),
        )
        return {r[0] for r in rows}

    # -- vectors ----------------------------------------------------------------------------------

    def nearest(self, vector: np.ndarray, limit: int, query: Query | None = None) -> list[tuple[str, float]]:
        """(paper id, cosine similarity) best first, from the HNSW index; with a query, only papers that
        pass its filters, exclusions and phrases (pgvector's iterative scan walks on until enough do)."""
        where, params = conditions(query.filters, query.excluded, query.phrases) if query else ([], [])
        probe = halfvec(vector)
        with self._connection("reading from") as conn, conn.transaction():
            conn.execute(
                "SELECT set_config('hnsw.ef_search', %s, true), "
                "set_config('hnsw.iterative_scan', %s, true), set_config('hnsw.max_scan_tuples', %s, true)",
                (str(max(EF_SEARCH, min(limit, 1000))), "relaxed_order" if where else "off", MAX_SCANNED),
            )
            if where:
                sql = (
                    "SELECT e.paper_id, e.embedding <=> %s::halfvec AS d FROM embeddings e "
                    f"JOIN papers p ON p.id = e.paper_id WHERE {' AND '.join(where)} "
                    "ORDER BY e.embedding <=> %s::halfvec LIMIT %s"
                )
                rows = conn.execute(sql, (probe, *params, probe, limit)).fetchall()
            else:
                rows = conn.execute(
                    "SELECT paper_id, embedding <=> %s::halfvec AS d FROM embeddings "
                    "ORDER BY embedding <=> %s::halfvec LIMIT %s",
                    (probe, probe, limit),
                ).fetchall()
        found = sorted(((pid, 1.0 - float(d)) for pid, d in rows), key=lambda r: (-r[1], r[0]))
        return found
