"""What members do: upvote, comment, submit papers, and (admins) hide papers and comments.

Every route here changes state, so the router requires a CSRF token on all of them. Each answers a
browser form with a redirect (or the page with the form's error) and an API call with JSON.
"""

from __future__ import annotations

from fastapi import HTTPException, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse

from paperwire.comments import InvalidComment, render_markdown, validate_comment_body
from paperwire.models.submissions import QueueFull
from paperwire.papers import InvalidPaper, arxiv_ref, paper_path
from paperwire.storage import NotFound
from paperwire.web.pages import MAX_ROW_ID, render, today
from paperwire.web.papers import find_paper, paper_context
from paperwire.web.security import is_form, safe_next
from paperwire.web.services import services, write_router
from paperwire.web.submissions import queued_json

router = write_router()


async def field(request: Request, name: str) -> str | None:
    """A value from the form or the JSON body."""
    if is_form(request):
        value = (await request.form()).get(name)
    else:
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, "send a JSON object or a form") from None
        value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


async def answer(request: Request, payload: dict, back: str):
    if is_form(request):
        return RedirectResponse(safe_next(await field(request, "next"), back), status_code=303)
    return JSONResponse(payload)


# -- votes ---------------------------------------------------------------------------------------


@router.post("/api/papers/{paper_id:path}/vote", tags=["votes"])
async def vote(request: Request, paper_id: str):
    """Upvote a paper; a form may send up=0 to take the vote back."""
    up = (await field(request, "up")) not in ("0", "false") if is_form(request) else True
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


# -- comments ------------------------------------------------------------------------------------


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


# -- moderation ----------------------------------------------------------------------------------


@router.post("/api/comments/{comment_id}/hide", tags=["moderation"])
async def hide_comment(request: Request, comment_id: int = Path(ge=1, le=MAX_ROW_ID)):
    """Admins: hide a comment (hidden=0 shows it again)."""
    services(request).security.require_admin(request)
    hidden = (await field(request, "hidden")) not in ("0", "false")
    store = services(request).store
    comment = store.comments.get_comment(comment_id)
    if comment is None:
        raise HTTPException(404, f"no comment {comment_id}")
    store.comments.set_comment_hidden(comment_id, hidden)
    return await answer(request, {"comment_id": comment_id, "hidden": hidden}, paper_path(comment.paper_id))


@router.post("/api/papers/{paper_id:path}/hide", tags=["moderation"])
async def hide_paper(request: Request, paper_id: str):
    """Admins: hide a paper from every page, feed and search (hidden=0 shows it again)."""
    services(request).security.require_admin(request)
    paper = find_paper(request, paper_id, hidden_ok=True)
    hidden = (await field(request, "hidden")) not in ("0", "false")
    services(request).store.papers.set_paper_hidden(paper.id, hidden)
    return await answer(request, {"paper_id": paper.id, "hidden": hidden}, paper_path(paper.id))


# -- submissions ---------------------------------------------------------------------------------

QUEUE_RETRY_AFTER_S = 60  # a full fetch queue: roughly how long arXiv takes to work through a batch


@router.post("/api/papers", tags=["submissions"])
async def submit(request: Request):
    """Put a paper on today's page by arXiv id or URL. A paper the hub has is submitted at once (201, or
    200 if it was already submitted); one it lacks is queued for a fetch from arXiv (202, with its state
    at `Location`), and the fetch worker submits it when it arrives."""
    security = services(request).security
    user = security.require_user(request)
    ref = (await field(request, "ref") or "").strip()
    store = services(request).store
    try:
        paper_id = arxiv_ref(ref)
    except InvalidPaper as exc:
        if is_form(request):
            return render(request, "submit.html", {"ref": ref, "error": str(exc)}, status_code=400)
        raise HTTPException(400, str(exc)) from None
    paper = store.papers.get_paper(paper_id)
    security.limit("submit", str(user.id))
    if paper is None:
        return await _queue(request, user, paper_id, ref)
    try:
        submission, created = store.submissions.add_submission(paper.id, user.id, today(request))
    except NotFound:
        raise HTTPException(404, f"no paper with id {paper.id!r}") from None
    payload = {
        "paper_id": paper.id,
        "title": paper.title,
        "submitted_by": submission.username,
        "day": submission.day.isoformat(),
        "new": created,
    }
    if is_form(request):
        return RedirectResponse(paper_path(paper.id), status_code=303)
    return JSONResponse(payload, status_code=201 if created else 200)


async def _queue(request: Request, user, paper_id: str, ref: str):
    settings = services(request).settings
    try:
        queued, _ = services(request).store.submissions.queue_submission(
            paper_id,
            user.id,
            today(request),
            per_user=settings.submission_queue_per_user,
            total=settings.submission_queue_total,
        )
    except QueueFull as exc:
        headers = {"Retry-After": str(QUEUE_RETRY_AFTER_S)}
        if is_form(request):
            response = render(request, "submit.html", {"ref": ref, "error": str(exc)}, status_code=429)
            response.headers.update(headers)
            return response
        raise HTTPException(429, str(exc), headers=headers) from None
    if is_form(request):
        return RedirectResponse(f"/submissions/{queued.id}", status_code=303)
    return JSONResponse(
        queued_json(queued), status_code=202, headers={"Location": f"/api/submissions/{queued.id}"}
    )
