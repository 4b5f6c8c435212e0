"""Search inside PostgreSQL: BM25 over full text, exact titles, the filters' SQL (nearest neighbours by
pgvector are in postgres_vectors.py).

Mixed into PostgresStore (`native_search = True`); SearchEngine then uses these methods instead of the
tantivy and usearch files that SQLite needs. The schema is migration 0005: `papers.search`, a stored
weighted tsvector (title A, abstract B, authors C) with a GIN index; `embeddings.embedding`, a
halfvec(384) with an HNSW index (cosine).

Keyword search scores BM25 (as the tantivy index does: title + abstract, a title bonus, author names)
in SQL from the stored tsvector: term frequencies from ts_rank (`_TF`), IDF from the lexeme frequencies
ANALYZE keeps, length from the text. GIN finds candidates but cannot give the best ones first, so the
papers scored are bounded (`candidate_streams`): a query costs about the same at a million papers as at
a thousand. docs/search.md explains the ranking and what the bound costs.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from paperwire.models.search import Filters, Query
from paperwire.storage import postgres_words

DEFAULT_WEIGHTS = (1.0, 0.3, 0.4)  # (text, title, authors), as FieldWeights: set from it by the engine
K1, B = 1.2, 0.75  # BM25's, as in the tantivy index
# Papers scored per candidate stream, at most: the bound on a query's work in a large hub.
CANDIDATES = 1000
# Papers the rarest required word may be in for the GIN index to find the papers with every word when a
# cheaper way exists (hybrid search). GIN skips through the other words' postings, so this costs about
# as much as reading the rarest word's: at 1M papers, 5 ms when it is in 9,000, 34 ms in 90,000, 99 ms
# in 340,000 ("learning model").
EVERY_RAREST = 100_000
LENGTH_SAMPLE = 20_000  # papers sampled for the average length of title + abstract (BM25's avgdl)
TYPO_WEIGHT = 0.5  # a word near an unknown word (postgres_words) counts half, as in the tantivy index
CATEGORY_MATCH = "paperwire_categories(p.categories) && %s::text[]"
STATS_TTL_S = 600.0  # how long the lexeme frequencies read from pg_stats are reused
_LEXEME = re.compile(r"'((?:[^']|'')+)'")
# How often a lexeme is in a paper's title + abstract (or title only), from ts_rank over that one lexeme
# with weight 1 on those positions and 0 elsewhere. Title positions come first and authors' last in the
# stored vector, so ts_rank is H(n) / (pi^2 / 6) for n occurrences, where H(n) = 1 + 1/4 + ... + 1/n^2;
# as pi^2 / 6 - H(n) is 1 / (n + 1/2) to within 1/(12 n^3), rounding inverts it exactly.
_TF = "round(1 / (1.64493406685 * (1 - ts_rank('{weights}'::float4[], c.search, t.q, 0)::float8)) - 0.5)"
_ANYWHERE = "(p.search @@ phraseto_tsquery('english', %s) OR p.search @@ phraseto_tsquery('simple', %s))"


def tf(weights: str) -> str:
    """The SQL for a lexeme's number of occurrences in the positions weighted 1 by ts_rank's weights."""
    return _TF.format(weights=weights)


@dataclass(frozen=True)
class Term:
    """One lexeme scored: in title + abstract (BM25) or, if `name`, in an author's name."""

    name: bool
    tsquery: str
    idf: float


@dataclass(frozen=True)
class Word:
    """A typed word (or a variant of it, same `group`): the tsquery of where it counts, its terms, and an
    estimate of how many papers it is in."""

    group: int
    match: str
    terms: tuple[Term, ...]
    papers: float
    tracked: bool = True  # pg_stats has its lexemes; else `papers` is a guess until counted

    @property
    def in_text(self) -> bool:
        """Whether it counts in titles and abstracts; if not, it is only in names (a stop word: "for")."""
        return any(not t.name for t in self.terms)


@dataclass(frozen=True)
class Statistics:
    read_at: float
    freqs: dict[str, float]  # lexeme -> share of papers, for the lexemes pg_stats tracks
    floor: float  # the share assumed for any other lexeme
    rows: int
    average_length: float  # characters of title + abstract
    words: bool = False  # whether paper_words is there (pg_trgm): long words match two edits away
    categories: dict[str, float] = field(default_factory=dict)  # lower-cased category -> share of papers
    category_floor: float = 0.0  # the share assumed for a category ANALYZE does not track

    def share(self, lexeme: str) -> float:
        return min(self.freqs.get(lexeme, self.floor), 1.0)

    def category_papers(self, categories: Sequence[str]) -> float | None:
        """About how many papers are in any of the categories; None while ANALYZE has not counted them."""
        if not self.categories or self.rows <= 0:
            return None
        share = sum(self.categories.get(c.lower(), self.category_floor) for c in categories)
        return min(share, 1.0) * self.rows

    def idf(self, lexeme: str) -> float:
        """BM25's IDF; 1 while the table has no statistics."""
        if not self.freqs or self.rows <= 0:
            return 1.0
        f, half = self.share(lexeme), 0.5 / self.rows
        return math.log(1 + (1 - f + half) / (f + half))

    def word(self, group: int, english: str, simple: str, weight: float = 1.0) -> Word:
        """A word from its tsquery texts: stemmed (scored in title + abstract) and as typed (names)."""
        stemmed = [x.replace("''", "'") for x in _LEXEME.findall(english)]
        names = [x.replace("''", "'") for x in _LEXEME.findall(simple)]
        # Neither weights nor positions in the match (a hyphenated word's lexemes are AND'd, not a
        # phrase): the GIN index then answers without rechecking each paper's vector.
        options = [f"({' & '.join(map(_quoted, stemmed))})"] if stemmed else []
        if names and names != stemmed:
            options.append(f"({' & '.join(map(_quoted, names))})")
        terms = [Term(False, _quoted(x), weight * self.idf(x)) for x in stemmed]
        terms += [Term(True, _quoted(x) + ":C", weight * self.idf(x)) for x in names]
        # Its papers: those with all its stemmed lexemes, plus those with its name lexemes.
        share = min((self.share(x) for x in stemmed), default=0.0)
        share += min((self.share(x) for x in names), default=0.0)
        # Whether pg_stats knows how common it is in text (a name adds few papers, guessed or not).
        tracked = bool(self.freqs) and all(x in self.freqs for x in (stemmed or names))
        return Word(group, " | ".join(options), tuple(terms), min(share, 1.0) * max(self.rows, 0), tracked)


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''") + "'"


def candidate_streams(words: Sequence[Word], bounded: bool = False) -> tuple[list[str], bool]:
    """The tsqueries whose matching papers are scored, CANDIDATES at most each, and whether the second
    was left out. The rarest words, as many as together are in at most CANDIDATES papers, find every
    paper that has any of them; if some words are left out, a second stream finds papers that have all
    of those (a variant counting for its word). A paper with none of the rare words and not every other
    one is not scored: the price of a bounded query. To find the papers with every word, the GIN index
    reads the rarest word's postings and skips through the others', so when `bounded` and even the
    rarest is in more than EVERY_RAREST papers, that stream is left out (hybrid search scores the papers
    found by meaning instead). Words only in names (stop words in text, kept for authors: "for")
    neither lead nor are required, unless the query has no other."""
    leading = [w for w in words if w.in_text] or list(words)
    rare: list[Word] = []
    total = 0.0
    for word in sorted(leading, key=lambda w: w.papers):
        if total + word.papers > CANDIDATES:
            break
        rare.append(word)
        total += word.papers
    streams = [" | ".join(f"({w.match})" for w in rare)] if rare else []
    if len(rare) == len(leading):
        return streams, False
    groups: dict[int, list[Word]] = {}
    for word in leading:
        if word not in rare:
            groups.setdefault(word.group, []).append(word)
    if bounded and min(sum(w.papers for w in g) for g in groups.values()) > EVERY_RAREST:
        return streams, True
    streams.append(" & ".join(f"({' | '.join(f'({w.match})' for w in g)})" for g in groups.values()))
    return streams, False


def conditions(filters: Filters, excluded: Sequence[str] = (), required: Sequence[str] = ()):
    """SQL conditions on `papers p` (joined with AND) and their parameters."""
    where: list[str] = []
    params: list = []
    if filters.categories:
        where.append(CATEGORY_MATCH)  # the expression of the papers_categories index (migration 0008)
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

    def keyword_search(
        self,
        query: Query,
        limit: int,
        weights: Sequence[float] = DEFAULT_WEIGHTS,
        neighbours: Sequence[str] | Callable[[], Sequence[str]] | None = None,
    ) -> list[tuple[str, float]]:
        """(paper id, BM25 score) best first; filter-only queries list papers newest first with score 0.

        weights are (text, title, authors) as FieldWeights: BM25 of a word in title + abstract, a bonus
        for it in the title, and a weight for it in an author's name. At most CANDIDATES papers per
        stream are scored (candidate_streams). `neighbours` (hybrid search: the papers found by meaning)
        stand in for the papers that have every word when those are too costly to find; given as a
        function, it is called only then (hybrid search looks them up meanwhile)."""
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
        stats = self._statistics()
        words = self._words(query.words, stats)
        if query.words and not words:
            return []  # only stop words
        if not words:  # phrases only: each phrase's words are the terms, the phrases the filter
            words = self._words(query.phrases, stats)
            if not words:
                return []
        streams, every_dropped = candidate_streams(words, bounded=neighbours is not None)
        filters = "".join(f" AND {w}" for w in where)
        # Each candidate's vector is read (de-TOASTed) once, into the CTE, not once per term.
        select = (
            "(SELECT p.id, p.search || ''::tsvector AS search, "
            "octet_length(p.title) + octet_length(p.abstract) AS chars FROM papers p WHERE "
        )
        parts = [f"{select}p.search @@ %s::tsquery{filters} LIMIT {CANDIDATES})" for _ in streams]
        stream_params = [x for stream in streams for x in (stream, *params)]
        if every_dropped and callable(neighbours):
            neighbours = neighbours()
        if every_dropped and neighbours:
            parts.append(f"{select}p.id = ANY(%s::text[]) AND p.search @@ %s::tsquery{filters})")
            stream_params += [list(neighbours), " | ".join(f"({w.match})" for w in words), *params]
        if not parts:
            return []
        union = " UNION ALL ".join(parts)
        text, title, authors = (float(x) for x in weights)
        terms = [t for word in words for t in word.terms]
        rows = self._all(
            f"WITH candidates AS MATERIALIZED (SELECT DISTINCT ON (id) * FROM ({union}) s) "
            "SELECT c.id, sum(t.idf * CASE WHEN t.name THEN %s * (c.search @@ t.q)::int ELSE "
            f"%s * f.body * {K1 + 1} / (f.body + {K1} * ({1 - B} + {B} * c.chars / %s)) "
            f"+ %s * f.title * {K1 + 1} / (f.title + {K1}) END) AS score "
            "FROM candidates c CROSS JOIN unnest(%s::bool[], %s::tsquery[], %s::float8[]) AS t(name, q, idf) "
            f"CROSS JOIN LATERAL (SELECT CASE WHEN t.name THEN 0 ELSE {tf('{0,0,1,1}')} END AS body, "
            f"CASE WHEN t.name THEN 0 ELSE {tf('{0,0,0,1}')} END AS title OFFSET 0) f "
            "GROUP BY c.id ORDER BY score DESC, c.id DESC LIMIT %s",
            (
                *stream_params,
                authors,
                text,
                stats.average_length,
                title,
                [t.name for t in terms],
                [t.tsquery for t in terms],
                [t.idf for t in terms],
                limit,
            ),
        )
        return [(pid, float(s)) for pid, s in rows]

    def typos(self, words: Sequence[str]) -> list[str]:
        """The words (4 letters or more) no paper has, as keyword_search tells them: from pg_stats, and
        the GIN index for the words it does not track (short postings; common words' cost ms each)."""
        return [text for _, text, _ in self._counted(words, self._statistics())[1]]

    def _words(self, texts: Sequence[str], stats: Statistics) -> list[Word]:
        """Each typed word as a Word (stemmed in titles and abstracts, as typed in author names); a word
        no paper contains brings the words near it that some paper has (postgres_words), at TYPO_WEIGHT."""
        words, unknown = self._counted(texts, stats)
        for group, text, lexeme in unknown:  # likely typos: the words of the corpus near them match
            edits = " | ".join(postgres_words.one_edit_away(text))
            row = self._one("SELECT to_tsquery('english', %s)::text", (edits,))
            variants = {x.replace("''", "'") for x in _LEXEME.findall(row[0] if row else "")}
            if stats.words and len(lexeme) >= postgres_words.LONG_WORD:
                with self._connection("reading from") as conn:
                    variants.update(postgres_words.near(conn, lexeme))
            variants = sorted(variants)
            found = [x for x in variants if x in stats.freqs]
            rest = [x for x in variants if x not in stats.freqs]
            if rest:
                found += [
                    r[0]
                    for r in self._all(
                        "SELECT l FROM unnest(%s::text[]) l WHERE EXISTS "
                        "(SELECT 1 FROM papers WHERE search @@ quote_literal(l)::tsquery)",
                        (rest,),
                    )
                ]
            for lexeme in sorted(found):
                words.append(stats.word(group, _quoted(lexeme), "", TYPO_WEIGHT))
        return words

    def _counted(
        self, texts: Sequence[str], stats: Statistics
    ) -> tuple[list[Word], list[tuple[int, str, str]]]:
        """Each typed word as a Word with its papers counted where pg_stats cannot tell, and the likely
        typos, the plain words no paper has: (group, the word as typed, its lexeme)."""
        if not texts:
            return [], []
        rows = self._all(
            "SELECT phraseto_tsquery('english', w)::text, phraseto_tsquery('simple', w)::text "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) ORDER BY n",
            (list(texts),),
        )
        words, typed = [], {}
        for group, (text, (english, simple)) in enumerate(zip(texts, rows, strict=True)):
            if not english and not simple:
                continue
            words.append(stats.word(group, english, simple))
            if english and " " not in english and len(text) >= 4 and text.isalpha():
                typed[group] = (text, _LEXEME.findall(english)[0])  # if no paper has it, a likely typo
        # A word with a lexeme pg_stats does not track (or any word, without statistics) is rarer than
        # those it does, but how rare decides which words lead the candidates: counted, up to
        # CANDIDATES + 1 papers. Its few postings make that cheap; each tsquery is a constant, so that
        # the GIN index answers it.
        guessed = [i for i, w in enumerate(words) if not w.tracked]
        if guessed:
            counts = self._one(
                "SELECT "
                + ", ".join(
                    f"(SELECT count(*) FROM (SELECT 1 FROM papers WHERE search @@ %s::tsquery "
                    f"LIMIT {CANDIDATES + 1}) s)"
                    for _ in guessed
                ),
                [words[i].match for i in guessed],
            )
            for i, count in zip(guessed, counts, strict=True):
                words[i] = replace(words[i], papers=float(count))
        return words, [(w.group, *typed[w.group]) for w in words if w.papers == 0 and w.group in typed]

    def _statistics(self) -> Statistics:
        """The lexeme frequencies ANALYZE keeps in pg_stats and the average length of title + abstract,
        read again after STATS_TTL_S. A new or tiny database without statistics weighs every word 1."""
        now = time.monotonic()
        with self._stats_lock:
            stats = getattr(self, "_search_stats", None)
            if stats is None or now - stats.read_at > STATS_TTL_S:
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
                # A sample of about LENGTH_SAMPLE papers' pages (all of them while there are few).
                share = min(100.0, 100.0 * LENGTH_SAMPLE / rows) if rows and rows > 0 else 100.0
                average, words = self._one(
                    "SELECT avg(octet_length(title) + octet_length(abstract)), "
                    "to_regclass('paper_words') IS NOT NULL "
                    f"FROM papers TABLESAMPLE SYSTEM ({share:.6f})"
                )
                categories, category_floor = self._category_shares()
                stats = Statistics(
                    now,
                    freqs,
                    floor,
                    int(rows or 0),
                    float(average or 1),
                    bool(words),
                    categories,
                    category_floor,
                )
                self._search_stats = stats
        return stats

    def _category_shares(self) -> tuple[dict[str, float], float]:
        """Each category's share of papers, as ANALYZE keeps it for the papers_categories index (every
        category of a hub of this size: there are a few hundred), and the share assumed for the others."""
        row = self._one(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = 'papers_categories'"
        )
        if not row or not row[0]:
            return {}, 0.0
        names, values = row
        # After the frequencies come their least, their greatest and the share of nulls: an untracked
        # category is rarer than the least.
        return dict(zip(names, values, strict=False)), values[len(names)]

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
