"""Comments: a member comments on a paper and deletes their own; admins hide any (hidden=0 shows it).

Every route here changes state, so the router requires a CSRF token on all of them. Each answers a
browser form with a redirect (or the page with the form's error) and an API call with JSON.
"""

from __future__ import annotations

from fastapi import HTTPException, Path, Request

from paperwire.comments import InvalidComment, render_markdown, validate_comment_body
from paperwire.papers import paper_path
from paperwire.web.forms import answer, field, flag
from paperwire.web.pages import MAX_ROW_ID, render
from paperwire.web.papers import find_paper, paper_context
from paperwire.web.security import is_form
from paperwire.web.services import services, write_router

router = write_router()


@router.post("/api/papers/{paper_id:path}/comments", tags=["comments"])
async def add_comment(request: Request, paper_id: str):
    """Comment on a paper, in Markdown (sanitised when shown)."""
    security = services(request).security
    user = security.require_user(request)
    paper = find_paper(request, paper_id)
    try:
        body = validate_comment_body(await field(request, "body") or "")
    except InvalidComment as exc:
        if is_form(request):
            context = paper_context(
                request, paper, comment_error=str(exc), comment_body=await field(request, "body")
            )
            return render(request, "paper.html", context, status_code=400)
        raise HTTPException(400, str(exc)) from None
    security.limit("comment", str(user.id))
    comment = services(request).store.comments.add_comment(paper.id, user.id, body, render_markdown(body))
    payload = {"id": comment.id, "paper_id": paper.id, "author": comment.author, "body": comment.body}
    return await answer(request, payload, f"{paper_path(paper.id)}#comment-{comment.id}")


@router.post("/api/comments/{comment_id}/delete", tags=["comments"])
async def delete_comment_form(request: Request, comment_id: int = Path(ge=1, le=MAX_ROW_ID)):
    """Delete one's own comment (the form's way of saying DELETE)."""
    return await delete_comment(request, comment_id)


@router.delete("/api/comments/{comment_id}", tags=["comments"])
async def delete_comment(request: Request, comment_id: int = Path(ge=1, le=MAX_ROW_ID)):
    """Delete one's own comment."""
    user = services(request).security.require_user(request)
    store = services(request).store
    comment = store.comments.get_comment(comment_id)
    if comment is None:
        raise HTTPException(404, f"no comment {comment_id}")
    if comment.user_id != user.id:
        raise HTTPException(403, "you can delete only your own comments")
    store.comments.delete_comment(comment_id)
    return await answer(request, {"deleted": comment_id}, paper_path(comment.paper_id))


@router.post("/api/comments/{comment_id}/hide", tags=["moderation"])
async def hide_comment(request: Request, comment_id: int = Path(ge=1, le=MAX_ROW_ID)):
    """Admins: hide a comment (hidden=0 shows it again)."""
    services(request).security.require_admin(request)
    hidden = await flag(request, "hidden")
    store = services(request).store
    comment = store.comments.get_comment(comment_id)
    if comment is None:
        raise HTTPException(404, f"no comment {comment_id}")
    store.comments.set_comment_hidden(comment_id, hidden)
    return await answer(request, {"comment_id": comment_id, "hidden": hidden}, paper_path(comment.paper_id))
