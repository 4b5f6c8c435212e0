"""The recommendation model, pure: vectors in, scores out (docs/recommendations.md).

Every paper is its stored MiniLM vector (L2-normalised, 384-d). A request's model is trained on the
spot from what the caller likes and dislikes, and scores a pool of papers with two views blended:

- *nearest liked paper*: a paper's cosine similarity to the closest positive, minus NEGATIVE_PULL
  times its similarity to the closest negative, so a paper next to a dismissed one sinks even when it
  is also near a liked one;
- *a linear model* over the vectors: weighted ridge regression (one linear solve, no iterations), the
  positives (+1) against the explicit negatives (-1, weighted NEGATIVE_WEIGHT times a background
  paper) and the background (-1): papers the caller did not pick, as arxiv-sanity-lite treats every
  other paper. It learns which directions of the space the positives share, beyond any single one.

The best RERANK papers by these are then ranked again with words (`rerank`, `Lexical` from words.py):
the tf-idf cosine similarity to the closest liked paper (minus the pull of the closest disliked one)
and to the liked papers' centroid. Words catch what a small embedding blurs: the names of methods,
data sets and objects; reading them for a shortlist only keeps a request's cost flat in the pool's size.

Each view is standardised over the pool (mean 0, standard deviation 1) before blending, so the blend
does not depend on the views' scales. The result is deterministic: the same inputs give the same
order (ties by pool position).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEAREST_WEIGHT = 0.5  # the blend: nearest liked paper against the linear model (benchmarks/recommend.py)
NEGATIVE_PULL = 0.6  # how much the nearest negative's similarity takes off the nearest positive's
NEGATIVE_WEIGHT = 4.0  # an explicit negative counts this many background papers in the linear model
RIDGE = 1.0  # the linear model's L2 penalty (on a problem whose weights sum to the sample count)
LEXICAL_WEIGHT = 0.3  # the words' share of the score, against the vectors'
RERANK = 100  # the papers ranked again with their words


@dataclass(frozen=True, slots=True)
class Lexical:
    """The pool's tf-idf cosine similarities: to each positive (n x p), each negative (n x m), and to the
    positives' centroid (n,)."""

    positives: np.ndarray
    negatives: np.ndarray
    centroid: np.ndarray


@dataclass(frozen=True, slots=True)
class Ranking:
    """Scores over a pool, and for each paper its nearest positive (row index) and that similarity."""

    scores: np.ndarray  # (n,) higher is better
    nearest: np.ndarray  # (n,) int: the row of `positives` each pool paper is closest to
    similarity: np.ndarray  # (n,) the cosine similarity to that positive

    def order(self) -> np.ndarray:
        """Pool rows, best first; equal scores keep pool order."""
        return np.argsort(-self.scores, kind="stable")


def rank(
    pool: np.ndarray,
    positives: np.ndarray,
    negatives: np.ndarray | None = None,
    background: np.ndarray | None = None,
) -> Ranking:
    """Score each row of `pool` (n x d) from `positives` (p x d, p >= 1), `negatives` (m x d) and the
    `background` the linear model sets the positives against (the pool itself when None)."""
    if len(positives) == 0:
        raise ValueError("at least one positive is needed")
    d = pool.shape[1]
    negatives = np.zeros((0, d), np.float32) if negatives is None else negatives
    background = pool if background is None else background
    sims = pool @ positives.T  # (n, p)
    nearest = np.argmax(sims, axis=1)
    similarity = sims[np.arange(len(pool)), nearest]
    near = similarity.copy()
    if len(negatives):
        near -= NEGATIVE_PULL * np.max(pool @ negatives.T, axis=1)
    w = ridge(positives, negatives, background)
    linear = pool @ w[:-1] + w[-1]
    scores = NEAREST_WEIGHT * standardise(near) + (1 - NEAREST_WEIGHT) * standardise(linear)
    return Ranking(scores.astype(np.float32), nearest, similarity.astype(np.float32))


def rerank(scores: np.ndarray, lexical: Lexical) -> np.ndarray:
    """The best papers' scores (by the vectors) blended with their words: LEXICAL_WEIGHT of the new
    score, both sides standardised over these papers."""
    closest = lexical.positives.max(axis=1)
    if lexical.negatives.shape[1]:
        closest = closest - NEGATIVE_PULL * lexical.negatives.max(axis=1)
    words = 0.5 * standardise(closest) + 0.5 * standardise(lexical.centroid)
    return ((1 - LEXICAL_WEIGHT) * standardise(scores) + LEXICAL_WEIGHT * words).astype(np.float32)


def ridge(positives: np.ndarray, negatives: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Weights (d + 1, the last the bias) of a class-balanced ridge regression: positives +1, negatives
    and background -1. Half the total weight goes to the positives, half to the others, of which each
    explicit negative weighs NEGATIVE_WEIGHT background papers."""
    x = np.vstack([positives, negatives, background]).astype(np.float64)
    x = np.hstack([x, np.ones((len(x), 1))])
    p, m, b = len(positives), len(negatives), len(background)
    y = np.concatenate([np.ones(p), -np.ones(m + b)])
    others = NEGATIVE_WEIGHT * m + b
    c = np.concatenate(
        [np.full(p, 0.5 / p), np.full(m, 0.5 * NEGATIVE_WEIGHT / others), np.full(b, 0.5 / others)]
    ) * len(x)
    weighted = x * c[:, None]
    a = weighted.T @ x
    a[np.diag_indices_from(a)] += RIDGE
    return np.linalg.solve(a, weighted.T @ y)


def standardise(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / (spread if spread > 1e-9 else 1.0)
