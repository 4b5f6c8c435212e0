"""Words, pure: tf-idf bags of words for the model's re-ranking, and for the reasons the words a
recommended paper shares with the liked paper (or topic) it is closest to, rarest first. Rarity is
counted over a sample of the hub's papers (`Vocabulary`). `bag` and `shared_words` say what these are;
a request gets the same numbers from the arrays bags.py keeps (tests/recommend/test_bags.py)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
# English function words and the boilerplate of abstracts: shared by any two papers, they explain nothing.
_STOP_TEXT = """
a about above across after again against all almost also although always am among an and another any
are around as at be because been before being below between both but by can cannot could did do does
doing done down during each either else enough especially even ever every few for from further
furthermore had has have having here hence how however if in into is it its itself just least less
like made make makes making many may me might more moreover most much must my near nearly neither no
nor not now of off often on once one only onto or other others otherwise our ours out over own per
perhaps quite rather really same several shall she should since so some such than that the their
them themselves then there therefore these they this those though through thus to together too
toward towards two under until up upon us use used uses using very via was we well were what
whatever when where whereas whether which while who whom whose why will with within without would
yet you your paper papers propose proposed proposes present presents presented introduce introduces
introduced approach approaches method methods result results show shows shown demonstrate
demonstrates study studies work works based novel new existing recent recently problem problems task
tasks performance improve improves improved improvement achieve achieves achieved state-of-the-art
art state significant significantly effective effectively various different large extensive
experiments experimental furthermore first second three data model models framework frameworks
analysis however code available github https http www com org
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_MIN_LENGTH = 3


def words(text: str) -> list[str]:
    """The content words of a text, lower-cased, in order (repeats kept)."""
    return [
        w
        for w in _WORD.findall(text.lower())
        if len(w) >= _MIN_LENGTH and w not in STOP_WORDS and not w.isdigit()
    ]


def _key(word: str) -> str:
    """Plurals meet their singulars: `graphs` and `graph` are one word to compare."""
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(slots=True)
class Vocabulary:
    """Document frequencies over a sample of papers: how rare each word is on this hub."""

    documents: int
    frequency: Counter

    @classmethod
    def of(cls, texts: Iterable[str]) -> Vocabulary:
        frequency: Counter = Counter()
        documents = 0
        for text in texts:
            documents += 1
            frequency.update({_key(w) for w in words(text)})
        return cls(documents, frequency)

    def idf(self, word: str) -> float:
        return math.log((1 + self.documents) / (1 + self.frequency.get(_key(word), 0))) + 1.0


def terms(text: str) -> dict[str, tuple[str, int]]:
    """A text's content words by key (plurals as their singulars), in order of first appearance: how the
    text first spells each and how many times it is there."""
    found: dict[str, list] = {}
    for w in words(text):
        entry = found.setdefault(_key(w), [w, 0])
        entry[1] += 1
    return {k: (w, n) for k, (w, n) in found.items()}


def shared_words(text: str, other: str, vocabulary: Vocabulary, count: int = 4) -> list[str]:
    """The words `text` has in common with `other`, the most telling first: rare on the hub and
    repeated in `text`. Each word is given as `text` spells it first."""
    theirs = {_key(w) for w in words(other)}
    spelled: dict[str, str] = {}
    times: Counter = Counter()
    for w in words(text):
        key = _key(w)
        if key in theirs:
            spelled.setdefault(key, w)
            times[key] += 1
    ranked = sorted(times, key=lambda k: (-(1 + math.log(times[k])) * vocabulary.idf(spelled[k]), k))
    return [spelled[k] for k in ranked[:count]]


# -- the lexical view of the model: tf-idf bags of words ----------------------------------------------


def bag(text: str, vocabulary: Vocabulary) -> dict[str, float]:
    """A text as an L2-normalised tf-idf bag of its content words: (1 + log tf) x idf."""
    counts = Counter(map(_key, words(text)))
    frequency, documents, log = vocabulary.frequency, 1 + vocabulary.documents, math.log
    weights = {
        k: (1.0 + log(n)) * (log(documents / (1 + frequency.get(k, 0))) + 1.0) for k, n in counts.items()
    }
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    return {k: v / norm for k, v in weights.items()}
