"""Embeddings: a paper's stored vector and what it was computed from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class EmbeddingRow:
    """A paper's stored vector (float16 bytes) and what it was computed from."""

    paper_id: str
    seq: int  # the paper's change seq when embedded
    text_hash: str
    vector: bytes | None  # None when saving: the text is unchanged, keep the stored vector
    key: int = 0  # the integer the vector index knows the paper by; assigned by the store
