"""Submitting a paper (POST /api/papers), and a queued submission's state for its submitter:
/submissions/{id} (the page refreshes itself until the paper arrives, then leads to it) and its JSON
twin /api/submissions/{id}, where `POST /api/papers`'s 202 points."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from paperwire.models.submissions import QueuedSubmission, QueueFull
from paperwire.papers import InvalidPaper, arxiv_ref, paper_path
from paperwire.storage import NotFound
from paperwire.web.forms import field
from paperwire.web.pages import MAX_ROW_ID, render, today
from paperwire.web.security import is_form
from paperwire.web.services import services, write_router

router = APIRouter()
actions = write_router()  # POST /api/papers: submitting needs a CSRF token
REFRESH_S = 2  # how often the page of a submission still being fetched reloads itself


def queued_json(queued: QueuedSubmission) -> dict:
    return {
        "id": queued.id,
        "paper_id": queued.paper_id,
        "state": queued.state,
        "error": queued.error,
        "submitted_by": queued.username,
        "day": queued.day.isoformat(),
        "created_at": queued.created_at.isoformat(),
        "finished_at": queued.finished_at.isoformat() if queued.finished_at else None,
        "status_url": f"/api/submissions/{queued.id}",
        "paper_url": paper_path(queued.paper_id) if queued.state == "done" else None,
    }


def _own(request: Request, submission_id: int) -> QueuedSubmission:
    user = services(request).security.require_user(request)
    queued = services(request).store.submissions.get_queued_submission(submission_id)
    # Another member's submission is not found, rather than forbidden: its existence is theirs too.
    if queued is None or (queued.user_id != user.id and not user.is_admin):
        raise HTTPException(404, f"no submission {submission_id} of yours")
    return queued


@router.get("/api/submissions/{submission_id}", tags=["submissions"])
def submission_json(request: Request, submission_id: int = Path(ge=1, le=MAX_ROW_ID)):
    """A submission of yours that was queued for a fetch from arXiv: queued, done or failed (why)."""
    return queued_json(_own(request, submission_id))


@router.get("/submissions/{submission_id}", response_class=HTMLResponse, tags=["submissions"])
def submission_page(request: Request, submission_id: int = Path(ge=1, le=MAX_ROW_ID)):
    """The page of a queued submission; once its paper is stored, the paper's page."""
    queued = _own(request, submission_id)
    if queued.state == "done":
        return RedirectResponse(paper_path(queued.paper_id), status_code=303)
    return render(request, "submission.html", {"queued": queued, "refresh": REFRESH_S})


# -- submitting ----------------------------------------------------------------------------------


QUEUE_RETRY_AFTER_S = 60  # a full fetch queue: roughly how long arXiv takes to work through a batch


@actions.post("/api/papers", tags=["submissions"])
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
