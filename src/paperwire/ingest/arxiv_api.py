"""Pure parsing of arXiv query-API responses (Atom), as returned for `id_list=` requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from paperwire.ingest.xmlsafe import BadResponse, parse_xml, text_of
from paperwire.models.papers import Paper, PaperVersion
from paperwire.papers import InvalidPaper, arxiv_categories, arxiv_links, make_paper, split_arxiv_id

SOURCE = "arxiv-api"
MAX_IDS = 100  # ids per request: arXiv asks for modest result pages
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ERROR_PREFIX = "http://arxiv.org/api/errors"


@dataclass(slots=True)
class QueryFeed:
    papers: list[Paper] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the API's own error entries, and unusable entries
    total: int | None = None


def parse_query_feed(body: bytes) -> QueryFeed:
    """A query-API Atom feed -> its papers, plus the error entries the API puts in place of results."""
    root = parse_xml(body, "arXiv query API response")
    if root.tag != f"{ATOM}feed":
        raise BadResponse("arXiv query API response: the root element is not an Atom feed")
    out = QueryFeed()
    total = text_of(root, f"{OPENSEARCH}totalResults")
    out.total = int(total) if total and total.strip().isdigit() else None
    for entry in root.findall(f"{ATOM}entry"):
        entry_id = (text_of(entry, f"{ATOM}id") or "").strip()
        if entry_id.startswith(ERROR_PREFIX):
            out.errors.append(" ".join((text_of(entry, f"{ATOM}summary") or entry_id).split()))
            continue
        try:
            out.papers.append(parse_entry(entry))
        except InvalidPaper as exc:
            out.errors.append(f"{entry_id or 'an entry'}: {exc}")
    return out


def parse_entry(entry) -> Paper:
    """One Atom <entry> of the query API -> Paper; `published` is v1's date, `updated` this version's."""
    entry_id = (text_of(entry, f"{ATOM}id") or "").strip()
    arxiv_id, version = split_arxiv_id(entry_id.rsplit("/abs/", 1)[-1])
    published = _day(text_of(entry, f"{ATOM}published"))
    updated = _day(text_of(entry, f"{ATOM}updated"))
    version = version or 1
    versions = [PaperVersion(1, published)] + ([PaperVersion(version, updated)] if version > 1 else [])
    primary = entry.find(f"{ARXIV}primary_category")
    cats = [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
    if primary is not None and primary.get("term"):
        cats = [primary.get("term", ""), *(c for c in cats if c != primary.get("term"))]
    return make_paper(
        id=arxiv_id,
        title=text_of(entry, f"{ATOM}title"),
        source=SOURCE,
        abstract=text_of(entry, f"{ATOM}summary"),
        authors=[text_of(a, f"{ATOM}name") for a in entry.findall(f"{ATOM}author")],
        categories=arxiv_categories(cats),
        version=version,
        published=published,
        updated=updated if version > 1 else published,
        comment=text_of(entry, f"{ARXIV}comment"),
        journal_ref=text_of(entry, f"{ARXIV}journal_ref"),
        doi=text_of(entry, f"{ARXIV}doi"),
        links=arxiv_links(arxiv_id),
        versions=versions,
    )


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except ValueError:
        raise InvalidPaper(f"date {value!r} is not an ISO timestamp") from None
