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
    background: np.ndarray | Background | None = None,
    *,
    removed: np.ndarray | None = None,
    keep: np.ndarray | None = None,
    fast: bool = True,
) -> Ranking:
    """Score the rows `keep` (all when None) of `pool` (n x d) from `positives` (p x d, p >= 1),
    `negatives` (m x d) and the `background` the linear model sets the positives against: rows (the
    pool itself when None) or a precomputed `Background` less its `removed` rows (see `ridge_on`)."""
    if len(positives) == 0:
        raise ValueError("at least one positive is needed")
    d = pool.shape[1]
    negatives = np.zeros((0, d), np.float32) if negatives is None else negatives
    sims = pool @ positives.T  # (n, p); the whole pool's products, then its kept rows: no copy of the pool
    if isinstance(background, Background):
        w = ridge_on(background, positives, negatives, removed, fast=fast)
    else:
        w = ridge(positives, negatives, pool if background is None else background)
    linear = pool @ w[:-1].astype(pool.dtype) + w[-1]
    pull = np.max(pool @ negatives.T, axis=1) if len(negatives) else None
    if keep is not None:
        sims, linear = sims[keep], linear[keep]
        pull = None if pull is None else pull[keep]
    nearest = np.argmax(sims, axis=1)
    similarity = sims[np.arange(len(sims)), nearest]
    near = similarity if pull is None else similarity - NEGATIVE_PULL * pull
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
    x = _augmented(np.vstack([positives, negatives, background]))
    p, m, b = len(positives), len(negatives), len(background)
    y = np.concatenate([np.ones(p), -np.ones(m + b)])
    cp, cm, cb = _class_weights(p, m, b)
    c = np.concatenate([np.full(p, cp), np.full(m, cm), np.full(b, cb)])
    weighted = x * c[:, None]
    a = weighted.T @ x
    a[np.diag_indices_from(a)] += RIDGE
    return np.linalg.solve(a, weighted.T @ y)


@dataclass(slots=True)
class Background:
    """What the linear model needs of its background rows, computed once per pool: their Gram matrix
    with the bias column (X^T X, (d+1) x (d+1)) and their sum (X^T 1); and, once asked for, the Gram
    matrix's eigendecomposition, which makes a request's solve O(d^2 k) for k liked and disliked rows."""

    rows: int
    gram: np.ndarray
    total: np.ndarray
    eigen: tuple[np.ndarray, np.ndarray] | None = None  # (eigenvalues, eigenvectors as columns)

    @classmethod
    def of(cls, rows: np.ndarray) -> Background:
        x = _augmented(rows)
        return cls(len(rows), x.T @ x, x.sum(axis=0))

    def decompose(self) -> tuple[np.ndarray, np.ndarray]:
        if self.eigen is None:  # threads racing here compute the same thing
            values, vectors = np.linalg.eigh(self.gram)
            self.eigen = (np.maximum(values, 0.0), vectors)
        return self.eigen


# Up to this many liked and disliked rows, a low-rank update in the eigenbasis; past it, a plain solve.
WOODBURY_ROWS = 128


def ridge_on(
    background: Background,
    positives: np.ndarray,
    negatives: np.ndarray,
    removed: np.ndarray | None = None,
    *,
    fast: bool = True,
) -> np.ndarray:
    """`ridge(positives, negatives, background rows)` from the background's precomputed Gram matrix,
    less its `removed` rows (liked or disliked papers that are also background papers). `fast`: through
    the eigendecomposition (computed on first use) and the Woodbury identity, else one plain solve."""
    d = background.gram.shape[0] - 1
    removed = np.zeros((0, d), np.float32) if removed is None else removed
    p, m, r = len(positives), len(negatives), len(removed)
    cp, cm, cb = _class_weights(p, m, background.rows - r)
    u = _augmented(np.vstack([positives, negatives, removed]))
    # Removed rows enter with the opposite weight: their -1 target and background weight taken back.
    c = np.concatenate([np.full(p, cp), np.full(m, cm), np.full(r, -cb)])
    y = np.concatenate([np.ones(p), -np.ones(m + r)])
    rhs = u.T @ (c * y) - cb * background.total
    if not fast or len(u) > WOODBURY_ROWS:
        a = cb * background.gram + (u.T * c) @ u
        a[np.diag_indices_from(a)] += RIDGE
        return np.linalg.solve(a, rhs)
    values, vectors = background.decompose()
    # In the eigenbasis the background is diagonal: D = cb * values + RIDGE; then
    # (D + U^T C U)^-1 = D^-1 - D^-1 U^T (C^-1 + U D^-1 U^T)^-1 U D^-1.
    inv = 1.0 / (cb * values + RIDGE)
    ue = u @ vectors  # (k, d+1)
    z = inv * (vectors.T @ rhs)
    small = ue * inv @ ue.T
    small[np.diag_indices_from(small)] += 1.0 / c
    z -= inv * (ue.T @ np.linalg.solve(small, ue @ z))
    return vectors @ z


def _class_weights(p: int, m: int, b: int) -> tuple[float, float, float]:
    """Each positive's, explicit negative's and background paper's weight: half the total (p + m + b)
    to the positives, half to the others."""
    n, others = p + m + b, NEGATIVE_WEIGHT * m + b
    return 0.5 / p * n, 0.5 * NEGATIVE_WEIGHT / others * n, 0.5 / others * n


def _augmented(rows: np.ndarray) -> np.ndarray:
    """Rows as float64 with the bias column (ones) appended."""
    return np.hstack([rows.astype(np.float64), np.ones((len(rows), 1))])


def standardise(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / (spread if spread > 1e-9 else 1.0)
