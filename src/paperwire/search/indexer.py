"""Embedding papers: only new or changed ones, in committed batches, so a killed run resumes. The same
model pass gives each paper's extract (its summary sentence and key phrases, paperwire.extracts)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from paperwire import PaperwireError
from paperwire.extracts import VERSION as EXTRACTS_VERSION
from paperwire.extracts import Extract, extract
from paperwire.jobs import EMBED, exclusive
from paperwire.search.blobs import to_blob
from paperwire.search.engine import SearchEngine
from paperwire.search.locks import FileLock
from paperwire.search.model import paper_text, text_hash
from paperwire.search.priority import lower_this_thread
from paperwire.storage import EmbeddingRow

BATCH = 256  # papers embedded and committed together: length-sorted across 256, a few seconds of work
SAVE_EVERY_S = 60.0  # the vector index file is rewritten at most this often during a long run
PUBLISH_EVERY_S = 60.0  # new extracts reach visitors' cached pages at most this often during a run


@dataclass(slots=True)
class IndexReport:
    keyword: int = 0  # papers (re)applied to the keyword index
    embedded: int = 0
    unchanged_text: int = 0  # changed papers whose text was the same: their vectors were kept
    seconds: float = 0.0
    tokens: int = 0  # tokens the model read ([CLS] and [SEP] included)
    extracted: int = 0  # papers given an extract (with their embedding, or after it)
    extract_seconds: float = 0.0  # of `seconds`, spent in the pass that extracts for embedded papers

    @property
    def rate(self) -> float:
        """Papers embedded a second (extracts made in the same pass included, the later pass not)."""
        seconds = self.seconds - self.extract_seconds
        return self.embedded / seconds if seconds > 0 else 0.0


class IndexerBusy(PaperwireError):
    """Another process is embedding into this data folder, or for this database."""


_EMBEDDING_ELSEWHERE = (
    "another paperwire process is embedding papers for this database (a `serve` or `paperwire index`, "
    "maybe on another host); its vectors reach this data folder's index on their own"
)


def embed_pending(
    engine: SearchEngine,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
    wait: bool = False,
    extracts: bool = True,
) -> IndexReport:
    """Embed every paper that is new or changed since it was embedded, with its extract; then make the
    extracts embedded papers lack (a hub from before extracts). Commits every BATCH papers.
    `extracts=False` embeds only (for measuring what extracts cost)."""
    store = engine.store
    report = IndexReport()
    with (
        FileLock(engine.folder / "indexer.lock").held(wait) as got,
        exclusive(store, EMBED, wait=wait and got, stop=stop) as embedding,
    ):
        if not got:
            raise IndexerBusy(
                "another paperwire process is indexing this data folder; try again when it ends"
            )
        if not embedding:
            raise IndexerBusy(_EMBEDDING_ELSEWHERE)
        if store.embeddings.get_search_meta("embedding_model") is None:
            store.embeddings.set_search_meta("embedding_model", engine.info.to_json())
        engine.check_model()
        if extracts and store.embeddings.get_search_meta("extracts_version") != EXTRACTS_VERSION:
            store.extracts.clear_extracts()  # made by another version of extract(): made again below
            store.embeddings.set_search_meta("extracts_version", EXTRACTS_VERSION)
        recipe = engine.recipe
        vectors = engine.vectors
        vectors.catch_up(store)
        embedder = engine.embedder
        tokens_before = embedder.tokens
        started = time.perf_counter()
        last_save, last_publish = [started], [started]

        def store_batch(batch, rows: list[EmbeddingRow], embedded: int, texts, found) -> None:
            new = [row for row in rows if row.vector is not None]
            read = found.result()
            # Chosen here, while the other thread has the model read the next batch.
            extracted = extracts_of(texts, read, [row.text_hash for row in new]) if extracts else []
            vectors_found = iter(read[0])
            for row in rows:
                if row.vector is not None:
                    row.vector = to_blob(next(vectors_found))
            store.embeddings.save_embeddings(rows)
            if extracted:
                # Visitors' cached pages are told at most once a minute (and at the end of the run):
                # telling them every batch would empty the page cache all through a long build.
                publish = time.perf_counter() - last_publish[0] > PUBLISH_EVERY_S
                store.extracts.save_extracts(
                    [(row.paper_id, x) for row, x in zip(new, extracted, strict=True)], publish=publish
                )
                if publish:
                    last_publish[0] = time.perf_counter()
            report.embedded += embedded
            report.extracted += len(extracted)
            if progress:
                progress(len(batch))
            vectors.catch_up(store)  # searchable by meaning at once, in this process
            engine.forget_coverage()
            if time.perf_counter() - last_save[0] > SAVE_EVERY_S:
                vectors.save()
                last_save[0] = time.perf_counter()

        # One batch is embedded while the one before is stored, so that both cores keep embedding
        # through the commits and the vector index's additions. Embedding runs at the lowest CPU
        # priority (priority.py): a request on the same host comes first.
        after: tuple[int, str] = (0, "")
        pending = None
        with ThreadPoolExecutor(1, "embed-ahead", initializer=lower_this_thread) as ahead:
            while True:
                batch = [] if stop and stop.is_set() else store.embeddings.unembedded_papers(after, BATCH)
                upcoming = None
                if batch:
                    texts, rows = [], []
                    for seq, paper, old_hash in batch:
                        digest = text_hash(paper_text(paper.title, paper.abstract), recipe)
                        if digest == old_hash:
                            rows.append(EmbeddingRow(paper.id, seq, digest, None))
                            report.unchanged_text += 1
                        else:
                            texts.append((paper.title, paper.abstract))
                            rows.append(EmbeddingRow(paper.id, seq, digest, b""))
                    found = ahead.submit(embedder.read_papers, texts, recipe, extracts, bulk=True)
                    upcoming = (batch, rows, len(texts), texts, found)
                    after = (batch[-1][0], batch[-1][1].id)
                if pending:
                    store_batch(*pending)
                if upcoming is None:
                    break
                pending = upcoming
        if extracts:
            began = time.perf_counter()
            _extract_lacking(engine, report, stop)
            report.extract_seconds = time.perf_counter() - began
        if report.extracted:
            store.extracts.publish()
        report.seconds = time.perf_counter() - started
        report.tokens = embedder.tokens - tokens_before
        vectors.catch_up(store)
        vectors.save()
    return report


def rebuild(engine: SearchEngine, progress: Callable[[int], None] | None = None) -> IndexReport:
    """Drop every embedding and both indexes, then build them again with this Paperwire's model."""
    with (
        FileLock(engine.folder / "indexer.lock").held(False) as got,
        exclusive(engine.store, EMBED) as embedding,
    ):
        if not got:
            raise IndexerBusy(
                "another paperwire process is indexing this data folder; try again when it ends"
            )
        if not embedding:
            raise IndexerBusy(_EMBEDDING_ELSEWHERE)
        engine.store.embeddings.clear_embeddings()
        engine.store.extracts.clear_extracts()
        engine.store.embeddings.set_search_meta("embedding_model", engine.info.to_json())
        # Other processes hold vector indexes keyed by the old embeddings: this tells them to start over.
        engine.store.embeddings.set_search_meta("embedding_generation", uuid.uuid4().hex)
        engine.vectors.clear()
    report = IndexReport(keyword=engine.keyword.rebuild(engine.store))
    pending = embed_pending(engine, progress)
    pending.keyword = report.keyword
    return pending


def extracts_of(papers: list[tuple[str, str]], read: tuple, digests: list[str]) -> list[Extract]:
    """The extracts of papers the model has read (`Embedder.read_papers`' vectors and tokens)."""
    vectors, tokens = read
    return [
        extract(title.strip(), abstract.strip(), paper_tokens, vector, digest)
        for (title, abstract), paper_tokens, vector, digest in zip(
            papers, tokens, vectors, digests, strict=True
        )
    ]


def _extract_lacking(engine: SearchEngine, report: IndexReport, stop: threading.Event | None) -> None:
    """Extracts for embedded papers that lack one (embedded before extracts existed, or by another
    version of them): the model reads them again, their vectors stay as they are."""
    store, recipe, after = engine.store, engine.recipe, ""
    while not (stop and stop.is_set()):
        batch = store.extracts.papers_lacking_extracts(after, BATCH)
        if not batch:
            return
        after = batch[-1][0]
        # A paper whose text changed since it was embedded gets its extract when it is embedded again.
        due = [(pid, t, a, h) for pid, t, a, h in batch if text_hash(paper_text(t, a), recipe) == h]
        if due:
            texts, digests = [(t, a) for _, t, a, _ in due], [h for *_, h in due]
            made = extracts_of(texts, engine.embedder.read_papers(texts, recipe, bulk=True), digests)
            store.extracts.save_extracts(
                [(pid, x) for (pid, *_), x in zip(due, made, strict=True)], publish=False
            )
            report.extracted += len(made)
