"""Extracts: a paper's summary sentence and key phrases, as the indexer made them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Extract:
    """What the indexer extracted from a paper's text; `text_hash` ties it to that text."""

    summary: str | None
    keywords: list[str] = field(default_factory=list)
    text_hash: str = ""
