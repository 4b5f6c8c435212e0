"""Reasons' words: content words only, the rarest shared ones first."""

import numpy as np
import pytest

from paperwire.recommend.words import Postings, Vocabulary, bag, shared_words, words


def test_words_leave_out_function_words_boilerplate_and_numbers():
    assert words("We propose a novel Graph-Attention model for 2024 molecules, using 3D graphs.") == [
        "graph-attention",
        "molecules",
        "graphs",
    ]


def test_shared_words_rarest_first_plurals_meet_singulars():
    vocabulary = Vocabulary.of(["graph networks"] * 50 + ["molecule graph"] * 3 + ["solubility"])
    text = "Graph networks predict solubility of molecules; graph networks again."
    other = "A molecule graph and its solubility, networks too"
    assert shared_words(text, other, vocabulary) == ["solubility", "molecules", "networks", "graph"]
    assert shared_words(text, other, vocabulary, count=1) == ["solubility"]
    assert shared_words(text, "nothing in common here", vocabulary) == []


def test_an_empty_vocabulary_still_ranks_by_repetition():
    vocabulary = Vocabulary.of([])
    assert shared_words("protein protein folding", "folding of a protein", vocabulary)[0] == "protein"


def test_postings_give_the_cosine_similarities_of_the_bags():
    vocabulary = Vocabulary.of(["graph networks", "protein folding", "graph of proteins"])
    texts = ["Graph networks for proteins", "Protein folding by diffusion", "Sorting algorithms"]
    bags = [bag(t, vocabulary) for t in texts]
    query = bag("protein graphs", vocabulary)
    sims = Postings.of(bags).similarities([query, bags[1]])
    direct = [sum(w * q.get(k, 0.0) for k, w in b.items()) for q in (query, bags[1]) for b in bags]
    assert np.allclose(sims.T.ravel(), direct, atol=1e-6)
    assert sims[1, 1] == pytest.approx(1.0) and sims[2, 0] == 0.0
