"""Reasons' words: content words only, the rarest shared ones first."""

from paperwire.recommend.words import Vocabulary, shared_words, words


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
