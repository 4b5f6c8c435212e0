"""The vector index: usearch HNSW over the stored embeddings, saved as one file with a manifest.

The store holds every embedding (float16); this index is a cache of them that can always be rebuilt.
Its manifest records the model and the last (seq, key) it holds, and `catch_up` adds what the store
gained since, so that every process sees vectors written by any other. Small corpora are searched
exactly; larger ones through the graph.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np
from usearch.index import Index

from paperwire.search.blobs import from_blob
from paperwire.search.model import ModelInfo
from paperwire.storage import Store

EXACT_BELOW = 20_000  # below this many vectors, brute force is fast enough and has perfect recall
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 256
_CATCH_UP_BATCH = 20_000
_ADD_CHUNK = 16  # vectors added under the lock at a time (see catch_up)


class VectorIndex:
    def __init__(self, folder: Path, info: ModelInfo, store_id: str):
        self.file = folder / "vectors.usearch"
        self._manifest = folder / "vectors.json"
        self.info, self.store_id = info, store_id
        self._lock = threading.Lock()  # held by searches and by each insert
        self._catching = threading.Lock()  # one catch-up at a time: its inserts come in chunks
        folder.mkdir(parents=True, exist_ok=True)
        self._after = (0, 0)
        self.generation: str | None = None  # of the stored embeddings this index was built from
        self._index = self._load()

    def _new(self) -> Index:
        return Index(
            ndim=self.info.dim,
            metric="cos",
            dtype="f16",
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )

    def _load(self) -> Index:
        try:
            manifest = json.loads(self._manifest.read_text())
        except (OSError, ValueError):
            return self._new()
        try:
            theirs = ModelInfo(**manifest["model"])
        except (KeyError, TypeError):
            return self._new()
        # A cache of another model or database starts again from the store; one written while the
        # embeddings had another recipe of this model holds the same vectors as the store, so it is kept.
        if not self.info.compatible(theirs) or manifest.get("store") != self.store_id:
            return self._new()
        index = self._new()
        try:
            index.load(str(self.file))
        except (OSError, RuntimeError, ValueError):
            return self._new()
        self._after = tuple(manifest["after"])
        self.generation = manifest.get("generation")
        return index

    def __len__(self) -> int:
        return len(self._index)

    def catch_up(self, store: Store) -> int:
        """Add the embeddings the store gained since this index last looked; how many."""
        with self._catching:
            generation = store.embeddings.get_search_meta("embedding_generation")
            if generation != self.generation:  # `paperwire index --rebuild` ran: start again from the store
                with self._lock:
                    self._index = self._new()
                    self._after = (0, 0)
                self.generation = generation
            added = 0
            while rows := store.embeddings.embeddings_since(self._after, _CATCH_UP_BATCH):
                keys = np.array([r.key for r in rows], dtype=np.uint64)
                vectors = np.stack([from_blob(r.vector) for r in rows])
                self._replace(keys, vectors)
                self._after = (rows[-1].seq, rows[-1].key)
                added += len(rows)
            return added

    def _replace(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Put these vectors under these keys. A bulk load (start-up, a rebuild elsewhere) uses every
        core; the indexer's batches go in a few at a time, so a search waits for one chunk's insert, not
        a batch's (which takes up to seconds on a large index, at the indexer's low priority)."""
        with self._lock:
            present = keys[[k in self._index for k in keys.tolist()]] if len(self._index) else []
            if len(present):
                self._index.remove(present)
            if len(keys) > 1_000:
                self._index.add(keys, vectors, threads=0)
                return
        for start in range(0, len(keys), _ADD_CHUNK):
            chunk = slice(start, start + _ADD_CHUNK)
            with self._lock:
                self._index.add(keys[chunk], vectors[chunk], threads=1)

    def save(self) -> None:
        tmp = self.file.with_suffix(".tmp")
        with self._lock:
            self._index.save(str(tmp))
            after = self._after
        os.replace(tmp, self.file)
        manifest = {
            "model": json.loads(self.info.to_json()),
            "store": self.store_id,
            "generation": self.generation,
            "after": list(after),
        }
        tmp = self._manifest.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest))
        os.replace(tmp, self._manifest)

    def clear(self) -> None:
        with self._lock:
            self._index = self._new()
            self._after = (0, 0)
            self.generation = None
        self._manifest.unlink(missing_ok=True)
        self.file.unlink(missing_ok=True)

    def search(self, vector: np.ndarray, count: int) -> list[tuple[int, float]]:
        """(key, cosine similarity) best first."""
        with self._lock:
            size = len(self._index)
            if not size:
                return []
            found = self._index.search(vector, min(count, size), exact=size < EXACT_BELOW, threads=1)
        return [(int(k), 1.0 - float(d)) for k, d in zip(found.keys, found.distances, strict=True)]

    def vector(self, key: int) -> np.ndarray | None:
        with self._lock:
            if key not in self._index:
                return None
            return np.asarray(self._index.get(key), dtype=np.float32)
