"""What a signed-in user's rows show of their own signals: upvoted, saved, dismissed, read, and the
collections a paper can go into. Anonymous visitors get empty ones (their pages stay cacheable)."""

from __future__ import annotations

from fastapi import Request

from paperwire.models.library import PaperMarks
from paperwire.web.pages import user_of
from paperwire.web.services import services


def signal_context(request: Request, paper_ids: list[str]) -> dict:
    """`voted`, `marks` and `my_collections` for a page that shows these papers."""
    user = user_of(request)
    if user is None or not paper_ids:
        return {"voted": set(), "marks": PaperMarks(), "my_collections": []}
    store = services(request).store
    return {
        "voted": store.votes.voted(user.id, paper_ids),
        "marks": store.library.marks(user.id, paper_ids),
        "my_collections": store.collections.user_collections(user.id),
    }
