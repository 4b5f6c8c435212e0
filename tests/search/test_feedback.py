import numpy as np
import pytest

from paperwire.search import feedback
from paperwire.search.blobs import to_blob
from paperwire.search.query import parse_query


@pytest.mark.parametrize(
    "text, applies",
    [
        ("protein folding", True),
        ("graph neural networks molecules", True),  # MAX_WORDS (4): a topic
        ("graph neural networks for molecules", False),  # five words: a description
        ('"graph neural networks" molecules', True),  # a phrase's words count one by one
        ('"graph neural networks for" molecules', False),
        ("protein folding cat:q-bio.BM author:Jumper -review", True),  # filters and exclusions don't
        ("COVID-19 vaccines", True),  # 3 words: COVID, 19, vaccines
    ],
)
def test_only_short_queries_get_feedback(text, applies):
    assert feedback.MAX_WORDS == 4
    assert feedback.applies(parse_query(text)) is applies


def test_the_vector_moves_toward_the_first_results_and_stays_of_unit_length():
    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    first = [np.array([0.0, 1.0, 0.0], dtype=np.float32), np.array([0.0, 0.6, 0.8], dtype=np.float32)]
    out = feedback.moved(query, first, weight=0.5)
    mean = np.mean(first, axis=0)  # (0, 0.8, 0.4)
    expected = np.array([1.0, 0.4, 0.2]) / np.linalg.norm([1.0, 0.4, 0.2])
    assert out.dtype == np.float32
    assert np.allclose(out, expected, atol=1e-6)
    assert np.isclose(np.linalg.norm(out), 1.0)
    assert float(out @ mean) > float(query @ mean)  # nearer the results than the query was
    assert np.allclose(feedback.moved(query, first, weight=0.0), query)  # weight 0: as it was


def test_candidates_are_ranked_by_cosine_to_the_moved_vector():
    vector = np.array([1.0, 0.0], dtype=np.float32)
    ids = ["2503.00001", "2503.00002", "2503.00003", "2503.00004"]
    vectors = np.array(
        [
            [0.6, 0.8],  # 0.6
            [1.0, 0.0],  # 1.0
            [0.1, 0.995],  # 0.1: under the floor
            [0.6, -0.8],  # 0.6: equal to the first, which stays ahead (the candidates' order)
        ],
        dtype=np.float32,
    )
    ranked = feedback.rescored(vector, ids, vectors, floor=0.2, depth=10)
    assert [pid for pid, _ in ranked] == ["2503.00002", "2503.00001", "2503.00004"]
    assert np.allclose([sim for _, sim in ranked], [1.0, 0.6, 0.6])
    assert feedback.rescored(vector, ids, vectors, floor=0.2, depth=1) == [("2503.00002", 1.0)]
    assert feedback.rescored(vector, [], np.zeros((0, 0), dtype=np.float32), floor=0.2, depth=10) == []


def test_apply_moves_the_vector_then_rescores_the_candidates_with_it():
    def blob(*xs):
        return to_blob(np.array(xs, dtype=np.float32))  # as the store holds it

    query = np.array([1.0, 0.0], dtype=np.float32)
    blobs = {"2503.00001": blob(0.0, 1.0), "2503.00002": blob(0.8, 0.6), "2503.00003": blob(1.0, 0.0)}
    moved, ranked = feedback.apply(query, ["2503.00001"], blobs, weight=1.0, floor=0.0, depth=10)
    assert np.allclose(moved, np.array([1.0, 1.0]) / np.sqrt(2), atol=1e-6)  # halfway to 2503.00001
    assert [pid for pid, _ in ranked] == ["2503.00002", "2503.00001", "2503.00003"]  # 0.99, 0.71, 0.71
    assert feedback.apply(query, ["2503.00009"], blobs, 1.0, 0.0, 10) is None  # no first result's vector
    assert feedback.apply(query, ["2503.00001"], {}, 1.0, 0.0, 10) is None
