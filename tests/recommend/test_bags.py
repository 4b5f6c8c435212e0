"""Bags of words as arrays: the same similarities as the dictionaries of words.bag, kept and bounded."""

import numpy as np
import pytest

from paperwire.recommend.bags import Bags, centroid, similarities
from paperwire.recommend.words import Vocabulary, bag, shared_words

VOCABULARY = Vocabulary.of(
    ["graph networks", "protein folding", "graph of proteins", "sorting networks", "graph graph molecules"]
)
TEXTS = [
    "Graph networks for proteins and molecules",
    "Protein folding by diffusion",
    "Sorting algorithms, sorting networks",
    "Nothing shared here whatsoever",
]
LIKED = ["protein graphs", "Graph neural networks for molecules: graphs of atoms"]
DISLIKED = ["Sorting networks in hardware"]


def dot(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(w * b.get(k, 0.0) for k, w in a.items())


def test_the_shortlists_similarities_equal_the_dictionaries_dot_products():
    bags = Bags(VOCABULARY)
    rows = [bags.of(t, key=("p", i)) for i, t in enumerate(TEXTS)]
    queries = [bags.of(t) for t in [*LIKED, *DISLIKED]]
    sims = similarities(rows, [*queries, centroid(queries[: len(LIKED)])])
    # What the request computed before: dictionaries, and the liked bags' sum normalised.
    liked = [bag(t, VOCABULARY) for t in LIKED]
    total: dict[str, float] = {}
    for b in liked:
        for k, w in b.items():
            total[k] = total.get(k, 0.0) + w
    norm = sum(v * v for v in total.values()) ** 0.5
    old_queries = [*liked, *(bag(t, VOCABULARY) for t in DISLIKED), {k: v / norm for k, v in total.items()}]
    expected = np.array([[dot(bag(t, VOCABULARY), q) for q in old_queries] for t in TEXTS])
    assert sims.shape == (len(TEXTS), len(old_queries))
    assert np.allclose(sims, expected, atol=1e-6)
    assert (
        expected[0, 1] > 0.3 and expected[2, 2] > 0.3 and not expected[3].any()
    )  # the corpus says something


def test_a_bag_is_kept_by_its_key_and_the_oldest_go_first():
    bags = Bags(VOCABULARY, kept=2)
    first = bags.of("graph networks", key="a")
    assert bags.of("something else entirely", key="a") is first  # the key decides
    bags.of("protein folding", key="b")
    bags.of("sorting networks", key="c")
    assert len(bags) == 2
    assert bags.of("graph networks", key="a") is not first  # made again
    assert np.array_equal(bags.of("graph networks", key="a").keys, first.keys)


def test_no_shared_word_or_no_query_gives_zeros():
    bags = Bags(VOCABULARY)
    rows = [bags.of("graph networks")]
    assert similarities(rows, [bags.of("protein folding")]).tolist() == [[0.0]]
    assert similarities(rows, []).shape == (1, 0)
    assert centroid([]).keys.size == 0
    assert float(similarities(rows, [bags.of("Graph networks.")])[0, 0]) == pytest.approx(1.0)


def test_a_reasons_shared_words_are_those_of_words_shared_words():
    vocabulary = Vocabulary.of(["graph networks"] * 50 + ["molecule graph"] * 3 + ["solubility"])
    bags = Bags(vocabulary)
    texts = [
        "Graph networks predict solubility of molecules; graph networks again.",
        "A molecule graph and its solubility, networks too",
        "Graphs, graph, GRAPHS: molecules and a molecule's solubility networks",
        "nothing in common here",
        *TEXTS,
        *LIKED,
    ]
    for text in texts:
        for other in texts:
            for count in (1, 4, 10):
                assert bags.shared(bags.of(text), bags.of(other), count) == shared_words(
                    text, other, vocabulary, count
                ), (text, other)
    assert bags.shared(bags.of(texts[0]), bags.of(texts[1])) == [
        "solubility",
        "molecules",
        "networks",
        "graph",
    ]
