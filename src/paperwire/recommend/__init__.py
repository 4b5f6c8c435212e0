"""Recommendations: a model learned per request from liked and disliked papers (and topics), ranking a
pool of papers with a reason for each (docs/recommendations.md)."""

from __future__ import annotations

from paperwire.recommend.service import MAX_IDS, MAX_RESULTS, BadRequest, NothingKnown, Recommender

__all__ = ["MAX_IDS", "MAX_RESULTS", "BadRequest", "NothingKnown", "Recommender"]
