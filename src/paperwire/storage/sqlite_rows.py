"""Rows to models and back for the SQLite store (shared by its modules)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from paperwire.papers import Links, Paper, PaperVersion

PAPER_COLUMNS = (
    "id", "version", "title", "abstract", "authors", "categories", "primary_category",
    "published", "updated", "announced", "comment", "journal_ref", "doi", "license",
    "abs_url", "pdf_url", "code_url", "project_url", "source",
)  # fmt: skip

SELECT_PAPER = f"SELECT {', '.join(PAPER_COLUMNS)} FROM papers"


def row_from_paper(p: Paper) -> tuple:
    return (
        p.id, p.version, p.title, p.abstract,
        json.dumps(p.authors, ensure_ascii=False), json.dumps(p.categories, ensure_ascii=False),
        p.primary_category, iso(p.published), iso(p.updated), iso(p.announced),
        p.comment, p.journal_ref, p.doi, p.license,
        p.links.abstract, p.links.pdf, p.links.code, p.links.project, p.source,
    )  # fmt: skip


def paper_from_row(row: tuple, versions: list[PaperVersion]) -> Paper:
    (pid, version, title, abstract, authors, categories, _primary, published, updated, announced,
     comment, journal_ref, doi, license_, abs_url, pdf_url, code_url, project_url, source) = row  # fmt: skip
    return Paper(
        id=pid,
        version=version,
        title=title,
        abstract=abstract,
        authors=json.loads(authors),
        categories=json.loads(categories),
        published=as_date(published),
        updated=as_date(updated),
        announced=as_date(announced),
        comment=comment,
        journal_ref=journal_ref,
        doi=doi,
        license=license_,
        links=Links(abstract=abs_url, pdf=pdf_url, code=code_url, project=project_url),
        source=source,
        versions=versions,
    )


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def as_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def as_datetime(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
