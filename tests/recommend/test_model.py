"""The model alone: vectors in, scores out (no store, no embedder)."""

import numpy as np
import pytest

from paperwire.recommend.model import (
    WOODBURY_ROWS,
    Background,
    Lexical,
    rank,
    rerank,
    ridge,
    ridge_on,
    standardise,
)


def unit(*rows) -> np.ndarray:
    m = np.array(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


# Four directions in 4-d: liked papers sit near e0, a disliked one near e1.
POOL = unit([1, 0.1, 0, 0], [0.7, 0.7, 0, 0], [0, 1, 0.1, 0], [0, 0, 1, 0], [0, 0, 0.1, 1], [0.9, 0, 0.3, 0])


def test_the_paper_nearest_the_liked_ones_comes_first_with_its_nearest_liked_paper():
    liked = unit([1, 0, 0, 0], [0.9, 0, 0.2, 0])
    ranking = rank(POOL, liked)
    order = list(ranking.order())
    assert set(order[:2]) == {0, 5} and order[2] == 1  # then the one half-way there
    assert set(order[3:]) == {2, 3, 4}
    assert ranking.nearest[5] == 1 and ranking.nearest[0] == 0  # each its own closest liked paper
    assert ranking.similarity[0] == pytest.approx(float(POOL[0] @ liked[0]), abs=1e-6)


def test_a_disliked_paper_pushes_its_neighbours_down():
    # B lies between the liked direction (e0) and the disliked one (e1); C is as far from e0, but
    # elsewhere.
    pool = unit([1, 0, 0, 0], [0.75, 0.66, 0, 0], [0.6, 0, 0.8, 0], [0, 0, 0, 1], [0, 0, 1, 0])
    liked = unit([1, 0, 0, 0])
    assert list(rank(pool, liked).order())[:3] == [0, 1, 2]
    assert list(rank(pool, liked, negatives=unit([0, 1, 0, 0])).order())[:3] == [0, 2, 1]


def test_the_same_inputs_give_the_same_order():
    rng = np.random.default_rng(5)
    pool = unit(*rng.normal(size=(300, 16)))
    liked = unit(*rng.normal(size=(7, 16)))
    disliked = unit(*rng.normal(size=(3, 16)))
    a, b = rank(pool, liked, disliked), rank(pool.copy(), liked.copy(), disliked.copy())
    assert np.array_equal(a.order(), b.order()) and np.array_equal(a.scores, b.scores)


def test_equal_scores_keep_pool_order():
    pool = unit([1, 0], [1, 0], [1, 0], [0, 1])
    assert list(rank(pool, unit([1, 0])).order()) == [0, 1, 2, 3]


def test_the_linear_model_separates_positives_from_the_background():
    rng = np.random.default_rng(1)
    background = unit(*rng.normal(size=(200, 8)))
    liked = unit(*(np.eye(8)[0] + 0.1 * rng.normal(size=(5, 8))))
    w = ridge(liked, np.zeros((0, 8), np.float32), background)
    assert (liked @ w[:-1] + w[-1]).min() > np.median(background @ w[:-1] + w[-1])


def test_a_pool_of_equal_papers_standardises_to_zero_and_no_positive_is_refused():
    assert np.array_equal(standardise(np.ones(4)), np.zeros(4))
    with pytest.raises(ValueError):
        rank(POOL, np.zeros((0, 4), np.float32))


def test_words_rerank_the_shortlist():
    scores = np.array([3.0, 2.9, 1.0, 0.0], dtype=np.float32)
    # Paper 1 shares the liked papers' words, paper 0 none: words move it first.
    words = Lexical(
        positives=np.array([[0.0], [0.9], [0.1], [0.0]], dtype=np.float32),
        negatives=np.zeros((4, 0), np.float32),
        centroid=np.array([0.0, 0.8, 0.1, 0.0], dtype=np.float32),
    )
    assert list(np.argsort(-rerank(scores, words), kind="stable")) == [1, 0, 2, 3]


def test_the_precomputed_background_gives_the_plain_solves_weights():
    rng = np.random.default_rng(7)
    pool = unit(*rng.normal(size=(400, 24)))
    liked, disliked = unit(*rng.normal(size=(9, 24))), unit(*rng.normal(size=(3, 24)))
    background = Background.of(pool)
    plain = ridge(liked, disliked, pool)
    for fast in (False, True):  # a plain solve, and the eigenbasis' low-rank update
        assert np.allclose(ridge_on(background, liked, disliked, fast=fast), plain, rtol=1e-9, atol=1e-9)
    # Liked and disliked papers of the pool leave its background: as if they had never been in it.
    inside = [5, 17, 300]
    rest = np.delete(pool, inside, axis=0)
    plain = ridge(pool[[5, 17]], pool[[300]], rest)
    for fast in (False, True):
        got = ridge_on(background, pool[[5, 17]], pool[[300]], removed=pool[inside], fast=fast)
        assert np.allclose(got, plain, rtol=1e-9, atol=1e-9)
    # Past WOODBURY_ROWS rows the fast path is a plain solve too.
    many = unit(*rng.normal(size=(WOODBURY_ROWS + 5, 24)))
    assert np.allclose(ridge_on(background, many, disliked), ridge(many, disliked, pool), atol=1e-9)


def test_ranking_with_a_background_and_kept_rows_equals_ranking_the_rows_alone():
    rng = np.random.default_rng(8)
    pool = unit(*rng.normal(size=(300, 16)))
    given = [3, 40]  # liked papers that are in the pool
    keep = np.setdiff1d(np.arange(300), given)
    negatives = unit(*rng.normal(size=(2, 16)))
    plain = rank(pool[keep], pool[given], negatives)
    fast = rank(pool, pool[given], negatives, Background.of(pool), removed=pool[given], keep=keep)
    assert np.allclose(fast.scores, plain.scores, atol=1e-5)
    assert np.array_equal(fast.nearest, plain.nearest) and np.allclose(fast.similarity, plain.similarity)
    assert np.array_equal(fast.order()[:50], plain.order()[:50])
