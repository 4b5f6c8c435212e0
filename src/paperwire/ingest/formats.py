"""Pure parsing of bulk-import records (JSON objects) into Papers, and Paperwire's own export format."""

from __future__ import annotations

from datetime import date
from email.utils import parsedate_to_datetime

from paperwire.models.papers import Links, Paper, PaperVersion
from paperwire.papers import (
    MAX_VERSION,
    InvalidPaper,
    arxiv_categories,
    arxiv_links,
    make_paper,
    split_arxiv_id,
)

ARXIV_METADATA = "arxiv-metadata"  # the arXiv metadata snapshot (the Kaggle file)
ARXIV_LISTING = "arxiv-listing"  # the listing format of shared/data/arxiv-cs/papers.jsonl.gz
BEIR = "beir"  # a BEIR corpus.jsonl
PAPERWIRE = "paperwire"  # `paperwire export`
FORMATS = (ARXIV_METADATA, ARXIV_LISTING, BEIR, PAPERWIRE)
EXPORT_MARK = "_paperwire"
EXPORT_VERSION = 1


def detect_format(record: dict) -> str | None:
    """The format a record is in, judged by the keys only that format has; None if it fits none."""
    if EXPORT_MARK in record:
        return PAPERWIRE
    if "_id" in record:
        return BEIR
    if "authors_parsed" in record or "update_date" in record or "journal-ref" in record:
        return ARXIV_METADATA
    if "first_listed_date" in record or "listed_dates" in record or "primary_category" in record:
        return ARXIV_LISTING
    return None


def parse_record(fmt: str, record: dict) -> Paper:
    """Turn one JSON object in the given format into a Paper, or raise InvalidPaper."""
    if not isinstance(record, dict):
        raise InvalidPaper(f"expected a JSON object, got {type(record).__name__}")
    return _PARSERS[fmt](record)


def _parse_arxiv_metadata(r: dict) -> Paper:
    arxiv_id, _ = split_arxiv_id(_required_str(r, "id"))
    versions = [_snapshot_version(v) for v in _list(r, "versions")]
    versions.sort(key=lambda v: v.version)
    authors = [_parsed_author(a) for a in _list(r, "authors_parsed")] or _split_authors(r.get("authors"))
    return make_paper(
        id=arxiv_id,
        title=r.get("title"),
        source=ARXIV_METADATA,
        abstract=r.get("abstract"),
        authors=authors,
        categories=arxiv_categories(_str(r, "categories").split()),
        version=versions[-1].version if versions else 1,
        published=versions[0].date if versions else None,
        updated=versions[-1].date if versions else None,
        comment=r.get("comments"),
        journal_ref=r.get("journal-ref"),
        doi=r.get("doi"),
        license=r.get("license"),
        links=arxiv_links(arxiv_id),
        versions=versions,
    )


def _parse_arxiv_listing(r: dict) -> Paper:
    arxiv_id, version = split_arxiv_id(_required_str(r, "id"))
    categories = arxiv_categories(_list(r, "categories"))
    primary = r.get("primary_category")
    if isinstance(primary, str) and arxiv_categories([primary]):
        categories = [primary] + [c for c in categories if c != primary]
    if version == 0:
        raise InvalidPaper(f"{r['id']!r} has version 0; arXiv versions start at 1")
    return make_paper(
        id=arxiv_id,
        title=r.get("title"),
        source=ARXIV_LISTING,
        abstract=r.get("abstract"),
        authors=r.get("authors"),
        categories=categories,
        version=version or 1,
        announced=_iso_date(r.get("first_listed_date"), "first_listed_date"),
        comment=r.get("comment"),
        links=arxiv_links(arxiv_id),
    )


def _parse_beir(r: dict) -> Paper:
    return make_paper(id=r.get("_id"), title=r.get("title"), abstract=r.get("text"), source=BEIR)


def _parse_paperwire(r: dict) -> Paper:
    if r.get(EXPORT_MARK) != EXPORT_VERSION:
        raise InvalidPaper(f"Paperwire export version {r.get(EXPORT_MARK)!r} is not supported (expected 1)")
    links = r.get("links") or {}
    if not isinstance(links, dict):
        raise InvalidPaper("links must be an object")
    versions = []
    for v in _list(r, "versions"):
        number = v.get("version") if isinstance(v, dict) else None
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_VERSION:
            raise InvalidPaper(
                f"each entry of versions needs a whole-number version from 1 to {MAX_VERSION:,}"
            )
        versions.append(PaperVersion(v["version"], _iso_date(v.get("date"), "versions.date")))
    return make_paper(
        id=r.get("id"),
        title=r.get("title"),
        source=_required_str(r, "source"),
        abstract=r.get("abstract"),
        authors=r.get("authors"),
        categories=r.get("categories"),
        version=r.get("version", 1),
        published=_iso_date(r.get("published"), "published"),
        updated=_iso_date(r.get("updated"), "updated"),
        announced=_iso_date(r.get("announced"), "announced"),
        comment=r.get("comment"),
        journal_ref=r.get("journal_ref"),
        doi=r.get("doi"),
        license=r.get("license"),
        links=Links(**{k: links.get(k) for k in ("abstract", "pdf", "code", "project")}),
        versions=versions,
    )


_PARSERS = {
    ARXIV_METADATA: _parse_arxiv_metadata,
    ARXIV_LISTING: _parse_arxiv_listing,
    BEIR: _parse_beir,
    PAPERWIRE: _parse_paperwire,
}


def export_record(p: Paper) -> dict:
    """A paper as one line of Paperwire's export: everything the store knows, so it round-trips."""
    return {
        EXPORT_MARK: EXPORT_VERSION,
        "id": p.id,
        "version": p.version,
        "title": p.title,
        "abstract": p.abstract,
        "authors": p.authors,
        "categories": p.categories,
        "published": _iso(p.published),
        "updated": _iso(p.updated),
        "announced": _iso(p.announced),
        "comment": p.comment,
        "journal_ref": p.journal_ref,
        "doi": p.doi,
        "license": p.license,
        "links": {
            "abstract": p.links.abstract,
            "pdf": p.links.pdf,
            "code": p.links.code,
            "project": p.links.project,
        },
        "source": p.source,
        "versions": [{"version": v.version, "date": _iso(v.date)} for v in p.versions],
    }


# -- field helpers ---------------------------------------------------------------------------


def _required_str(r: dict, key: str) -> str:
    value = r.get(key)
    if value is None or value == "":
        raise InvalidPaper(f"record has no {key}")
    if not isinstance(value, str):
        raise InvalidPaper(f"{key} must be a string, got {type(value).__name__}")
    return value


def _str(r: dict, key: str) -> str:
    value = r.get(key) or ""
    if not isinstance(value, str):
        raise InvalidPaper(f"{key} must be a string, got {type(value).__name__}")
    return value


def _list(r: dict, key: str) -> list:
    value = r.get(key) or []
    if not isinstance(value, list):
        raise InvalidPaper(f"{key} must be a list, got {type(value).__name__}")
    return value


def _iso_date(value: object, name: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidPaper(f"{name} {value!r} is not a YYYY-MM-DD date") from None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _snapshot_version(v: object) -> PaperVersion:
    # {"version": "v2", "created": "Mon, 11 Jan 2021 20:31:27 GMT"}
    if not isinstance(v, dict):
        raise InvalidPaper("each entry of versions must be an object")
    label = v.get("version")
    digits = label[1:] if isinstance(label, str) and label[:1] == "v" else ""
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 9 and int(digits) >= 1):
        raise InvalidPaper(f"version {label!r} is not like 'v1'")
    created = v.get("created")
    if created is not None and not isinstance(created, str):
        raise InvalidPaper(f"version date {created!r} is not an RFC 2822 date")
    try:
        day = parsedate_to_datetime(created).date() if created else None
    except (TypeError, ValueError, OverflowError, IndexError):
        raise InvalidPaper(f"version date {created!r} is not an RFC 2822 date") from None
    return PaperVersion(int(label[1:]), day)


def _parsed_author(a: object) -> str:
    # authors_parsed entries are [last, first, suffix] (suffix optional, parts may be empty)
    if not isinstance(a, list) or not all(isinstance(x, str) for x in a):
        raise InvalidPaper("authors_parsed entries must be lists of strings")
    last, first, suffix = [*a, "", "", ""][:3]
    return " ".join(part for part in (first.strip(), last.strip(), suffix.strip()) if part)


def _split_authors(value: object) -> list[str]:
    if not value:
        return []
    if not isinstance(value, str):
        raise InvalidPaper("authors must be a string in this format")
    names = value.replace(" and ", ", ").split(",")
    return [n.strip() for n in names if n.strip()]
