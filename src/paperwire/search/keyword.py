"""Keyword search: a tantivy index of titles, abstracts and authors, kept in step with the store.

BM25 per field with boosts (title above abstract above authors), English stemming and stop words,
block-max pruned top-k. The index remembers the last (seq, id) it applied, in a manifest beside it, and
`sync` applies every paper the store changed since. Writers take a file lock; readers never wait.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import tantivy

from paperwire import PaperwireError
from paperwire.models.papers import Paper
from paperwire.models.search import Filters, Query
from paperwire.search.locks import FileLock
from paperwire.storage import Store

SCHEMA_VERSION = 2
_WORD = re.compile(r"\w+")
_SYNC_BATCH = 2_000
_Occur = tantivy.Occur
Progress = Callable[[int], None]


class OutdatedIndex(PaperwireError):
    """The index on disk was built by another version of Paperwire."""


@dataclass(frozen=True, slots=True)
class FieldWeights:
    """BM25 is computed on title + abstract as one text (which ranks best on BEIR), plus a bonus for
    words in the title and a weight for author names: a title word counts 1 + title."""

    text: float = 1.0
    title: float = 0.3
    authors: float = 0.4


def title_key(title: str) -> str:
    """A title reduced for exact matching: case, accents, punctuation and spacing ignored."""
    text = title.lower()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_WORD.findall(text))


def _fuzzed(searcher: tantivy.Searcher, tokens: list[str]) -> bool:
    """Whether a typed word (as analysed) is a likely typo, matched by the words near it."""
    return len(tokens) == 1 and len(tokens[0]) >= 4 and not searcher.doc_freq("text", tokens[0])


def _day(d: date | None) -> int:
    return d.year * 10_000 + d.month * 100 + d.day if d else 0


def _analyzers() -> dict[str, tantivy.TextAnalyzer]:
    tok, flt = tantivy.Tokenizer, tantivy.Filter
    text = (
        tantivy.TextAnalyzerBuilder(tok.simple())
        .filter(flt.remove_long(40))
        .filter(flt.lowercase())
        .filter(flt.ascii_fold())
        .filter(flt.stopword("english"))
        .filter(flt.stemmer("english"))
        .build()
    )
    names = (
        tantivy.TextAnalyzerBuilder(tok.simple())
        .filter(flt.remove_long(40))
        .filter(flt.lowercase())
        .filter(flt.ascii_fold())
        .build()
    )
    return {"pw_text": text, "pw_names": names}


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("text", tokenizer_name="pw_text")  # title, then abstract
    b.add_text_field("title", tokenizer_name="pw_text")
    b.add_text_field("authors", tokenizer_name="pw_names")
    b.add_text_field("title_key", tokenizer_name="raw", index_option="basic")
    b.add_text_field("cat", tokenizer_name="raw", index_option="basic")
    for name in ("announced", "published", "day"):
        b.add_integer_field(name, indexed=True, fast=True)
    return b.build()


class KeywordIndex:
    def __init__(self, path: Path, store_id: str, weights: FieldWeights | None = None):
        self.path, self.store_id = path, store_id
        self.weights = weights or FieldWeights()
        self._manifest = path / "paperwire.json"
        fresh = not self._manifest.exists()
        if fresh and path.exists():
            shutil.rmtree(path)  # index files without a manifest: their position is unknown
        if not fresh:
            manifest = json.loads(self._manifest.read_text())
            if manifest.get("schema") != SCHEMA_VERSION:
                found = manifest.get("schema")
                raise OutdatedIndex(f"the keyword index in {path} has schema {found}, not {SCHEMA_VERSION}")
            if manifest.get("store") != store_id:
                raise OutdatedIndex(f"the keyword index in {path} was built from another database")
        path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self._index = tantivy.Index(self.schema, str(path), reuse=True)
        self.analyzers = _analyzers()
        for name, analyzer in self.analyzers.items():
            self._index.register_tokenizer(name, analyzer)
        self._lock = FileLock(path / "writer.lock")
        if fresh:
            self._save_position((0, ""))
        self._seen = self._manifest.stat().st_mtime_ns

    # -- keeping in step with the store -----------------------------------------------------------

    def position(self) -> tuple[int, str]:
        seq, pid = json.loads(self._manifest.read_text())["after"]
        return seq, pid

    def _save_position(self, after: tuple[int, str]) -> None:
        tmp = self._manifest.with_suffix(".tmp")
        tmp.write_text(json.dumps({"schema": SCHEMA_VERSION, "store": self.store_id, "after": list(after)}))
        os.replace(tmp, self._manifest)

    def behind(self, store: Store) -> bool:
        return store.papers.change_seq() > self.position()[0]

    def sync(
        self, store: Store, wait: bool = True, progress: Callable[[int], None] | None = None
    ) -> int | None:
        """Apply every change since the last sync; the number of papers applied, None if another
        process holds the writer and wait is False."""
        with self._lock.held(wait) as got:
            if not got:
                return None
            return self._sync_locked(store, progress)

    def _sync_locked(self, store: Store, progress: Progress | None) -> int:
        after = self.position()
        first_build = after == (0, "")
        done = 0
        writer = None
        try:
            while batch := store.papers.changed_papers(after, _SYNC_BATCH):
                if writer is None:
                    threads = 2 if first_build else 1  # a first build is bulk work: use both cores
                    writer = self._index.writer(heap_size=128_000_000 * threads, num_threads=threads)
                for _seq, paper in batch:
                    if not first_build:
                        writer.delete_documents_by_term("id", paper.id)
                    writer.add_document(self._document(paper))
                after = (batch[-1][0], batch[-1][1].id)
                done += len(batch)
                if done % 50_000 < _SYNC_BATCH or len(batch) < _SYNC_BATCH:
                    # Commit, then move the position: a crash in between re-applies, which is harmless.
                    writer.commit()
                    self._save_position(after)
                if progress:
                    progress(len(batch))
            if writer is not None:
                writer.commit()
                writer.wait_merging_threads()
                self._save_position(after)
        finally:
            writer = None
        self._index.reload()
        return done

    def rebuild(self, store: Store) -> int:
        with self._lock.held(True):
            writer = self._index.writer(heap_size=128_000_000, num_threads=1)
            writer.delete_all_documents()
            writer.commit()
            writer.wait_merging_threads()
            self._save_position((0, ""))
            return self._sync_locked(store, None)

    def _document(self, p: Paper) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_text("id", p.id)
        doc.add_text("text", f"{p.title}\n{p.abstract}")
        doc.add_text("title", p.title)
        for name in p.authors:
            doc.add_text("authors", name)
        doc.add_text("title_key", title_key(p.title))
        for cat in p.categories:
            doc.add_text("cat", cat.lower())
        doc.add_integer("announced", _day(p.announced))
        doc.add_integer("published", _day(p.published))
        doc.add_integer("day", _day(p.announced or p.published or p.updated))
        return doc

    # -- searching --------------------------------------------------------------------------------

    def count(self) -> int:
        return self._index.searcher().num_docs

    def refresh_if_changed(self) -> None:
        """See commits made by other processes (the manifest moves after each one)."""
        try:
            stamp = self._manifest.stat().st_mtime_ns
        except OSError:
            return
        if stamp != self._seen:
            self._seen = stamp
            self._index.reload()

    def search(self, query: Query, limit: int) -> list[tuple[str, float]]:
        """(paper id, BM25 score) best first; filter-only queries come newest first with score 0."""
        q = self.build(query)
        if q is None:
            return []
        searcher = self._index.searcher()
        if query.empty:
            hits = searcher.search(q, limit, count=False, order_by_field="day").hits
            return [(searcher.doc(addr)["id"][0], 0.0) for _day_, addr in hits]
        hits = searcher.search(q, limit, count=False).hits
        return [(searcher.doc(addr)["id"][0], score) for score, addr in hits]

    def exact_titles(self, text: str, limit: int = 5) -> list[str]:
        key = title_key(text)
        if not key:
            return []
        searcher = self._index.searcher()
        hits = searcher.search(
            tantivy.Query.term_query(self.schema, "title_key", key), limit, count=False
        ).hits
        return [searcher.doc(addr)["id"][0] for _score, addr in hits]

    def matching(
        self, paper_ids: list[str], filters: Filters, excluded: list[str], required: list[str] = ()
    ) -> set[str]:
        """Which of paper_ids pass the filters, contain every required phrase and no excluded one."""
        if not paper_ids:
            return set()
        clauses = [(_Occur.Must, tantivy.Query.term_set_query(self.schema, "id", paper_ids))]
        clauses += [(_Occur.Must, f) for f in self._filters(filters)]
        clauses += [(_Occur.Must, self._anywhere(text)) for text in required]
        clauses += [(_Occur.MustNot, self._anywhere(text)) for text in excluded]
        searcher = self._index.searcher()
        hits = searcher.search(tantivy.Query.boolean_query(clauses), len(paper_ids), count=False).hits
        return {searcher.doc(addr)["id"][0] for _score, addr in hits}

    def build(self, query: Query) -> tantivy.Query | None:
        # The words' per-field term queries form one flat union: tantivy's block-max WAND prunes a
        # flat union of term scorers, not nested ones (2.2x faster at 1M papers, same scores).
        terms = [q for word in query.words for q in self._word(word)]
        words = tantivy.Query.boolean_query([(_Occur.Should, q) for q in terms]) if terms else None
        filters = self._filters(query.filters)
        if words is not None and not (query.phrases or filters or query.excluded):
            return words
        clauses = [(_Occur.Must, words)] if words is not None else []
        clauses += [(_Occur.Must, self._anywhere(phrase)) for phrase in query.phrases]
        if not clauses and not filters:
            return None  # nothing searchable: only stop words, or only exclusions
        clauses += [(_Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
        clauses += [(_Occur.MustNot, self._anywhere(text)) for text in query.excluded]
        return tantivy.Query.boolean_query(clauses)

    def typos(self, words: Sequence[str]) -> list[str]:
        """The words (letters only) that no title or abstract contains: those match the words near
        them instead (_word)."""
        searcher, analyzer = self._index.searcher(), self.analyzers["pw_text"]
        return [w for w in words if w.isalpha() and _fuzzed(searcher, analyzer.analyze(w))]

    def known_words(self, words: Sequence[str]) -> list[str]:
        """The words some title or abstract has (stemmed), each one searchable word (no stop word)."""
        searcher, analyzer = self._index.searcher(), self.analyzers["pw_text"]
        return [w for w in words if len(t := analyzer.analyze(w)) == 1 and searcher.doc_freq("text", t[0])]

    def _word(self, word: str) -> list[tantivy.Query]:
        """The word in each field, weighted; a word no title or abstract contains (a typo, likely)
        also matches words one or two edits away, at a lower weight."""
        w = self.weights
        searcher = self._index.searcher()
        text_tokens = self.analyzers["pw_text"].analyze(word)
        unknown = _fuzzed(searcher, text_tokens)
        options = []
        fields = (
            ("text", w.text, "pw_text"),
            ("title", w.title, "pw_text"),
            ("authors", w.authors, "pw_names"),
        )
        for name, weight, analyzer in fields:
            if not weight:
                continue
            tokens = text_tokens if analyzer == "pw_text" else self.analyzers[analyzer].analyze(word)
            if not tokens:
                continue
            if len(tokens) > 1:
                q = tantivy.Query.phrase_query(self.schema, name, tokens)
            elif unknown and analyzer == "pw_text":
                distance = 2 if len(tokens[0]) >= 8 else 1
                q = tantivy.Query.fuzzy_term_query(self.schema, name, tokens[0], distance, True, False)
                q = tantivy.Query.boost_query(q, 0.5)
            else:
                q = tantivy.Query.term_query(self.schema, name, tokens[0])
            options.append(tantivy.Query.boost_query(q, weight))
        return options

    def _anywhere(self, text: str) -> tantivy.Query:
        options = []
        for name, analyzer in (("text", "pw_text"), ("authors", "pw_names")):
            tokens = self.analyzers[analyzer].analyze(text)
            if len(tokens) == 1:
                options.append(tantivy.Query.term_query(self.schema, name, tokens[0]))
            elif tokens:
                options.append(tantivy.Query.phrase_query(self.schema, name, tokens))
        if not options:
            return tantivy.Query.empty_query()
        return tantivy.Query.boolean_query([(_Occur.Should, q) for q in options])

    def _filters(self, f: Filters) -> list[tantivy.Query]:
        out = []
        if f.categories:
            out.append(tantivy.Query.term_set_query(self.schema, "cat", [c.lower() for c in f.categories]))
        for author in f.authors:
            tokens = self.analyzers["pw_names"].analyze(author)
            if len(tokens) == 1:
                out.append(tantivy.Query.term_query(self.schema, "authors", tokens[0]))
            elif tokens:
                out.append(tantivy.Query.phrase_query(self.schema, "authors", tokens))
        if f.date_from or f.date_until:
            lower = _day(f.date_from) if f.date_from else 1
            upper = _day(f.date_until) if f.date_until else None
            out.append(
                tantivy.Query.range_query(self.schema, f.date_field, tantivy.FieldType.Integer, lower, upper)
            )
        return out
