"""A stored vector's bytes: little-endian float16, as the `embeddings` table holds them (768 bytes for
384 dimensions). Only numpy: the indexer, feedback and related papers read and write these on a
PostgreSQL hub too, where no vector index file (usearch) is loaded."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def to_blob(vector: np.ndarray) -> bytes:
    return vector.astype("<f2").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f2").astype(np.float32)


def from_blobs(blobs: Sequence[bytes]) -> np.ndarray:
    """Vectors of equal length as the rows of one float32 matrix (no copy per vector)."""
    if not blobs:
        return np.zeros((0, 0), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f2").reshape(len(blobs), -1).astype(np.float32)
