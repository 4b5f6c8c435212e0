"""What a request handler works with, in one typed object: `services(request).store`, not
`request.app.state.store`. create_app builds it once; every handler and page helper asks for it here."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from paperwire.digests.links import SubscriptionLinks
from paperwire.mail import Mailer
from paperwire.recommend import Recommender
from paperwire.search import SearchEngine
from paperwire.settings import Settings
from paperwire.storage import Store
from paperwire.web.cache import PageCache
from paperwire.web.security import Security


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    store: Store
    search: SearchEngine
    security: Security  # sessions, CSRF tokens, rate limits
    subscription_links: SubscriptionLinks  # signed confirm/unsubscribe links
    mailer: Mailer
    page_cache: PageCache
    templates: Jinja2Templates
    recommender: Recommender  # keeps the pools it read in memory: one per app


def services(scope: HTTPConnection | Starlette) -> Services:
    """The app's services, from a request (or from the app itself, as tests hold it)."""
    app = scope if isinstance(scope, Starlette) else scope.app
    return app.state.services


def build_services(
    settings: Settings,
    store: Store,
    search: SearchEngine,
    secret: str,
    mailer: Mailer,
    templates: Jinja2Templates,
) -> Services:
    return Services(
        settings=settings,
        store=store,
        search=search,
        security=Security(settings, store, secret),
        subscription_links=SubscriptionLinks(secret, settings.base_url),
        mailer=mailer,
        page_cache=PageCache(),
        templates=templates,
        recommender=Recommender(store, search),
    )


async def require_csrf(request: Request) -> None:
    await services(request).security.check_csrf(request)


def write_router() -> APIRouter:
    """A router for routes that change state: each one requires a valid CSRF token."""
    return APIRouter(dependencies=[Depends(require_csrf)])
