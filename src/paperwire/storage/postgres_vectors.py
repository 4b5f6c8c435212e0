"""Search inside PostgreSQL by meaning: pgvector's HNSW index over `embeddings.embedding` (halfvec(384),
migration 0005), filtered by the same SQL conditions as keyword search; a filter to few papers (by
category, migration 0008's index) ranks those papers exactly instead.

Mixed into PostgresStore beside PostgresSearch, whose `_statistics` gives the categories' counts.
"""

from __future__ import annotations

import struct

import numpy as np
import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import Format

from paperwire.models.search import Query
from paperwire.storage.postgres_search import conditions

# HNSW candidates examined (at least the number of neighbours asked for). At 1M papers, 200 found 66% of
# the exact 200 nearest; 600 finds 79%, as many as usearch's index (76%), for about 3 ms more.
EF_SEARCH = 600
MAX_SCANNED = "40000"  # how far a filtered search may walk the graph (pgvector iterative scan)
# A search by meaning filtered to categories that together hold at most this many papers (by ANALYZE's
# estimate) ranks all of them exactly instead of walking the graph: at 1M papers 27,000 took 130 ms that
# way against 640 ms by the walk, which for a rare category also stops at MAX_SCANNED short of results.
EXACT_ROWS = 30_000


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


class PostgresVectors:
    """Nearest neighbours for PostgresStore; uses its `_connection`, `_all` and `_statistics`."""

    def nearest(self, vector: np.ndarray, limit: int, query: Query | None = None) -> list[tuple[str, float]]:
        """(paper id, cosine similarity) best first, from the HNSW index; with a query, only papers that
        pass its filters, exclusions and phrases (pgvector's iterative scan walks on until enough do)."""
        where, params = conditions(query.filters, query.excluded, query.phrases) if query else ([], [])
        probe = halfvec(vector)
        if query and query.filters.categories:
            papers = self._statistics().category_papers(query.filters.categories)
            if papers is not None and papers <= EXACT_ROWS:
                # Few papers pass: rank them all (through the categories' index), as exact search does.
                rows = self._all(
                    f"WITH f AS MATERIALIZED (SELECT p.id FROM papers p WHERE {' AND '.join(where)}) "
                    "SELECT e.paper_id, e.embedding <=> %s::halfvec AS d FROM f "
                    "JOIN embeddings e ON e.paper_id = f.id ORDER BY d LIMIT %s",
                    (*params, probe, limit),
                )
                return _by_similarity(rows)
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
        return _by_similarity(rows)


def _by_similarity(rows) -> list[tuple[str, float]]:
    """(paper id, cosine distance) rows as (paper id, similarity), best first, ties by id."""
    return sorted(((pid, 1.0 - float(d)) for pid, d in rows), key=lambda r: (-r[1], r[0]))
