"""Extracts' text work: sentences on hard cases, words, key phrase candidates (no model needed)."""

from paperwire.extracts.text import candidates, overlaps, split_sentences, surface, words_of


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_abbreviations_initials_and_citations_do_not_end_a_sentence():
    text = (
        "We use strong encoders, e.g. BERT, and decoders, i.e. GPT-4, as in Smith et al. (2020). "
        "The U.S. Army and J. Smith agree with Prof. Jones. Our results hold w.r.t. the baseline. "
        "See Fig. 3 and Eq. 2 for the details."
    )
    assert sentences(text) == [
        "We use strong encoders, e.g. BERT, and decoders, i.e. GPT-4, as in Smith et al. (2020).",
        "The U.S. Army and J. Smith agree with Prof. Jones.",
        "Our results hold w.r.t. the baseline.",
        "See Fig. 3 and Eq. 2 for the details.",
    ]


def test_decimals_latex_and_question_marks():
    text = (
        "Accuracy rose from 3.5 to 4.2 percent. Results on $x. Y$ and \\(a. B\\) hold for all "
        "$n \\geq 2$. Is it tight? Yes: the bound is $O(n\\log n)$. It ends here"
    )
    assert sentences(text) == [
        "Accuracy rose from 3.5 to 4.2 percent.",
        "Results on $x. Y$ and \\(a. B\\) hold for all $n \\geq 2$.",
        "Is it tight?",
        "Yes: the bound is $O(n\\log n)$.",
        "It ends here",
    ]


def test_etc_ends_a_sentence_only_before_one():
    text = "Models, data, etc. are released. We use images, text, etc. Then we stop."
    assert sentences(text) == [
        "Models, data, etc. are released.",
        "We use images, text, etc.",
        "Then we stop.",
    ]


def test_a_lower_case_word_after_a_stop_continues_the_sentence():
    assert sentences("It costs approx. two hours. Done.") == ["It costs approx. two hours.", "Done."]
    assert sentences("") == [] and sentences("   ") == []


def test_words_join_only_across_spaces():
    text = "Graph neural networks, for molecules: naïve $x y$ GPT-4 models"
    words = words_of(text)
    assert [text[s:e] for s, e, _ in words] == [
        "Graph", "neural", "networks", "for", "molecules", "naïve", "GPT-4", "models",
    ]  # fmt: skip
    assert [joined for *_, joined in words] == [False, True, True, False, True, False, False, True]


def test_candidates_have_no_stop_word_and_keep_names_and_title_words_alone():
    title = "Graph Neural Networks for Molecules"
    abstract = "We propose a model of molecules. The model uses BERT and graph neural networks."
    found = candidates([title, abstract], [words_of(title), words_of(abstract)])
    phrases = {" ".join(k) for k in found.keys}
    assert {"graph neural network", "neural network", "molecule", "bert", "model"} <= phrases
    assert not any(w in ("we", "propose", "a", "of", "the", "and") for k in found.keys for w in k)
    single = {k[0]: ok for k, ok in zip(found.keys, found.single_ok, strict=True) if len(k) == 1}
    # "use" is a stop word; "model" is repeated; "bert" is a name; "graph" is in the title
    assert single["model"] and single["bert"] and single["graph"]


def test_shown_phrases_lose_title_case_but_not_names():
    text = "Graph Neural Networks with BERT and GPT-4"
    assert surface(text, 0, len(text), True) == "graph neural networks with BERT and GPT-4"
    assert surface(text, 0, 5, False) == "Graph"


def test_overlapping_phrases():
    assert overlaps(("neural", "network"), ("graph", "neural", "network"))
    assert overlaps(("bert",), ("bert",))
    assert not overlaps(("neural", "network"), ("network", "neural"))
