"""Signing in by magic link, signing out, and the profile page."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from paperwire import PaperwireError
from paperwire.users import InvalidEmail, normalize_email
from paperwire.web.forms import answer, field
from paperwire.web.pages import page, render, user_of, wants_json_twin
from paperwire.web.security import SIGNIN_LINK_MINUTES, client_ip, safe_next
from paperwire.web.services import services, write_router
from paperwire.web.submissions import queued_json

NO_MAIL = (
    "this hub has no mail server set up (PAPERWIRE_SMTP_URL), so it cannot email sign-in links: "
    "its operator can make one with `paperwire signin-link EMAIL`"
)

pages = APIRouter()
actions = write_router()


@pages.get("/api/csrf", tags=["users"])
def csrf_token(request: Request) -> JSONResponse:
    """A CSRF token for API writes (send it as X-CSRF-Token), with the cookie it is tied to."""
    security = services(request).security
    response = JSONResponse({"csrf_token": security.csrf_token(request)})
    security.set_csrf_cookie(request, response)
    return response


@pages.get("/signin", response_class=HTMLResponse, tags=["users"])
def signin_page(request: Request, next: str = "/"):
    """The form that asks for an email address to send a sign-in link to; without a mail server, how the
    operator makes a link instead."""
    return render(request, "signin.html", _signin_context(request, safe_next(next), "", None))


def _signin_context(request: Request, next_: str, email: str, error: str | None) -> dict:
    mail = services(request).mailer.target is not None
    return {"next": next_, "email": email, "error": error, "mail": mail, "minutes": SIGNIN_LINK_MINUTES}


@actions.post("/api/signin", tags=["users"])
async def send_signin_link(request: Request):
    """Email a single-use sign-in link, valid for 15 minutes."""
    security = services(request).security
    next_ = safe_next(await field(request, "next"))
    raw = await field(request, "email") or ""
    try:
        email = normalize_email(raw)
    except InvalidEmail as exc:
        return _signin_error(request, raw, next_, str(exc))
    if services(request).mailer.target is None:  # said on the page already; this is for API clients
        return _signin_error(request, raw, next_, NO_MAIL, status=503)
    # A stranger must not be able to lock someone else's address out (docs/security.md): a source is
    # limited overall and per address it asks for; the address itself only has a cap on mail, and past
    # it the answer points at the links already sent (each works for SIGNIN_LINK_MINUTES).
    ip = client_ip(request)
    security.limit("signin_ip", ip)
    security.limit("signin", f"{email} from {ip}")
    if not security.allow("signin_mail", email):
        return _already_sent(request, email)
    link = security.signin_link(services(request).settings.base_url, email, next_)
    try:
        await run_in_threadpool(_send_link, request, email, link)
    except PaperwireError as exc:
        return _signin_error(request, raw, next_, f"the sign-in email could not be sent: {exc}", status=503)
    if request.headers.get("content-type", "").startswith("application/json"):
        return JSONResponse({"sent": True, "email": email})
    return render(request, "signin_sent.html", {"email": email, "minutes": SIGNIN_LINK_MINUTES})


def _already_sent(request: Request, email: str):
    hits, seconds = services(request).security.limits["signin_mail"]
    message = (
        f"{hits} sign-in links were sent to this address in the last {seconds // 60} minutes: use the "
        "newest one in your inbox, or ask again in a few minutes"
    )
    if request.headers.get("content-type", "").startswith("application/json"):
        return JSONResponse({"sent": False, "email": email, "message": message})
    return render(
        request, "signin_sent.html", {"email": email, "minutes": SIGNIN_LINK_MINUTES, "held": message}
    )


def _signin_error(request: Request, email: str, next_: str, message: str, status: int = 400):
    if request.headers.get("content-type", "").startswith("application/json"):
        raise HTTPException(status, message)
    return render(request, "signin.html", _signin_context(request, next_, email, message), status_code=status)


def _send_link(request: Request, email: str, link: str) -> None:
    settings = services(request).settings
    text = (
        f"Sign in to Paperwire at {settings.base_url} by opening this link:\n\n{link}\n\n"
        f"It works once, within {SIGNIN_LINK_MINUTES} minutes. If you did not ask for it, ignore this email."
    )
    mailer = services(request).mailer
    mailer.send(mailer.build_message(email, "Your Paperwire sign-in link", text))


@pages.get("/signin/verify", response_class=HTMLResponse, tags=["users"])
def verify_page(request: Request, token: str = "", next: str = "/"):
    """The page a sign-in link opens: one button signs in (a GET never does, so link scanners can't)."""
    email, _ = services(request).security.read_signin_token(token)
    return render(request, "signin_verify.html", {"token": token, "email": email, "next": safe_next(next)})


@actions.post("/api/signin/verify", tags=["users"])
async def verify(request: Request):
    """Redeem a sign-in link's token and start a session."""
    security = services(request).security
    user = security.redeem_signin_token(await field(request, "token") or "")
    response = await answer(request, {"user": user.username}, safe_next(await field(request, "next")))
    security.start_session(response, user)
    return response


@actions.post("/api/signout", tags=["users"])
async def signout(request: Request):
    """End this browser's session."""
    response = await answer(request, {"signed_out": True}, "/")
    services(request).security.end_session(request, response)
    return response


@page(pages, "/profile", tags=["users"])
def profile_page(request: Request):
    """My upvotes, submissions and comments; /profile.json is its twin (401 when signed out)."""
    if wants_json_twin(request):
        return JSONResponse(_profile_json(request, services(request).security.require_user(request)))
    user = user_of(request)
    if user is None:
        return RedirectResponse("/signin?next=/profile", status_code=303)
    return render(request, "profile.html", _profile(request, user))


def _profile_json(request: Request, user) -> dict:
    data = _profile(request, user)
    return {
        "username": user.username,
        "email": user.email,
        "is_admin": user.is_admin,
        "upvoted": [p.id for p in data["upvoted"]],
        "submitted": [{"paper_id": r.paper.id, "day": str(r.day)} for r in data["submitted"]],
        "waiting": [queued_json(q) for q in data["waiting"]],
        "comments": [
            {"id": c.id, "paper_id": c.paper_id, "body": c.body, "hidden": c.hidden} for c in data["comments"]
        ],
    }


def _profile(request: Request, user) -> dict:
    store = services(request).store
    return {
        "upvoted": store.votes.user_votes(user.id),
        "submitted": store.submissions.user_submissions(user.id),
        "waiting": store.submissions.user_queued_submissions(user.id),  # queued for arXiv, or failed
        "comments": store.comments.user_comments(user.id),
    }
