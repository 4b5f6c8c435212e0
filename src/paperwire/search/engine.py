"""Hybrid search over the store: keyword and semantic candidates, fused, with pinned exact matches."""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from paperwire import PaperwireError
from paperwire.models.papers import Paper
from paperwire.models.search import BadQuery, Filters, Query
from paperwire.search import feedback, fusion, suggest
from paperwire.search.coverage import Coverage, CoverageCount
from paperwire.search.keyword import FieldWeights, KeywordIndex, OutdatedIndex
from paperwire.search.model import RECIPE, Embedder, ModelInfo, Recipe, load_embedder, model_info, recipe_of
from paperwire.search.native import NativeKeyword, NativeVectors
from paperwire.search.query import MAX_LIMIT, parse_query
from paperwire.storage import Store

if TYPE_CHECKING:  # imported when first used: a keyword search needs no vector index (usearch)
    import numpy as np

    from paperwire.search.vectors import VectorIndex

log = logging.getLogger("paperwire.search")
DEPTH = 200  # candidates taken from each side; results are pages of the fused list of these
MODES = ("hybrid", "keyword", "semantic")
IN_DATABASE = ("none", "semantic", "all")  # which sides PostgreSQL answers itself (SearchEngine)
_FILTERED_DEPTH = 1_000  # semantic candidates before filtering, when filters or exclusions apply
# Nearest neighbours exist for any query; below this cosine similarity they are unrelated papers
# (MiniLM puts unrelated abstracts at about 0 to 0.15) and are not results.
MIN_SIMILARITY = 0.2


@dataclass(slots=True)
class Hit:
    paper: Paper
    score: float
    keyword: float | None = None  # BM25 score, when the paper was a keyword candidate
    semantic: float | None = None  # cosine similarity, when it was a semantic candidate
    pinned: str | None = None  # "id" or "title": an exact match placed first


@dataclass(slots=True)
class Results:
    query: Query
    hits: list[Hit]
    offset: int
    limit: int
    mode: str
    total: int  # how many results the fused list holds (at most 2 x DEPTH, plus pinned papers)
    semantic_used: bool
    timings_ms: dict[str, float] = field(default_factory=dict)
    coverage: Coverage | None = None  # for searches by meaning (hybrid, semantic)
    did_you_mean: str | None = None  # the query spelled as the index does, when it matched by typo only


class SearchEngine:
    """Owns the indexes under `folder`; shared by the threads of one process.

    `in_database` says which sides a store with native search (PostgreSQL) answers itself (IN_DATABASE):
    "none", both from the files under `folder` (tantivy and usearch, as on SQLite); "semantic", the
    vectors from pgvector and keywords from tantivy; "all", both from the database, and no files but
    the embedder's lock. A store without native search (SQLite) always uses the files."""

    def __init__(
        self,
        store: Store,
        folder: Path,
        model_dir: Path,
        weights: FieldWeights | None = None,
        semantic_weight: float = fusion.SEMANTIC_WEIGHT,
        fuse: str = "weighted",
        in_database: str = "none",
    ):
        self.store, self.folder, self.model_dir = store, folder, model_dir
        self.semantic_weight, self.fuse = semantic_weight, fuse
        self.feedback = feedback.WEIGHT  # 0: no feedback (the benchmarks compare both)
        if in_database not in IN_DATABASE:
            raise ValueError(f"in_database must be one of {', '.join(IN_DATABASE)}, not {in_database!r}")
        self.keyword_in_database = store.native_search and in_database == "all"
        self.vectors_in_database = store.native_search and in_database in ("semantic", "all")
        self.info: ModelInfo = model_info()
        self.store_id = self._store_id()
        self.keyword: KeywordIndex | NativeKeyword = (
            NativeKeyword(store, weights) if self.keyword_in_database else self._open_keyword(weights)
        )
        self._embedder: Embedder | None = None
        self._vectors: VectorIndex | NativeVectors | None = (
            NativeVectors(store) if self.vectors_in_database else None
        )
        self._load_lock = threading.Lock()
        self._coverage = CoverageCount(self._count_coverage)
        # Hybrid search on `all`: meaning is looked up beside the words, on a connection of its own.
        self._beside = ThreadPoolExecutor(4, "paperwire-semantic") if self.keyword_in_database else None

    # -- the indexes ------------------------------------------------------------------------------

    def _store_id(self) -> str:
        found = self.store.embeddings.get_search_meta("store_id")
        if found is None:
            found = uuid.uuid4().hex
            self.store.embeddings.set_search_meta("store_id", found)
        return found

    def _open_keyword(self, weights: FieldWeights | None) -> KeywordIndex:
        path = self.folder / "keyword"
        try:
            return KeywordIndex(path, self.store_id, weights)
        except OutdatedIndex as exc:  # derived data: build it again from the store
            log.warning("%s; rebuilding it from the database", exc)
            shutil.rmtree(path)
            return KeywordIndex(path, self.store_id, weights)

    def check_model(self) -> None:
        """Refuse embeddings made by another model: they cannot be compared with ours."""
        self._has_embeddings()

    def _has_embeddings(self) -> bool:
        """Whether anything was embedded; raises if it was embedded by another model (an older recipe
        of this model is fine: its vectors answer queries until `paperwire index --rebuild`)."""
        stored = self.store.embeddings.get_search_meta("embedding_model")
        if stored is None:
            return False
        if stored == self.info.to_json():
            return True
        theirs = ModelInfo.from_json(stored)
        if self.info.compatible(theirs) and recipe_of(theirs) is not None:
            return True
        raise PaperwireError(
            f"the stored embeddings were built with {theirs.name} ({theirs.source}, {theirs.build}, "
            f"{theirs.dim}-d, {theirs.recipe}) and this Paperwire uses {self.info.name} ({self.info.source}, "
            f"{self.info.build}): run `paperwire index --rebuild`"
        )

    @property
    def recipe(self) -> Recipe:
        """The recipe new papers are embedded with: the stored embeddings' own until a rebuild, so that
        the hub's vectors stay alike."""
        stored = self.store.embeddings.get_search_meta("embedding_model")
        return (stored and recipe_of(ModelInfo.from_json(stored))) or RECIPE

    def outdated_recipe(self) -> bool:
        """Whether the stored embeddings were made with an older recipe than this Paperwire's."""
        return self.recipe != RECIPE

    def coverage(self) -> Coverage:
        """How many papers meaning search reaches (search/coverage.py: a count kept per process)."""
        return self._coverage.get()

    def _count_coverage(self) -> Coverage:
        papers = self.keyword.count()  # the index files count for free; in the database, a count
        try:
            usable = self._has_embeddings()
            note = None
        except PaperwireError:
            usable, note = False, "meaning search is off until `paperwire index --rebuild` has run"
        embedded = min(len(self.vectors), papers) if usable else 0
        if note is None and papers > 0 and embedded < papers:
            note = f"meaning search covers {embedded:,} of {papers:,} papers"
        return Coverage(embedded, papers, note)

    def forget_coverage(self) -> None:
        """Count again at the next search (this process embedded papers)."""
        self._coverage.forget()

    @property
    def embedder(self) -> Embedder:
        with self._load_lock:
            if self._embedder is None:
                self._embedder = load_embedder(self.model_dir)
            return self._embedder

    @property
    def vectors(self) -> VectorIndex | NativeVectors:
        with self._load_lock:
            if self._vectors is None:
                from paperwire.search.vectors import VectorIndex

                self._vectors = VectorIndex(self.folder, self.info, self.store_id)
        return self._vectors

    def sync_keyword(self, wait: bool = True) -> int | None:
        return self.keyword.sync(self.store, wait=wait)

    def catch_up_vectors(self) -> int:
        if not self._has_embeddings():
            return 0
        return self.vectors.catch_up(self.store)

    # -- searching --------------------------------------------------------------------------------

    def search(
        self,
        text: str,
        filters: Filters | None = None,
        limit: int = 10,
        offset: int = 0,
        mode: str = "hybrid",
    ) -> Results:
        started = time.perf_counter()
        if not 1 <= limit <= MAX_LIMIT:
            raise BadQuery(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if offset < 0:
            raise BadQuery(f"offset must be 0 or more, not {offset}")
        if mode not in MODES:
            raise BadQuery(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        query = parse_query(text, filters)
        timings: dict[str, float] = {}
        clock = _Clock(timings)
        pinned = self._pinned(query)
        clock.lap("exact")
        keyword: list[tuple[str, float]] = []
        semantic: list[tuple[str, float]] = []
        vector = None
        if "id" in pinned.values():  # an arXiv id of a stored paper, in any form: just that paper
            fused = []
        elif query.empty:  # filters only: everything that passes them, newest first
            keyword = self.keyword.search(query, offset + limit + len(pinned)) if query.filters.active else []
            fused = [(pid, 0.0) for pid, _ in keyword]
        else:
            if mode == "hybrid" and self._beside is not None:
                # Meaning and words at once, each on its own connection; the words wait for the papers
                # found by meaning only when they score those (NativeKeyword.search).
                beside = _Clock(timings)
                found = self._beside.submit(self._semantic, query, beside)
                keyword = self.keyword.search(
                    query, DEPTH, neighbours=lambda: [pid for pid, _ in found.result()[1]]
                )
                clock.lap("keyword")
                vector, semantic = found.result()
                clock.lap("semantic wait")
            else:
                if mode != "semantic":
                    keyword = self.keyword.search(query, DEPTH)
                    clock.lap("keyword")
                if mode != "keyword":
                    vector, semantic = self._semantic(query, clock)
            if mode == "hybrid" and semantic and self.feedback and feedback.applies(query):
                semantic = self._feedback(vector, keyword, semantic, clock)
            fused = (
                self._fused(keyword, semantic)
                if mode == "hybrid"
                else fusion.ordered(dict(keyword or semantic))
            )
        clock.lap("fuse")
        kw, sem = dict(keyword), dict(semantic)
        ranked = [(pid, "pinned", how) for pid, how in pinned.items()]
        ranked += [(pid, score, None) for pid, score in fused if pid not in pinned]
        page = ranked[offset : offset + limit]
        papers = self.store.papers.get_papers([pid for pid, _, _ in page])
        hits = [
            Hit(
                paper=papers[pid],
                score=1.0 if how else round(score, 6),
                keyword=kw.get(pid),
                semantic=sem.get(pid),
                pinned=how,
            )
            for pid, score, how in page
            if pid in papers
        ]
        clock.lap("fetch")
        did_you_mean = suggest.did_you_mean(self.store, self.keyword, query, keyword) if keyword else None
        clock.lap("suggest")
        timings["total"] = round((time.perf_counter() - started) * 1000, 2)
        coverage = self.coverage() if mode != "keyword" and not query.empty else None
        return Results(
            query, hits, offset, limit, mode, len(ranked), bool(semantic), timings, coverage, did_you_mean
        )

    def _pinned(self, query: Query) -> dict[str, str]:
        """Exact matches, placed first: the stored paper whose arXiv id is the query (then it is the only
        result), or the papers whose title is the query."""
        pinned: dict[str, str] = {}
        for candidate in query.paper_ids:
            if self.store.papers.get_papers([candidate]):
                return {candidate: "id"}
        if not query.empty and not query.excluded:
            titles = self.keyword.exact_titles(query.text)
            allowed = self.keyword.matching(titles, query.filters, []) if query.filters.active else titles
            for pid in titles:
                if pid in allowed:
                    pinned.setdefault(pid, "title")
        return pinned

    def _fused(self, keyword: list[tuple[str, float]], semantic: list[tuple[str, float]]):
        if self.fuse == "rrf":
            return fusion.rrf(keyword, semantic)
        return fusion.weighted(keyword, semantic, self.semantic_weight)

    def _semantic(self, query: Query, clock: _Clock) -> tuple[np.ndarray | None, list[tuple[str, float]]]:
        """The query's vector and the papers nearest it (None and none while nothing is embedded)."""
        try:
            if not self._has_embeddings():
                return None, []  # nothing embedded yet: keyword results only
        except PaperwireError:  # another model's embeddings: words only, and coverage() says why
            return None, []
        vector = self.embedder.embed_one(query.text)
        clock.lap("embed")
        return vector, self._nearest(query, vector, clock)

    def _feedback(self, vector, keyword, semantic, clock: _Clock) -> list[tuple[str, float]]:
        """The candidates of both sides scored by their cosine to the query's vector moved toward its
        first fused results' (search/feedback.py)."""
        first = [pid for pid, _ in self._fused(keyword, semantic)[: feedback.PAPERS]]
        candidates = dict.fromkeys([pid for pid, _ in semantic] + [pid for pid, _ in keyword])  # each once
        blobs = self.store.embeddings.vectors_for(list(candidates))
        done = feedback.apply(vector, first, blobs, self.feedback, MIN_SIMILARITY, DEPTH)
        if done is None:
            return semantic
        clock.lap("feedback")
        return done[1]

    def _nearest(self, query: Query, vector: np.ndarray, clock: _Clock) -> list[tuple[str, float]]:
        strict = query.filters.active or query.excluded or query.phrases
        if self.vectors_in_database:  # the database applies the filters while it walks the graph
            found = self.vectors.nearest(vector, DEPTH, query if strict else None)
            ranked = [(pid, sim) for pid, sim in found if sim >= MIN_SIMILARITY]
        else:
            found = self.vectors.search(vector, _FILTERED_DEPTH if strict else DEPTH)
            ids = self.store.embeddings.paper_ids_for_keys([key for key, _ in found])
            ranked = [(ids[key], sim) for key, sim in found if key in ids and sim >= MIN_SIMILARITY]
        # The keyword index has the last word on filters, so that both sides obey the same rules: its
        # rules and PostgreSQL's SQL conditions differ at the edges (tantivy folds accents, for one).
        if strict and not self.keyword_in_database:
            allowed = self.keyword.matching(
                [pid for pid, _ in ranked], query.filters, query.excluded, required=query.phrases
            )
            ranked = [(pid, sim) for pid, sim in ranked if pid in allowed]
        clock.lap("semantic")
        return ranked[:DEPTH]

    def similar(self, paper_id: str, limit: int = 10) -> list[Hit]:
        """The papers nearest in meaning to paper_id, itself excluded."""
        if not 1 <= limit <= MAX_LIMIT:
            raise BadQuery(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        paper = self.store.papers.get_papers([paper_id]).get(paper_id)
        if paper is None:
            raise KeyError(paper_id)
        if not self._has_embeddings():
            return []
        row = self.store.embeddings.embeddings_for([paper_id]).get(paper_id)
        if row is not None and row.vector is not None:
            from paperwire.search.blobs import from_blob

            vector = from_blob(row.vector)
        else:  # not embedded yet
            vector = self.embedder.embed_papers([(paper.title, paper.abstract)], self.recipe)[0]
        if self.vectors_in_database:
            found = self.vectors.nearest(vector, limit + 1)
            ranked = [(pid, sim) for pid, sim in found if pid != paper_id]
        else:
            found = self.vectors.search(vector, limit + 1)
            ids = self.store.embeddings.paper_ids_for_keys([key for key, _ in found])
            ranked = [(ids[key], sim) for key, sim in found if ids.get(key) not in (None, paper_id)]
        # Equal similarities by paper id, descending, as in search: the same order from either index.
        ranked = sorted(sorted(ranked, reverse=True), key=lambda r: -r[1])[:limit]
        papers = self.store.papers.get_papers([pid for pid, _ in ranked])
        return [Hit(papers[pid], round(sim, 6), semantic=sim) for pid, sim in ranked if pid in papers]


class _Clock:
    def __init__(self, timings: dict[str, float]):
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(self.timings.get(name, 0.0) + (now - self.last) * 1000, 2)
        self.last = now
