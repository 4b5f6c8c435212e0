"""The Hugging Face-compatible JSON shapes (read by huggingface_hub): a paper, a user, a listing entry.

Pure functions of the models, shared by the paper, daily and search routes.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from paperwire.models.papers import Paper, RankedPaper


def _stamp(day) -> str | None:
    return f"{day.isoformat()}T00:00:00.000Z" if day else None


def hf_paper(p: Paper, upvotes: int = 0) -> dict:
    """A paper in the shape of Hugging Face's /api/papers/{id} (read by huggingface_hub's PaperInfo)."""
    return {
        "id": p.id,
        "authors": [{"name": name, "hidden": False} for name in p.authors],
        "publishedAt": _stamp(p.published or p.announced or p.updated),
        "title": p.title,
        "summary": p.abstract,
        "upvotes": upvotes,
        "githubRepo": p.links.code,
        "projectPage": p.links.project,
        "source": p.source,
    }


def hf_extract(extract) -> dict:
    """The Hugging Face fields an extract fills: null and [] until the indexer has made it."""
    return {
        "ai_summary": extract.summary if extract else None,
        "ai_keywords": list(extract.keywords) if extract else [],
    }


def hf_user(username: str | None) -> dict | None:
    """A member in the shape of a Hugging Face user (a listing entry's submitter)."""
    if not username:
        return None
    return {
        "_id": username,
        "user": username,
        "name": username,
        "fullname": username,
        "avatarUrl": "",
        "type": "user",
    }


def hf_daily_item(r: RankedPaper) -> dict:
    """A listing entry in the shape of Hugging Face's /api/daily_papers (read by huggingface_hub)."""
    at = r.submitted_at or (datetime.combine(r.day, time(), UTC) if r.day else None)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if at else None
    paper = hf_paper(r.paper, upvotes=r.upvotes)
    paper.update(
        discussionId=r.paper.id,
        **hf_extract(r.extract),
        githubStars=r.github_stars,
        submittedOnDailyAt=stamp,
        submittedOnDailyBy=hf_user(r.submitted_by),
    )
    return {
        "paper": paper,
        "publishedAt": stamp,
        "title": r.paper.title,
        "summary": r.paper.abstract,
        "thumbnail": None,
        "numComments": r.num_comments,
        "submittedBy": hf_user(r.submitted_by),
        "isAuthorParticipating": False,
    }
