"""Digest subscriptions on the web: subscribe (double opt-in), confirm, settings, and unsubscribe.

A link in a mail opens a page with one button, and the button makes the change: mail scanners
prefetch GETs. The one write without a CSRF token is the RFC 8058 one-click unsubscribe, which
mailbox providers POST without cookies; the signed token in its URL is what authenticates it.

Who may see and change a subscription: the holder of its signed settings link (mailed to the
address), or the signed-in member whose account has the same address. Nothing takes a subscription
id from the request, so one subscription's link or session never reaches another.
"""

from __future__ import annotations

import re
from dataclasses import replace

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from paperwire.digests.links import BadLink, check_ref
from paperwire.digests.subscribe import subscribe
from paperwire.mail import MailError
from paperwire.models.subscriptions import PREFERENCE_FIELDS, Preferences, Subscription
from paperwire.storage import NotFound
from paperwire.subscriptions import WEEKDAYS, InvalidSubscription, clean, parse_email, split_lines
from paperwire.web.pages import page, render, user_of, wants_json_twin
from paperwire.web.security import client_ip, is_form
from paperwire.web.services import services, write_router

pages = APIRouter()  # reads, and the one-click unsubscribe (no CSRF: see the module's docstring)
actions = write_router()
TAGS = ["subscriptions"]
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no", ""}


# -- reading a form or a JSON body --------------------------------------------------------------


async def _values(request: Request) -> dict:
    """The request's fields: a form's (the last value of a repeated name) or a JSON object's."""
    if is_form(request):
        # The last value wins: the for_you checkbox follows a hidden "0", so unchecked sends only that.
        return {k: v for k, v in (await request.form()).multi_items() if isinstance(v, str)}
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(400, "send a JSON object or a form") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "send a JSON object or a form")
    return body


def _text(values: dict, name: str) -> str | None:
    value = values.get(name)
    if value is not None and not isinstance(value, str):
        raise HTTPException(400, f"{name} must be a string")
    return value


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidSubscription(f"for_you must be true or false, not {str(value)[:20]!r}")


def _strings(name: str, value) -> list[str]:
    if isinstance(value, str):
        # A textarea: one a line; categories may also be separated by commas or spaces.
        return re.split(r"[\s,]+", value) if name == "categories" else split_lines(value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidSubscription(f"{name} must be a list of strings or one line each")
    return value


def _prefs(values: dict, base: Preferences) -> Preferences:
    """Preferences from the request, checked; a field it leaves out keeps its value in `base`."""
    changes = {}
    for name in PREFERENCE_FIELDS:
        value = values.get(name)
        if value is None:
            continue
        if name in ("topics", "authors", "categories"):
            value = _strings(name, value)
        elif name == "for_you":
            value = _flag(value)
        changes[name] = value
    return clean(replace(base, **changes))


def _form(prefs: Preferences, email: str = "") -> dict:
    """What the preference fields show for stored or default preferences."""
    return {
        "email": email,
        **{name: str(getattr(prefs, name)) for name in ("frequency", "weekday", "send_time", "timezone")},
        "trending": str(prefs.trending),
        "max_papers": str(prefs.max_papers),
        "for_you": prefs.for_you,
        "topics": "\n".join(prefs.topics),
        "authors": "\n".join(prefs.authors),
        "categories": " ".join(prefs.categories),
    }


def _form_again(values: dict) -> dict:
    """What the fields show after an error: what was sent, as it was typed."""
    out = _form(Preferences())
    out.update({k: v for k, v in values.items() if k in out and isinstance(v, str)})
    out["for_you"] = str(values.get("for_you", "1")).lower() in _TRUE
    return out


def _as_json(sub: Subscription) -> dict:
    return {
        "email": sub.email,
        "status": sub.status,
        **{name: getattr(sub, name) for name in PREFERENCE_FIELDS},
        "confirmed_at": sub.confirmed_at.isoformat() if sub.confirmed_at else None,
    }


def _render(request: Request, template: str, context: dict, status_code: int = 200):
    return render(request, template, {"weekdays": WEEKDAYS, **context}, status_code=status_code)


def _private(response: Response) -> Response:
    # These pages are reached by links carrying a token and show an address: keep both out of
    # Referer headers and shared caches.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


# -- subscribing --------------------------------------------------------------------------------


@pages.get("/subscribe", response_class=HTMLResponse, tags=TAGS)
def subscribe_page(request: Request, email: str = ""):
    """The subscribe form; ?email= (the footer's form) or a member's own address fills it in."""
    user = user_of(request)
    form = _form(Preferences(), email[:254] or (user.email if user else ""))
    return _render(request, "subscribe.html", {"form": form, "error": None, "guess_timezone": True})


@actions.post("/api/subscriptions", status_code=202, tags=TAGS)
async def create_subscription(request: Request):
    """Subscribe an address: a mail asks it to confirm (double opt-in). The answer is the same whether
    or not the address was subscribed already; its owner is told by mail."""
    values = await _values(request)
    try:
        email = parse_email(_text(values, "email") or "")
        prefs = _prefs(values, Preferences())
    except InvalidSubscription as exc:
        return _subscribe_error(request, values, str(exc))
    app = services(request)
    app.security.limit("subscribe_ip", client_ip(request))
    app.security.limit("subscribe", email)
    try:
        sub, _outcome = await run_in_threadpool(
            subscribe, app.store, app.mailer, app.subscription_links, email, prefs
        )
    except MailError as exc:
        return _subscribe_error(request, values, f"the confirmation email could not be sent: {exc}", 503)
    if not is_form(request):
        return JSONResponse({"status": "confirmation_sent", "email": sub.email}, status_code=202)
    return _render(request, "subscribe_sent.html", {"email": sub.email})


def _subscribe_error(request: Request, values: dict, message: str, status: int = 400):
    if not is_form(request):
        raise HTTPException(status, message)
    context = {"form": _form_again(values), "error": message, "guess_timezone": False}
    return _render(request, "subscribe.html", context, status_code=status)


# -- confirming ---------------------------------------------------------------------------------


def _linked(request: Request, kind: str, token: str | None) -> Subscription:
    """The subscription a signed link names, if the link is ours and not revoked; 400 otherwise."""
    links = services(request).subscription_links
    readers = {"confirmation": links.read_confirm, "settings": links.read_manage}
    read = readers.get(kind, links.read_unsubscribe)
    try:
        ref = read(token or "")
        sub = services(request).store.subscriptions.get_subscription(ref.subscription_id)
        check_ref(ref, sub.nonce if sub else None, kind)
    except BadLink as exc:
        raise HTTPException(400, str(exc)) from None
    return sub


def _confirmable(request: Request, token: str | None) -> Subscription:
    sub = _linked(request, "confirmation", token)
    if sub.status not in ("pending", "active"):
        # Its owner stopped it after this link was sent: an old link must not start it again.
        raise HTTPException(400, f"this subscription is {sub.status}: subscribe again to get a new link")
    return sub


def _confirmed(request: Request, sub: Subscription):
    token = services(request).subscription_links.manage_token(sub.id, sub.nonce)
    context = {"sub": sub, "settings_path": f"/subscription?token={token}"}
    return _private(_render(request, "subscribe_confirmed.html", context))


@pages.get("/subscribe/confirm", response_class=HTMLResponse, tags=TAGS)
def confirm_page(request: Request, token: str = ""):
    """The page a confirmation link opens: one button confirms (the GET changes nothing)."""
    sub = _confirmable(request, token)
    if sub.active:
        return _confirmed(request, sub)
    return _private(_render(request, "subscribe_confirm.html", {"sub": sub, "token": token}))


@actions.post("/api/subscriptions/confirm", tags=TAGS)
async def confirm(request: Request):
    """Confirm a subscription with its link's token; confirming again changes nothing."""
    values = await _values(request)
    sub = _confirmable(request, _text(values, "token"))
    store = services(request).store
    if not sub.active:
        # expect="pending": a concurrent unsubscribe wins over a confirmation racing it.
        sub = store.subscriptions.set_subscription_status(
            sub.id, "active", expect="pending"
        ) or store.subscriptions.get_subscription(sub.id)
    if not is_form(request):
        return {"status": sub.status, "email": sub.email}
    return _confirmed(request, sub)


# -- settings -----------------------------------------------------------------------------------


def _owned(request: Request, token: str | None) -> tuple[Subscription | None, str]:
    """The subscription this request may see, and the token that proved it ('' for a session):
    a settings link's, or else the signed-in member's own (401 when neither)."""
    if token:
        return _linked(request, "settings", token), token
    user = services(request).security.require_user(request)
    return services(request).store.subscriptions.find_subscription(user.email), ""


def _owned_or_404(request: Request, token: str | None) -> tuple[Subscription, str]:
    sub, token = _owned(request, token)
    if sub is None:
        raise HTTPException(404, "you have no digest subscription: subscribe at /subscribe")
    return sub, token


def _settings_path(token: str) -> str:
    return f"/subscription?token={token}" if token else "/subscription"


def _settings_page(request: Request, sub, token: str, form=None, error=None, status_code=200, **extra):
    if sub is not None and form is None:
        form = _form(Preferences.of(sub), sub.email)
    context = {"sub": sub, "token": token, "form": form, "error": error, "guess_timezone": False, **extra}
    return _private(_render(request, "subscription.html", context, status_code=status_code))


@page(pages, "/subscription", tags=TAGS)
def settings_page(request: Request, token: str = "", saved: bool = False):
    """A subscription's status and preferences, by its settings link or for the signed-in member;
    /subscription.json is its twin (404 for a member without a subscription)."""
    if wants_json_twin(request):
        sub, _ = _owned_or_404(request, token)
        return _private(JSONResponse(_as_json(sub)))
    if not token and user_of(request) is None:
        return RedirectResponse("/signin?next=/subscription", status_code=303)
    sub, token = _owned(request, token)
    return _settings_page(request, sub, token, saved=saved)


@actions.post("/api/subscription", tags=TAGS)
async def save_settings(request: Request):
    """Change a subscription's preferences; fields left out of a JSON body keep their values."""
    values = await _values(request)
    sub, token = _owned_or_404(request, _text(values, "token"))
    try:
        prefs = _prefs(values, Preferences.of(sub))
    except InvalidSubscription as exc:
        if not is_form(request):
            raise HTTPException(400, str(exc)) from None
        form = {**_form_again(values), "email": sub.email}
        return _settings_page(request, sub, token, form, str(exc), status_code=400)
    try:
        sub = services(request).store.subscriptions.update_subscription(sub.id, prefs)
    except NotFound:
        raise HTTPException(404, "this subscription was removed") from None
    if is_form(request):
        return RedirectResponse(_settings_path(token) + ("&" if token else "?") + "saved=1", status_code=303)
    return _as_json(sub)


@actions.post("/api/subscription/unsubscribe", tags=TAGS)
async def unsubscribe_from_settings(request: Request):
    """Stop the digest (the settings page's button)."""
    values = await _values(request)
    sub, token = _owned_or_404(request, _text(values, "token"))
    sub = _unsubscribe(request, sub)
    if is_form(request):
        return RedirectResponse(_settings_path(token), status_code=303)
    return {"status": sub.status, "email": sub.email}


@actions.post("/api/subscription/resubscribe", tags=TAGS)
async def resubscribe(request: Request):
    """Start a stopped (or unconfirmed) digest again: the settings link or the session proves the
    address, so no confirmation mail is needed."""
    values = await _values(request)
    sub, token = _owned_or_404(request, _text(values, "token"))
    store = services(request).store
    if not sub.active:
        sub = store.subscriptions.set_subscription_status(
            sub.id, "active", expect=sub.status
        ) or store.subscriptions.get_subscription(sub.id)
    if is_form(request):
        return RedirectResponse(_settings_path(token), status_code=303)
    return {"status": sub.status, "email": sub.email}


# -- unsubscribing: the link in every digest ----------------------------------------------------


def _unsubscribe(request: Request, sub: Subscription) -> Subscription:
    if sub.status == "unsubscribed":
        return sub  # twice is the same as once
    store = services(request).store
    return store.subscriptions.set_subscription_status(
        sub.id, "unsubscribed"
    ) or store.subscriptions.get_subscription(sub.id)


def _unsubscribe_page(request: Request, sub: Subscription, token: str):
    manage = services(request).subscription_links.manage_token(sub.id, sub.nonce)
    context = {"sub": sub, "token": token, "settings_path": _settings_path(manage)}
    return _private(_render(request, "unsubscribe.html", context))


@pages.get("/unsubscribe/{token}", response_class=HTMLResponse, tags=TAGS)
def unsubscribe_page(request: Request, token: str):
    """The page a digest's unsubscribe link opens: one button (the GET changes nothing)."""
    return _unsubscribe_page(request, _linked(request, "unsubscribe", token), token)


# RFC 8058 one-click: the mailbox provider POSTs `List-Unsubscribe=One-Click` with no cookies, so this
# route is deliberately outside write_router (no CSRF token); the signed token is the authentication,
# and tests/web/test_routes.py lists it as the one exemption.
@pages.post("/unsubscribe/{token}", tags=TAGS)
def one_click_unsubscribe(request: Request, token: str):
    """Unsubscribe at once (RFC 8058 one-click, and the unsubscribe page's button)."""
    as_json = "application/json" in request.headers.get("accept", "")
    try:
        sub = _unsubscribe(request, _linked(request, "unsubscribe", token))
    except HTTPException as exc:
        if as_json:
            error = {"code": "bad_request", "message": exc.detail}
            return JSONResponse({"error": error}, status_code=exc.status_code)
        raise
    if as_json:
        return _private(JSONResponse({"status": sub.status, "email": sub.email}))
    return _unsubscribe_page(request, sub, token)
