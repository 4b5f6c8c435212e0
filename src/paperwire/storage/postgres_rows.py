"""Rows to models and back for the PostgreSQL store (shared by its modules)."""

from __future__ import annotations

from datetime import UTC, datetime

from paperwire.papers import Links, Paper, PaperVersion


def paper_from_row(row: tuple, versions: list[PaperVersion]) -> Paper:
    (pid, version, title, abstract, authors, categories, _primary, published, updated, announced,
     comment, journal_ref, doi, license_, abs_url, pdf_url, code_url, project_url, source) = row  # fmt: skip
    return Paper(
        id=pid,
        version=version,
        title=title,
        abstract=abstract,
        authors=authors,  # json columns come back as Python lists
        categories=categories,
        published=published,
        updated=updated,
        announced=announced,
        comment=comment,
        journal_ref=journal_ref,
        doi=doi,
        license=license_,
        links=Links(abstract=abs_url, pdf=pdf_url, code=code_url, project=project_url),
        source=source,
        versions=versions,
    )


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # the columns are `timestamp` (UTC, no zone)


def utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value else None


def naive_utc(value: datetime) -> datetime:
    """An aware datetime as the naive UTC the `timestamp` columns hold."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
