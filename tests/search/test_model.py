"""The embedder: how a paper is read (the recipe's windows) and what its vector is."""

import numpy as np
import pytest

from paperwire.search.model import QUERY_TOKENS, RECIPE, RECIPES, Recipe, load_embedder, text_hash

LONG_ABSTRACT = " ".join(f"word{n} sentence number {n} of a long abstract." for n in range(60))


@pytest.fixture(scope="module")
def embedder(model_dir):
    return load_embedder(model_dir)


def test_the_first_recipe_reads_what_hubs_built_with_it_read(embedder):
    """Title, ". ", abstract, cut at 96 tokens: the same token ids as tokenizing the joined text."""
    first = RECIPES[0]
    assert first.describe() == "title + '. ' + abstract, 96 tokens, mean pooling, L2-normalised"
    [(windows, _)] = embedder._paper_windows([("A Title: With Words", LONG_ABSTRACT)], first)
    joined = embedder._paper_tokenizer.encode("A Title: With Words. " + LONG_ABSTRACT).ids
    assert windows == [joined[:95] + joined[-1:]]  # [CLS] + 94 tokens + [SEP]


def test_a_long_abstract_is_read_in_windows_that_each_start_with_the_title(embedder):
    recipe = Recipe(window=32, windows=3)
    [(windows, _)] = embedder._paper_windows([("Graph nets", LONG_ABSTRACT)], recipe)
    tok = embedder._paper_tokenizer
    title = tok.encode("Graph nets.", add_special_tokens=False).ids
    abstract = tok.encode(LONG_ABSTRACT, add_special_tokens=False).ids
    assert len(windows) == 3 and all(len(w) == 32 for w in windows)
    assert all(w[1 : 1 + len(title)] == title for w in windows)
    read = [t for w in windows for t in w[1 + len(title) : -1]]
    assert read == abstract[: len(read)]  # the windows continue one another, nothing skipped or repeated


def test_a_short_paper_is_one_window_and_an_empty_abstract_is_the_title(embedder):
    (short, _), (bare, _) = embedder._paper_windows(
        [("Pets", "Dogs and cats."), ("Only a title", "")], RECIPE
    )
    assert len(short) == 1 and len(bare) == 1
    assert bare[0][1:-1] == embedder._paper_tokenizer.encode("Only a title", add_special_tokens=False).ids


def test_paper_vectors_are_unit_length_and_average_their_windows(embedder):
    papers = [("Graph nets", LONG_ABSTRACT), ("Pets", "Dogs and cats.")]
    before = embedder.tokens
    vectors = embedder.embed_papers(papers, RECIPE)
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    windows = embedder._paper_windows(papers[:1], RECIPE)[0][0]
    assert embedder.tokens - before == sum(len(w) for w in windows) + len(
        embedder._paper_windows(papers[1:], RECIPE)[0][0][0]
    )
    # Activations are quantised per batch, so a window's vector moves a little with its batch-mates:
    # the same within a cosine of 0.99, whichever batch a paper lands in.
    mean = embedder._embed_ids(windows)[0].mean(axis=0)
    assert float(vectors[0] @ (mean / np.linalg.norm(mean))) > 0.99
    assert float(embedder.embed_papers(papers[:1], RECIPE)[0] @ vectors[0]) > 0.99


def test_queries_are_read_up_to_the_query_limit(embedder):
    long_query = " ".join(["graph"] * 500)
    assert len(embedder._tokenizer.encode(long_query).ids) == QUERY_TOKENS
    assert embedder.embed([long_query]).shape == (1, 384)


def test_a_recipe_change_changes_the_text_hash_but_the_first_recipe_keeps_its_old_hashes():
    import hashlib

    text = "Title. Abstract."
    assert text_hash(text, RECIPES[0]) == hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
    assert text_hash(text, RECIPE) != text_hash(text, RECIPES[0])


def test_read_papers_gives_the_same_vectors_and_each_read_token_once(embedder):
    """Token vectors come from the same pass: title tokens once (from the first window), then every
    abstract token the windows read, in order, each with its offsets in the stripped text."""
    recipe = Recipe(window=32, windows=2)
    papers = [("Graph nets", LONG_ABSTRACT), ("Pets", "Dogs and cats.")]
    vectors, read = embedder.read_papers(papers, recipe)
    assert np.allclose(vectors, embedder.embed_papers(papers, recipe), atol=0.02)
    long, short = read
    tok = embedder._paper_tokenizer
    title = tok.encode("Graph nets.", add_special_tokens=False)
    abstract = tok.encode(LONG_ABSTRACT, add_special_tokens=False)
    assert long.title_offsets == title.offsets
    assert long.abstract_offsets == abstract.offsets[: 2 * (30 - len(title.ids))]  # two windows' worth
    assert long.vectors.shape == (len(long.title_offsets) + len(long.abstract_offsets), 384)
    assert [LONG_ABSTRACT[s:e] for s, e in long.abstract_offsets[:4]] == ["word", "0", "sentence", "number"]
    assert short.vectors.shape[0] == len(tok.encode("Pets.", add_special_tokens=False).ids) + len(
        tok.encode("Dogs and cats.", add_special_tokens=False).ids
    )
    # Differently read tokens have different vectors (contextual, not a table lookup)
    assert not np.allclose(long.vectors[0], short.vectors[0])
    assert embedder.read_papers(papers[1:], recipe, tokens=False)[1] == []
