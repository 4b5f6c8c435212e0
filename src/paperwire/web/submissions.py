"""A queued submission's state, for its submitter: /submissions/{id} (the page refreshes itself until
the paper arrives, then leads to it) and its JSON twin /api/submissions/{id}, where `POST /api/papers`'s
202 points."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from paperwire.models.submissions import QueuedSubmission
from paperwire.papers import paper_path
from paperwire.web.pages import MAX_ROW_ID, render
from paperwire.web.services import services

router = APIRouter()
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
