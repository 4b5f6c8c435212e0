"""Pure text work for extracts: sentences, words, and the key phrase candidates (no vectors)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# -- sentences -----------------------------------------------------------------------------------

# Words whose full stop does not end a sentence (lower-cased, without the stop). Dotted ones ("e.g",
# "u.s") are recognised by their inner dot.
_ABBREVIATIONS = _wordset("et al cf vs resp approx viz incl wrt dr prof mr mrs ms jr sr")
# Words whose stop ends no sentence when a number follows ("Fig. 3", "Eq. 2", "No. 5").
_BEFORE_NUMBERS = _wordset(
    "fig figs eq eqs eqn sec secs ref refs tab tabs thm def lem prop cor ch vol no nos pp"
)
# "etc." ends a sentence when the next word starts one ("and so on, etc. We show").
_MAY_END = frozenset({"etc"})
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\]", re.S)
_END = re.compile(r"[.!?]+['\")\]]*(?=\s+)")
_NEXT = re.compile(r"\s+(\S)")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)\.$")


def _math_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _MATH.finditer(text)]


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    return any(s <= at < e for s, e in spans)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of `text` as (start, end) character spans, whitespace trimmed.

    A sentence ends at . ! or ? followed by space and a word that can start one (upper case, a digit,
    math, a bracket or quote), except after an abbreviation ("e.g.", "et al.", "Fig. 3"), an initial
    ("J. Smith") or inside math ($a. b$); decimals ("3.5") have no space after the stop.
    """
    math = _math_spans(text)
    spans, start = [], 0
    for m in _END.finditer(text):
        stop = m.start()
        if _inside(math, stop):
            continue
        nxt = _NEXT.match(text, m.end())
        if nxt is None:
            continue
        first = nxt.group(1)
        if not (first.isupper() or first.isdigit() or first in "$\\([\"'“‘"):
            continue
        if text[stop] == ".":
            before = _WORD_BEFORE.search(text, max(0, stop - 24), stop + 1)
            word = before.group(1).lower() if before else ""
            if word in _ABBREVIATIONS or (word in _MAY_END and not first.isupper()):
                continue
            if "." in word.strip(".") and len(word) <= 6:
                continue  # "e.g.", "i.e.", "U.S.", "w.r.t."
            if len(word) == 1 and word.isalpha() and text[stop - 1].isupper():
                continue  # an initial: "J. Smith"
            if first.isdigit() and word in _BEFORE_NUMBERS:
                continue
        spans.append((start, m.end()))
        start = nxt.start(1)
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if text[s:e].strip()]


# -- key phrase candidates -------------------------------------------------------------------

# Words that never begin or end a key phrase, nor stand inside one: function words, and the verbs,
# adverbs and adjectives abstracts use to talk about themselves.
_STOP = _wordset(
    """a about above according across after again against all almost along also although always among
    an and another any are around as at be because been before being below between both but by can
    cannot could did do does doing done down during each either enough even every few for from further
    had has have having here hence how however if in into is it its itself just less many may might more
    most much must neither nor not of off often on once one only onto or other others otherwise our ours
    out over own per rather same several shall should since so some such than that the their theirs them
    then there thereby therefore these they this those though through thus to too under until up upon us
    very via was we were what when where whereas whether which while who whom whose why will with within
    without would yet you your i ii iii iv two three four five first second third new novel proposed
    propose proposes proposing present presents presented presenting introduce introduces introduced
    introducing show shows showed shown showing demonstrate demonstrates demonstrated based using use
    used uses paper work works study studies approach approaches method methods result results existing
    recent recently well various different effective effectively efficient efficiently significant
    significantly state art achieve achieves achieved achieving outperform outperforms outperforming
    include includes including included provide provides provided providing better best large larger
    small smaller high higher low lower compared compare compares comparing experiments experimental
    extensive extensively furthermore moreover specifically finally additionally particular particularly
    respectively able allow allows allowing enable enables enabling make makes made making way ways
    given like due terms related key main important current still remains remain remaining aim aims
    aimed address addresses addressed addressing leverage leverages leveraging utilize utilizes utilized
    utilizing investigate investigates investigated explore explores explored exploring develop develops
    developed design designed designs evaluate evaluates evaluated evaluating consider considers
    considered focus focuses focused offer offers offered obtain obtained yield yields improve improves
    improved improving consistently substantially notably strong stronger simple simply across lead leads
    while thereby whose among challenge challenges challenging problem problems task tasks issue issues
    crucial critical essential widely commonly typically often generally largely highly fully directly
    able capable ability help helps range set sets number numbers amount various diverse multiple
    paper's existing prior previous previously across significant overall general generally"""
)


@lru_cache(maxsize=1 << 16)
def word_facts(word: str) -> tuple[bool, str, bool]:
    """(may stand in a key phrase, the form compared for duplicates, is a name): the compared form is
    lower case with a plural's s dropped; a name has a capital past its first letter, a digit or a
    hyphen ("BERT", "GPT-4", "Point-SkipNet")."""
    lw = word.lower()
    good = lw not in _STOP and 1 < len(lw) <= 40 and not lw.endswith("ly") and not lw.isdigit()
    key = lw[:-1] if len(lw) > 3 and lw.endswith("s") and not lw.endswith(("ss", "is", "us")) else lw
    name = any(ch.isupper() or ch.isdigit() for ch in word[1:]) or "-" in word
    return good, key, name


_JOINED_WORD = re.compile(r"(\s+)?([^\W_]*[^\W\d_][^\W_]*(?:[-'][^\W_]+)*)")


def words_of(text: str) -> list[tuple[int, int, bool]]:
    """The words of `text` as (start, end, joined): `joined` when only spaces separate a word from the
    one before it (punctuation and math break a phrase)."""
    math = _math_spans(text) if "$" in text or "\\" in text else []
    out, last_end = [], -1
    for m in _JOINED_WORD.finditer(text):
        start, end = m.span(2)
        if math and _inside(math, start):
            last_end = -1
            continue
        out.append((start, end, m.start() == last_end and m.start(1) >= 0))
        last_end = end
    return out


@dataclass(slots=True)
class Candidates:
    """Every occurrence of a key phrase candidate: its first word (an index over the title's words then
    the abstract's), its length in words and its phrase (an index into `keys`)."""

    at: list[int]
    length: list[int]
    phrase: list[int]
    keys: list[tuple[str, ...]]
    single_ok: list[bool]  # per phrase: a lone word worth showing (a name, or in the title, or repeated)


def candidates(texts: list[str], words: list[list[tuple[int, int, bool]]], longest: int = 3) -> Candidates:
    """Phrases of 1 to `longest` joined words, none of them a stop word."""
    found = Candidates([], [], [], [], [])
    ids: dict[tuple[str, ...], int] = {}
    seen: dict[int, int] = {}
    at = 0
    for part_no, (text, part) in enumerate(zip(texts, words, strict=True)):
        facts = [word_facts(text[s:e]) for s, e, _ in part]
        n = len(part)
        for i in range(n):
            good, key, name = facts[i]
            if not good:
                continue
            phrase = (key,)
            pid = ids.setdefault(phrase, len(ids))
            if pid == len(found.keys):
                found.keys.append(phrase)
                found.single_ok.append(False)
            seen[pid] = seen.get(pid, 0) + 1
            if name or part_no == 0 or seen[pid] > 1:
                found.single_ok[pid] = True
            found.at.append(at + i), found.length.append(1), found.phrase.append(pid)
            j = i + 1
            while j < n and j - i < longest and facts[j][0] and part[j][2]:
                phrase = (*phrase, facts[j][1])
                pid = ids.setdefault(phrase, len(ids))
                if pid == len(found.keys):
                    found.keys.append(phrase)
                    found.single_ok.append(True)
                found.at.append(at + i), found.length.append(j - i + 1), found.phrase.append(pid)
                j += 1
        at += n
    return found


def surface(text: str, start: int, end: int, lower_title_case: bool) -> str:
    """How a phrase is shown: as written; from a title or a sentence's start, its title-cased words in
    lower case ("Graph Neural Networks" -> "graph neural networks"; "BERT" and "GPT-4" stay)."""
    words = text[start:end].split()
    if not lower_title_case:
        return " ".join(words)
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in words)


def overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether one phrase is the other or inside it ("neural network" in "graph neural networks")."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))
