"""Pure parsing of Hugging Face's /api/daily_papers JSON: the papers, when they were featured, by whom."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from paperwire.ingest.xmlsafe import BadResponse
from paperwire.models.papers import Links, Paper
from paperwire.papers import InvalidPaper, arxiv_links, make_paper, split_arxiv_id

SOURCE = "huggingface"


@dataclass(slots=True)
class HfEntry:
    paper: Paper  # as Hugging Face describes it (no categories, no version history)
    featured: date | None  # the day it was on the daily papers page
    submitter: str | None
    upvotes: int  # Hugging Face's count, kept apart from Paperwire's own votes


def parse_daily_papers(body: bytes) -> tuple[list[HfEntry], list[str]]:
    """The entries of one response, and "ID: reason" for each entry that cannot be used."""
    text = body.strip()
    if not text:
        raise BadResponse("Hugging Face daily papers: the response body is empty")
    if text[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise BadResponse("Hugging Face daily papers: got an HTML page where JSON was expected")
    try:
        items = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadResponse(f"Hugging Face daily papers: malformed or truncated JSON ({exc})") from None
    if not isinstance(items, list):
        raise BadResponse(f"Hugging Face daily papers: expected a JSON list, got {type(items).__name__}")
    entries, rejected = [], []
    for item in items:
        paper = item.get("paper") if isinstance(item, dict) else None
        if not isinstance(paper, dict):
            rejected.append("an entry: it has no paper object")
            continue
        try:
            entries.append(_entry(item, paper))
        except InvalidPaper as exc:
            rejected.append(f"{paper.get('id')!s}: {exc}")
    return entries, rejected


def _entry(item: dict, p: dict) -> HfEntry:
    arxiv_id, _ = split_arxiv_id(p.get("id") if isinstance(p.get("id"), str) else "")
    authors = [a.get("name") for a in p.get("authors") or [] if isinstance(a, dict)]
    upvotes = p.get("upvotes", 0)
    if not isinstance(upvotes, int) or isinstance(upvotes, bool) or upvotes < 0:
        raise InvalidPaper(f"upvotes {upvotes!r} is not a count")
    base = arxiv_links(arxiv_id)
    paper = make_paper(
        id=arxiv_id,
        title=p.get("title") or item.get("title"),
        source=SOURCE,
        abstract=p.get("summary") or item.get("summary") or "",
        authors=authors,
        published=_day(p.get("publishedAt")),
        links=Links(base.abstract, base.pdf, _url(p.get("githubRepo")), _url(p.get("projectPage"))),
    )
    featured = _day(item.get("publishedAt")) or _day(p.get("submittedOnDailyAt"))
    return HfEntry(
        paper, featured, _submitter(item.get("submittedBy") or p.get("submittedOnDailyBy")), upvotes
    )


def _submitter(value: object) -> str | None:
    if isinstance(value, dict):
        name = value.get("fullname") or value.get("name")
        return " ".join(name.split())[:200] if isinstance(name, str) and name.strip() else None
    return None


def _url(value: object) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def _day(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        raise InvalidPaper(f"date {value!r} is not an ISO timestamp") from None
