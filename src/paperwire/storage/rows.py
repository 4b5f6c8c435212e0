"""Paper rows to models and back, shared by the nouns whose statements read papers."""

from __future__ import annotations

import json

from paperwire.models.papers import Links, Paper, PaperVersion, RankedPaper
from paperwire.storage.database import Conn, NotFound
from paperwire.storage.dialect import Dialect

PAPER_COLUMNS = (
    "id", "version", "title", "abstract", "authors", "categories", "primary_category",
    "published", "updated", "announced", "comment", "journal_ref", "doi", "license",
    "abs_url", "pdf_url", "code_url", "project_url", "source",
)  # fmt: skip
COLUMNS = ", ".join(PAPER_COLUMNS)
P_COLUMNS = ", ".join(f"p.{c}" for c in PAPER_COLUMNS)  # the same, of `papers p`
SELECT_PAPER = f"SELECT {COLUMNS} FROM papers"


def row_from_paper(d: Dialect, p: Paper) -> tuple:
    return (
        p.id, p.version, p.title, p.abstract,
        json.dumps(p.authors, ensure_ascii=False), json.dumps(p.categories, ensure_ascii=False),
        p.primary_category, d.day(p.published), d.day(p.updated), d.day(p.announced),
        p.comment, p.journal_ref, p.doi, p.license,
        p.links.abstract, p.links.pdf, p.links.code, p.links.project, p.source,
    )  # fmt: skip


def paper_from_row(d: Dialect, row: tuple, versions: list[PaperVersion]) -> Paper:
    (pid, version, title, abstract, authors, categories, _primary, published, updated, announced,
     comment, journal_ref, doi, license_, abs_url, pdf_url, code_url, project_url, source) = row  # fmt: skip
    return Paper(
        id=pid,
        version=version,
        title=title,
        abstract=abstract,
        authors=d.json_of(authors),
        categories=d.json_of(categories),
        published=d.day_of(published),
        updated=d.day_of(updated),
        announced=d.day_of(announced),
        comment=comment,
        journal_ref=journal_ref,
        doi=doi,
        license=license_,
        links=Links(abstract=abs_url, pdf=pdf_url, code=code_url, project=project_url),
        source=source,
        versions=versions,
    )


def versions(conn: Conn, ids: list[str]) -> dict[str, list[PaperVersion]]:
    """The version histories of these papers, by id."""
    d = conn.dialect
    out: dict[str, list[PaperVersion]] = {}
    if not ids:
        return out
    for condition, params in d.one_of("paper_id", ids):
        sql = (
            f"SELECT paper_id, version, date FROM paper_versions WHERE {condition} ORDER BY paper_id, version"
        )
        for paper_id, version, day in conn.execute(sql, params):
            out.setdefault(paper_id, []).append(PaperVersion(version, d.day_of(day)))
    return out


def require_paper(conn: Conn, paper_id: str) -> None:
    if conn.one("SELECT 1 FROM papers WHERE id = ?", (paper_id,)) is None:
        raise NotFound(f"no paper with id {paper_id!r}")


# A listing row: the paper, its figures and its submission. `{day}` is the day the listing knows it by.
RANKED_COLUMNS = f"p.upvotes, p.num_comments, u.username, s.submitted_at, {P_COLUMNS}"
SUBMITTER = "LEFT JOIN submissions s ON s.paper_id = p.id LEFT JOIN users u ON u.id = s.user_id"
RANKED = f"SELECT {{day}}, {RANKED_COLUMNS} FROM papers p {SUBMITTER}"


def ranked(d: Dialect, row: tuple) -> RankedPaper:
    day, upvotes, num_comments, username, submitted_at = row[:5]
    paper = paper_from_row(d, row[5:], [])
    return RankedPaper(paper, d.day_of(day), upvotes, num_comments, username, d.time_of(submitted_at))


def next_seq(conn: Conn) -> int:
    """The change seq for this write. Call it in a serial transaction: the previous holder has
    committed, so max(seq) is the latest, and seq order is commit order."""
    return conn.value("SELECT coalesce(max(seq), 0) + 1 FROM papers")
