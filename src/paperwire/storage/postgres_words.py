"""The corpus's words on PostgreSQL, for typo tolerance in keyword search (postgres_search, search.md).

A word no paper contains (a likely typo) matches the corpus words one edit away: every string one edit
away is looked up in the GIN index of `papers.search` (`one_edit_away`). Words of LONG_WORD letters or
more also match words two edits away, as in the tantivy index, but those strings are far too many to
look up. Where the server has pg_trgm, `paper_words` holds every stemmed word of the titles and
abstracts, kept by statement triggers on `papers`, with a trigram index: `near` reads the words that
share enough trigrams with the typed one and keeps those within two edits (a transposition counts one,
as in tantivy). `ensure` sets this up, from migration 0007 and from every `paperwire migrate`, so a
server given pg_trgm later gains it; without pg_trgm a long word matches one edit away only. The
triggers' inserts cannot deadlock one another: every write of paper texts takes the store's seq lock.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from rapidfuzz.distance import OSA

LONG_WORD = 8  # as in the tantivy index: a stemmed word this long matches two edits away, shorter one
# The trigram similarity (shared / all distinct trigrams) a word must have with the typed one to be
# checked. Two replacements in an 8-letter word leave 0.2; two swapped pairs can leave less, and such a
# word is missed (tantivy would find it).
SIMILARITY = "0.2"
NEAR_LIMIT = 200  # words checked for their edit distance, the most similar first
# The typed words that are one searchable word (not a stop word) some title or abstract has. (Which
# words no paper has, the likely typos, PostgresSearch.typos tells from pg_stats.)
KNOWN = (
    "SELECT w FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) "
    "CROSS JOIN LATERAL phraseto_tsquery('english', w) q WHERE numnode(q) = 1 "
    "AND EXISTS (SELECT 1 FROM papers WHERE search @@ (querytree(q) || ':AB')::tsquery) ORDER BY n"
)
_LOCK = 0x7077776F726473  # "pwwords": one `ensure` at a time per database
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# The stemmed words of titles and abstracts (weights A and B; names, weight C, are not fuzzed).
_TEXT_WORDS = "SELECT DISTINCT u.lexeme FROM {rows}, unnest(p.search) u WHERE u.weights && '{{A,B}}'::text[]"
_ADD = "INSERT INTO paper_words (word) {select} ORDER BY 1 ON CONFLICT DO NOTHING"
_FUNCTIONS = (
    "CREATE OR REPLACE FUNCTION paperwire_words_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _ADD.format(select=_TEXT_WORDS.format(rows="added p"))
    + "; RETURN NULL; END $$",
    # An update of votes or comments leaves the text alone: only changed texts are read.
    "CREATE OR REPLACE FUNCTION paperwire_words_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _ADD.format(
        select=_TEXT_WORDS.format(rows="added p JOIN before o ON o.id = p.id AND o.search <> p.search")
    )
    + "; RETURN NULL; END $$",
)
_TRIGGERS = (
    "CREATE TRIGGER papers_words_added AFTER INSERT ON papers REFERENCING NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION paperwire_words_added()",
    "CREATE TRIGGER papers_words_changed AFTER UPDATE ON papers "
    "REFERENCING OLD TABLE AS before NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION paperwire_words_changed()",
)


def ensure(conn: psycopg.Connection) -> bool:
    """Set up `paper_words` if the server has pg_trgm and it is not there yet (filled from the papers
    stored); whether it is there now. Commits nothing itself: the caller's transaction does."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
    if conn.execute("SELECT to_regclass('paper_words')").fetchone()[0] is not None:
        return True
    if not _can_create_trgm(conn):
        return False
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    conn.execute("CREATE TABLE paper_words (word text PRIMARY KEY)")
    for sql in (*_FUNCTIONS, *_TRIGGERS):
        conn.execute(sql)
    conn.execute(_ADD.format(select=_TEXT_WORDS.format(rows="papers p")))
    conn.execute("CREATE INDEX paper_words_trigrams ON paper_words USING gin (word gin_trgm_ops)")
    return True


def drop(conn: psycopg.Connection) -> None:
    conn.execute("DROP TABLE IF EXISTS paper_words")
    conn.execute("DROP TRIGGER IF EXISTS papers_words_added ON papers")
    conn.execute("DROP TRIGGER IF EXISTS papers_words_changed ON papers")
    conn.execute("DROP FUNCTION IF EXISTS paperwire_words_added()")
    conn.execute("DROP FUNCTION IF EXISTS paperwire_words_changed()")


def _can_create_trgm(conn: psycopg.Connection) -> bool:
    """Whether pg_trgm is installed in the database, or available and creatable by this role (it is a
    trusted extension: a database owner may create it)."""
    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone():
        return True
    row = conn.execute(
        "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
        "OR (v.trusted AND has_database_privilege(current_database(), 'CREATE')) "
        "FROM pg_available_extensions a JOIN pg_available_extension_versions v "
        "ON v.name = a.name AND v.version = a.default_version WHERE a.name = 'pg_trgm'"
    ).fetchone()
    return bool(row and row[0])


def near(conn: psycopg.Connection, lexeme: str) -> list[str]:
    """The words of `paper_words` one or two edits away from lexeme (which is LONG_WORD or longer)."""
    with conn.transaction():
        conn.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", (SIMILARITY,))
        rows = conn.execute(
            "SELECT word FROM paper_words WHERE word %% %s ORDER BY word <-> %s, word LIMIT %s",
            (lexeme, lexeme, NEAR_LIMIT),
        ).fetchall()
    return [w for (w,) in rows if w != lexeme and OSA.distance(lexeme, w, score_cutoff=2) <= 2]


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


class PostgresWords:
    """The words and titles PostgresStore knows, for SearchEngine; uses its `_all`."""

    def known_words(self, words: Sequence[str]) -> list[str]:
        """The words some title or abstract has (stemmed), each one searchable word."""
        return [r[0] for r in self._all(KNOWN, (list(words),))] if words else []

    def exact_titles(self, text: str, limit: int = 5) -> list[str]:
        rows = self._all(
            "SELECT id FROM papers WHERE paperwire_title_key(title) = paperwire_title_key(%s) "
            "AND paperwire_title_key(%s) <> '' ORDER BY id LIMIT %s",
            (text, text, limit),
        )
        return [r[0] for r in rows]
