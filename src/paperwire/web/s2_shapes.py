"""Semantic Scholar's JSON shapes for recommended papers, pure: code written for
api.semanticscholar.org/recommendations/v1 reads this hub's answers after a change of base URL."""

from __future__ import annotations

from paperwire.models.papers import Paper
from paperwire.papers import is_arxiv_id, paper_path

DEFAULT_FIELDS = ("title",)  # Semantic Scholar answers paperId and title when `fields` is not given
# Fields Semantic Scholar's recommendations know that a hub does not hold: asked for, they are null.
UNHELD = (
    "corpusId",
    "publicationVenue",
    "referenceCount",
    "citationCount",
    "influentialCitationCount",
    "fieldsOfStudy",
    "s2FieldsOfStudy",
    "publicationTypes",
    "journal",
    "citationStyles",
)
HELD = (
    "paperId",
    "title",
    "abstract",
    "authors",
    "externalIds",
    "publicationDate",
    "year",
    "url",
    "venue",
    "isOpenAccess",
    "openAccessPdf",
)


class UnknownFields(ValueError):
    """`fields` names fields Semantic Scholar does not have either; the message lists them."""


def parse_fields(text: str | None) -> tuple[str, ...]:
    """The fields asked for, in order, paperId left out (it is always there); as Semantic Scholar does,
    an unknown name is refused with the list of them."""
    if text is None or not text.strip():
        return DEFAULT_FIELDS
    names = [name.strip() for name in text.split(",") if name.strip()]
    bad = [name for name in names if name not in HELD and name not in UNHELD]
    if bad:
        raise UnknownFields(f"Unrecognized or unsupported fields: [{', '.join(bad)}]")
    return tuple(name for name in dict.fromkeys(names) if name != "paperId")


def s2_paper(paper: Paper, fields: tuple[str, ...], base_url: str) -> dict:
    """One recommended paper: paperId (the hub's id, an arXiv id for arXiv papers) and the fields asked."""
    out: dict = {"paperId": paper.id}
    for name in fields:
        out[name] = _field(paper, name, base_url)
    return out


def _field(p: Paper, name: str, base_url: str):
    arxiv = is_arxiv_id(p.id)
    match name:
        case "title":
            return p.title
        case "abstract":
            return p.abstract or None
        case "authors":
            return [{"authorId": None, "name": author} for author in p.authors]
        case "externalIds":
            ids = {"ArXiv": p.id} if arxiv else {}
            return ids | ({"DOI": p.doi} if p.doi else {})
        case "publicationDate":
            day = p.published or p.announced
            return day.isoformat() if day else None
        case "year":
            day = p.published or p.announced
            return day.year if day else None
        case "url":
            return base_url.rstrip("/") + paper_path(p.id)
        case "venue":
            return "arXiv" if arxiv else ""
        case "isOpenAccess":
            return bool(arxiv or p.links.pdf)
        case "openAccessPdf":
            return {"url": p.links.pdf, "status": "GREEN"} if p.links.pdf else None
    return None  # held by Semantic Scholar, not by a hub (UNHELD)
