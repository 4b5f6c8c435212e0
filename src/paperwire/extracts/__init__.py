"""Extracts: a paper's one-sentence extractive summary and its key phrases (no I/O).

Both are chosen with the token vectors the embedding model computes anyway when it embeds the paper
(search/model.py): a sentence or a phrase is scored by the cosine of its tokens' mean vector to the
paper's vector. Nothing is generated: the summary is a sentence of the abstract, each key phrase is
words of the title or the abstract. docs/search.md#extracts has the recipe and what it costs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paperwire.extracts.text import Candidates, candidates, overlaps, split_sentences, surface, words_of
from paperwire.models.extracts import Extract

if TYPE_CHECKING:
    import numpy as np

# Bump when what extract() chooses changes: stored extracts of another version are made again.
VERSION = "1"
KEYWORDS = 5
MAX_KEYWORD_CHARS = 60  # a longer phrase is not shown (a chip on the page is short)
CUE_BONUS = 0.05  # for a sentence that says "we propose ..." (measured in docs/search.md#extracts)
MIN_SENTENCE_WORDS = 6  # a shorter sentence is not a summary ("Objective.", "Code is available.")
MMR_LAMBDA = 0.7  # relevance against difference from the phrases already chosen
_POOL = 40  # the best phrases MMR chooses from

_CUE = re.compile(
    r"\b(we|this (paper|work|article|study)|here,? we|in this (paper|work|article))\b.{0,40}?\b"
    r"(propose|introduce|present|develop|design|describe|show|demonstrate|study|investigate|"
    r"address|formulate|establish|prove|derive|provide|report|release|construct|build)"
    r"|\bour (main |primary |key )?contributions? (is|are)\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class PaperTokens:
    """A paper's tokens as the model read them: character offsets in the (stripped) title and abstract,
    and their vectors, title tokens first. Abstract tokens past the model's windows are absent."""

    title_offsets: list[tuple[int, int]]
    abstract_offsets: list[tuple[int, int]]
    vectors: np.ndarray  # (len(title_offsets) + len(abstract_offsets), DIM), float32


def extract(
    title: str, abstract: str, tokens: PaperTokens, vector: np.ndarray, text_hash: str = ""
) -> Extract:
    """The summary sentence and up to KEYWORDS key phrases of one paper, from its token vectors and its
    L2-normalised vector. `title` and `abstract` are stripped, as the model read them."""
    import numpy as np

    vecs = tokens.vectors
    n_title = len(tokens.title_offsets)
    starts = (
        np.fromiter((s for s, _ in tokens.title_offsets), np.int64, n_title),
        np.fromiter((s for s, _ in tokens.abstract_offsets), np.int64, len(tokens.abstract_offsets)),
    )
    to_paper = vecs @ vector  # each token's dot product with the paper's vector
    sentences = split_sentences(abstract)
    summary = _summary(abstract, sentences, vecs, to_paper, starts[1], n_title)
    parts = [words_of(title), words_of(abstract)]
    if not len(vecs):
        return Extract(summary, [], text_hash)
    # Each word's tokens are rows lo:hi of vecs (none for a word the model did not read).
    lo, hi = [], []
    for part, offset, token_starts in ((parts[0], 0, starts[0]), (parts[1], n_title, starts[1])):
        edges = np.array([(s, e) for s, e, _ in part], dtype=np.int64).reshape(-1, 2)
        lo.append(np.searchsorted(token_starts, edges[:, 0]) + offset)
        hi.append(np.searchsorted(token_starts, edges[:, 1]) + offset)
    found = candidates([title, abstract], parts)
    chosen = _keywords(found, np.concatenate(lo), np.concatenate(hi), vecs, vector) if found.at else []
    firsts = {s for s, _ in sentences}
    keywords = []
    for at, length in chosen:
        in_title = at < len(parts[0])
        text, part = (title, parts[0]) if in_title else (abstract, parts[1])
        first = at if in_title else at - len(parts[0])
        start, end = part[first][0], part[first + length - 1][1]
        phrase = surface(text, start, end, in_title or start in firsts)
        if len(phrase) <= MAX_KEYWORD_CHARS:
            keywords.append(phrase)
    return Extract(summary, keywords, text_hash)


def _summary(abstract, sentences, vecs, to_paper, token_starts, n_title) -> str | None:
    """The sentence whose tokens' mean is closest to the paper's vector, a little closer when it says
    what the paper contributes."""
    import numpy as np

    best, best_score = None, -np.inf
    for s, e in sentences:
        text = abstract[s:e]
        if len(sentences) > 1 and text.count(" ") + 1 < MIN_SENTENCE_WORDS:
            continue
        a, b = np.searchsorted(token_starts, (s, e)) + n_title
        if b <= a:
            continue  # past the model's windows: not read, so not scored
        total = np.ones(b - a, dtype=np.float32) @ vecs[a:b]  # a matrix-vector product: fast here
        score = float(to_paper[a:b].sum()) / max(float(np.linalg.norm(total)), 1e-9)
        if _CUE.search(text):
            score += CUE_BONUS
        if score > best_score:
            best, best_score = text, score
    return best


def _keywords(found: Candidates, lo, hi, vecs, vector) -> list[tuple[int, int]]:
    """The chosen phrases as (first word, length in words), best first.

    A phrase scores the cosine of its tokens' sum to the paper's vector, averaged over where it occurs.
    That needs only each word's token sum and the dot products of neighbouring words' sums, so no
    phrase vector is built but for the few that MMR compares."""
    import numpy as np

    n = len(lo)
    count = hi - lo
    sums = np.zeros((n + 2, vecs.shape[1]), dtype=np.float32)  # two zero rows past the end
    sums[:n] = vecs[np.minimum(lo, len(vecs) - 1)] * (count > 0)[:, None]
    for k in range(1, int(count.max(initial=0))):
        more = np.nonzero(count > k)[0]
        sums[more] += vecs[lo[more] + k]
    dots = sums @ vector
    g0 = np.einsum("ij,ij->i", sums, sums)
    g1 = np.append(np.einsum("ij,ij->i", sums[:-1], sums[1:]), 0.0)
    g2 = np.append(np.einsum("ij,ij->i", sums[:-2], sums[2:]), (0.0, 0.0))
    at = np.array(found.at, dtype=np.int64)
    length = np.array(found.length, dtype=np.int64)
    phrase = np.array(found.phrase, dtype=np.int64)
    two, three = (length >= 2).astype(np.float32), (length >= 3).astype(np.float32)
    dot = dots[at] + two * dots[at + 1] + three * dots[at + 2]
    norm2 = g0[at] + two * (g0[at + 1] + 2 * g1[at]) + three * (g0[at + 2] + 2 * g1[at + 1] + 2 * g2[at])
    read = (count[at] > 0) & (norm2 > 0)  # the phrase's first word was read: it has tokens
    cosine = np.where(read, dot / np.sqrt(np.maximum(norm2, 1e-12)), 0.0)
    phrases = len(found.keys)
    occurrences = np.bincount(phrase, weights=read, minlength=phrases)
    relevance = np.bincount(phrase, weights=cosine, minlength=phrases) / np.maximum(occurrences, 1)
    relevance[(occurrences == 0) | ~np.array(found.single_ok)] = -np.inf
    order = np.argsort(-relevance)[:_POOL]
    top = [int(k) for k in order if relevance[k] > -np.inf]
    if not top:
        return []
    firsts = np.full(phrases, -1, dtype=np.int64)  # each phrase's first occurrence that was read
    rows = np.nonzero(read)[0][::-1]
    firsts[phrase[rows]] = rows  # written last to first: the first occurrence stays
    where = [(int(at[firsts[k]]), int(length[firsts[k]])) for k in top]
    vec = np.stack([sums[a : a + n_words].sum(axis=0) for a, n_words in where])
    vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-9)
    rel = relevance[top]
    chosen: list[int] = []
    closest = np.zeros(len(top), dtype=np.float32)
    pool = list(range(len(top)))
    while pool and len(chosen) < KEYWORDS:
        scores = MMR_LAMBDA * rel[pool] - (1 - MMR_LAMBDA) * closest[pool]
        pick = pool.pop(int(np.argmax(scores)))
        if any(overlaps(found.keys[top[pick]], found.keys[top[c]]) for c in chosen):
            continue
        chosen.append(pick)
        closest = np.maximum(closest, vec @ vec[pick])  # a row at a time: no BLAS matrix product
    return [where[c] for c in chosen]
