"""Identifiers found in a citation's fields: arXiv ids (in any of the forms reference managers write
them) and DOIs, normalised so that they compare with the hub's."""

from __future__ import annotations

import re

from paperwire.papers import InvalidPaper, split_arxiv_id

_ID = r"(\d{4}\.\d{4,5}|[A-Za-z][A-Za-z\-]*(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?"
# "arXiv:2503.11677", "arXiv 2503.11677v2", "arXiv preprint arXiv:hep-th/9901001", arxiv.org links.
_IN_TEXT = re.compile(r"(?i:arxiv)(?:\.org/(?:abs|pdf|html)/|[:\s]\s*)" + _ID)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\." + _ID, re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")


def bare_arxiv_id(text: str) -> str | None:
    """The bare id if `text` is an arXiv id alone ('2503.11677v2', 'arXiv:hep-th/9901001'), else None."""
    try:
        return split_arxiv_id(text.strip())[0]
    except InvalidPaper:
        return None


def arxiv_ids_in(text: str) -> list[str]:
    """Every arXiv id that `text` names as one: after 'arXiv', in an arxiv.org link or arXiv's DOI."""
    found = [m.group(1) for m in _IN_TEXT.finditer(text)]
    found += [m.group(1) for m in _ARXIV_DOI.finditer(text)]
    out = []
    for candidate in found:
        bare = bare_arxiv_id(candidate) or bare_arxiv_id(_old_style_case(candidate))
        if bare and bare not in out:
            out.append(bare)
    return out


def _old_style_case(candidate: str) -> str:
    # 'MATH.GT/0309136' from a case-folded field: arXiv's archive is lower case, its subject class upper.
    if "/" not in candidate:
        return candidate
    archive, number = candidate.split("/", 1)
    head, _, subject = archive.partition(".")
    return f"{head.lower()}{'.' + subject.upper() if subject else ''}/{number}"


def normal_doi(text: str) -> str | None:
    """A DOI without its resolver prefix, lower-cased (DOIs are case-insensitive); None if not one."""
    value = _DOI_PREFIX.sub("", text.strip())
    m = _DOI.match(value)
    return m.group(0).rstrip(".,;").lower() if m else None
