"""Votes: a member upvotes a paper, or takes the upvote back (public; the trending formula is votes.py).

Every route here changes state, so the router requires a CSRF token on all of them.
"""

from __future__ import annotations

from fastapi import Request

from paperwire.papers import paper_path
from paperwire.web.forms import answer, flag
from paperwire.web.papers import find_paper
from paperwire.web.security import is_form
from paperwire.web.services import services, write_router

router = write_router()


@router.post("/api/papers/{paper_id:path}/vote", tags=["votes"])
async def vote(request: Request, paper_id: str):
    """Upvote a paper; a form may send up=0 to take the vote back."""
    up = await flag(request, "up") if is_form(request) else True
    return await _set_vote(request, paper_id, up)


@router.delete("/api/papers/{paper_id:path}/vote", tags=["votes"])
async def unvote(request: Request, paper_id: str):
    """Take back one's upvote."""
    return await _set_vote(request, paper_id, False)


async def _set_vote(request: Request, paper_id: str, up: bool):
    security = services(request).security
    user = security.require_user(request)
    paper = find_paper(request, paper_id)
    security.limit("vote", str(user.id))
    upvotes = services(request).store.votes.set_vote(user.id, paper.id, up)
    return await answer(
        request, {"paper_id": paper.id, "upvoted": up, "upvotes": upvotes}, paper_path(paper.id)
    )
