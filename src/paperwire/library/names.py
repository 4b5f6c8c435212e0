"""Authors' names split for citations, and citation keys. Paperwire keeps each author as one string
("Ada Lovelace"); a citation wants the family name apart, or the whole name as a literal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Lower-case words that belong to the family name when they come before it ("Ludwig van Beethoven").
PARTICLES = frozenset((
    "al", "bin", "da", "das", "de", "degli", "del", "della", "den", "der", "di", "do", "dos", "du", "el",
    "la", "le", "st", "ten", "ter", "van", "von", "y", "zu",
))  # fmt: skip
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# A name with one of these words is a group, not a person: it stays whole.
_GROUP = re.compile(r"\b(collaboration|consortium|team|group|project|committee|community)\b", re.I)
_KEY_STOP = frozenset((
    "a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "from", "by", "via", "towards",
    "toward", "is", "are",
))  # fmt: skip


def split_name(name: str) -> dict[str, str]:
    """{"family", "given"[, "suffix"]} for a person's name, or {"literal": name} when it cannot be
    split (one word, a group, no letters)."""
    name = " ".join(name.split())
    if "," in name:  # already "Family, Given" (or "Family, Jr., Given")
        parts = [p.strip() for p in name.split(",")]
        if len(parts) == 2 and all(parts):
            return {"family": parts[0], "given": parts[1]}
        if len(parts) == 3 and all(parts) and parts[1].lower() in SUFFIXES:
            return {"family": parts[0], "given": parts[2], "suffix": parts[1]}
        return {"literal": name}
    words = name.split()
    if len(words) < 2 or _GROUP.search(name) or not any(c.isalpha() for c in name):
        return {"literal": name}
    suffix = None
    if len(words) > 2 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    family = [words.pop()]
    while len(words) > 1 and words[-1] in PARTICLES:
        family.insert(0, words.pop())
    out = {"family": " ".join(family), "given": " ".join(words)}
    if suffix:
        out["suffix"] = suffix
    return out


def ascii_word(text: str) -> str:
    """Letters and digits only, accents folded, lower-cased ('Gödel' -> 'godel')."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def citation_key(authors: list[str], year: int | None, title: str, fallback: str) -> str:
    """A Google Scholar-style key: first author's family name, year, first significant title word
    ('lovelace2025graph'); `fallback` (made of the paper id) when those give nothing."""
    family = ""
    if authors:
        split = split_name(authors[0])
        family = ascii_word((split.get("family") or split.get("literal", "")).split(" ")[-1])
    words = [ascii_word(w) for w in re.split(r"[\s\-/]+", title)]
    word = next((w for w in words if w and w not in _KEY_STOP), "")
    key = f"{family}{year or ''}{word}"
    return key if family or word else fallback


def unique_keys(keys: Iterable[str]) -> list[str]:
    """The keys, with a, b, c ... (then numbers) added to repeats: 'smith2025x', 'smith2025xa'."""
    seen: set[str] = set()
    out = []
    for key in keys:
        candidate, n = key, 0
        while candidate in seen:
            n += 1
            candidate = key + (chr(ord("a") + n - 1) if n <= 26 else str(n))
        seen.add(candidate)
        out.append(candidate)
    return out
