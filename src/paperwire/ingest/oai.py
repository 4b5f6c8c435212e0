"""Pure parsing of arXiv OAI-PMH ListRecords responses in the arXivRaw format (docs/ingest.md says why)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from paperwire.ingest.xmlsafe import BadResponse, parse_xml, rfc2822_date, text_of
from paperwire.models.papers import Paper, PaperVersion
from paperwire.papers import InvalidPaper, arxiv_categories, arxiv_links, make_paper, split_arxiv_id

METADATA_PREFIX = "arXivRaw"
SOURCE = "arxiv-oai"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
RAW = "{http://arxiv.org/OAI/arXivRaw/}"
_PARENS = re.compile(r"\([^()]*\)")


class OaiError(BadResponse):
    """An OAI-PMH <error> element (badResumptionToken, noRecordsMatch, badArgument ...)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"OAI-PMH error {code}: {message}")
        self.code = code


@dataclass(slots=True)
class OaiPage:
    papers: list[Paper] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # "ID: reason" for records that are not papers
    deleted: int = 0
    newest: date | None = None  # the newest header datestamp on the page
    token: str | None = None  # None on the last page
    complete_size: int | None = None


def parse_list_records(body: bytes) -> OaiPage:
    """One ListRecords page; raises OaiError for an OAI-PMH error element, BadResponse for anything else."""
    root = parse_xml(body, "OAI-PMH response")
    if root.tag != f"{OAI}OAI-PMH":
        raise BadResponse(f"OAI-PMH response: the root element is {_local(root.tag)!r}, not 'OAI-PMH'")
    error = root.find(f"{OAI}error")
    if error is not None:
        raise OaiError(error.get("code", "unknown"), " ".join((error.text or "").split()) or "(no message)")
    listing = root.find(f"{OAI}ListRecords")
    if listing is None:
        raise BadResponse("OAI-PMH response: no ListRecords element")
    page = OaiPage()
    for record in listing.findall(f"{OAI}record"):
        header = record.find(f"{OAI}header")
        if header is None:
            raise BadResponse("OAI-PMH response: a record has no header")
        stamp = _datestamp(text_of(header, f"{OAI}datestamp"))
        if stamp and (page.newest is None or stamp > page.newest):
            page.newest = stamp
        if header.get("status") == "deleted":
            page.deleted += 1
            continue
        raw = record.find(f"{OAI}metadata/{RAW}arXivRaw")
        if raw is None:
            raise BadResponse(
                f"OAI-PMH response: record {text_of(header, f'{OAI}identifier')} has no arXivRaw metadata"
            )
        try:
            page.papers.append(parse_arxiv_raw(raw))
        except InvalidPaper as exc:
            page.rejected.append(f"{text_of(header, f'{OAI}identifier')}: {exc}")
    token = listing.find(f"{OAI}resumptionToken")
    if token is not None:
        page.token = (token.text or "").strip() or None  # an empty token marks the last page
        size = token.get("completeListSize")
        page.complete_size = int(size) if size and size.isdigit() else None
    return page


def parse_arxiv_raw(raw) -> Paper:
    """An <arXivRaw> element -> Paper at its newest version, with the dated version history."""
    arxiv_id, _ = split_arxiv_id(text_of(raw, f"{RAW}id") or "")
    versions = []
    for v in raw.findall(f"{RAW}version"):
        label = v.get("version", "")
        if not (label[:1] == "v" and label[1:].isdigit() and int(label[1:]) >= 1):
            raise InvalidPaper(f"version {label!r} is not like 'v1'")
        versions.append(PaperVersion(int(label[1:]), rfc2822_date(text_of(v, f"{RAW}date"))))
    versions.sort(key=lambda v: v.version)
    return make_paper(
        id=arxiv_id,
        title=text_of(raw, f"{RAW}title"),
        source=SOURCE,
        abstract=text_of(raw, f"{RAW}abstract"),
        authors=split_authors(text_of(raw, f"{RAW}authors")),
        categories=arxiv_categories((text_of(raw, f"{RAW}categories") or "").split()),
        version=versions[-1].version if versions else 1,
        published=versions[0].date if versions else None,
        updated=versions[-1].date if versions else None,
        comment=text_of(raw, f"{RAW}comments"),
        journal_ref=text_of(raw, f"{RAW}journal-ref"),
        doi=text_of(raw, f"{RAW}doi"),
        license=text_of(raw, f"{RAW}license"),
        links=arxiv_links(arxiv_id),
        versions=versions,
    )


def split_authors(value: str | None) -> list[str]:
    """arXiv's author string, 'A. One (MIT), B. Two and C. Three' -> ['A. One', 'B. Two', 'C. Three'].

    Affiliations in parentheses, nested ones included ('A (1), B (2) ((1) MIT, (2) ETH)'), are dropped
    first, since their commas are not name separators.
    """
    if not value:
        return []
    text = " ".join(value.split())
    while True:
        stripped = _PARENS.sub("", text)
        if stripped == text:
            break
        text = stripped
    names = text.replace(" and ", ", ").split(",")
    return [" ".join(n.split()) for n in names if n.strip()]


def _datestamp(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise BadResponse(f"OAI-PMH response: datestamp {value!r} is not a date") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
