"""Named collections: create, rename, make public or private, delete (after a confirmation page), add
and remove papers; a collection's page, JSON twin, Atom feed and exports.

A collection's URL is /collections/{id}: the number never changes (renaming keeps it) and is never
handed out again. A private collection answers 404 to everybody but its owner, exactly as a missing
one does, so its existence does not leak.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from paperwire.feeds import atom_feed
from paperwire.models.library import MAX_COLLECTION_NAME, Collection, CollectionNameTaken, TooManyCollections
from paperwire.papers import InvalidPaper, normalize_text, paper_path
from paperwire.storage import NotFound
from paperwire.web.forms import answer, field
from paperwire.web.hf_shapes import hf_daily_item
from paperwire.web.library import bibtex_response, collection_json, csl_response, library_context
from paperwire.web.pages import MAX_ROW_ID, page, render, user_of, wants_json_twin
from paperwire.web.papers import find_paper, with_extracts
from paperwire.web.security import is_form
from paperwire.web.services import services, write_router
from paperwire.web.signals import signal_context

pages = APIRouter()
actions = write_router()

PAGE_SIZE = 50
FEED_SIZE = 50
EXPORT_LIMIT = 100_000
CollectionId = Path(ge=1, le=MAX_ROW_ID, description="The collection's number")


def visible(request: Request, collection_id: int) -> Collection:
    """The collection if this visitor may see it (public, or theirs); 404 otherwise, either way."""
    collection = services(request).store.collections.get(collection_id)
    user = user_of(request)
    if collection is None or not (collection.is_public or (user and user.id == collection.user_id)):
        raise HTTPException(404, f"no collection {collection_id}")
    return collection


# -- pages -----------------------------------------------------------------------------------------


@page(pages, "/collections/{collection_id}", tags=["collections"])
def collection_page(
    request: Request, collection_id: int = CollectionId, page: int = Query(1, ge=1, le=10_000)
):
    """A collection's papers, latest added first (/collections/{id}.json is its JSON twin)."""
    as_json = wants_json_twin(request)
    collection = visible(request, collection_id)
    rows, total = services(request).store.collections.papers(collection.id, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    with_extracts(request, rows)
    if as_json:
        out = collection_json(request, collection)
        return JSONResponse({**out, "total": total, "page": page, "papers": [hf_daily_item(r) for r in rows]})
    return render(request, "collection.html", _page_context(request, collection, rows, total, page))


def _page_context(request: Request, collection: Collection, rows=None, total=None, page=1, **extra) -> dict:
    if rows is None:
        rows, total = services(request).store.collections.papers(collection.id, PAGE_SIZE)
        with_extracts(request, rows)
    user = user_of(request)
    return {
        "collection": collection,
        "owner": bool(user and user.id == collection.user_id),
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        "error": None,
        **signal_context(request, [r.paper.id for r in rows]),
        **extra,
    }


@pages.get("/collections/{collection_id}/delete", tags=["collections"])
def confirm_delete(request: Request, collection_id: int = CollectionId):
    """The page that asks whether to delete a collection (the deletion itself is a POST)."""
    collection = _own(request, collection_id)
    return render(request, "collection_delete.html", {"collection": collection})


@pages.get("/collections/{collection_id}/feed.atom", tags=["collections"])
def collection_feed(request: Request, collection_id: int = CollectionId):
    """A public collection's Atom feed: its latest added papers."""
    collection = visible(request, collection_id)
    rows, _ = services(request).store.collections.papers(collection.id, FEED_SIZE)
    base = services(request).settings.base_url
    body = atom_feed(
        title=f"{collection.name} · a collection by {collection.owner}",
        feed_url=f"{base}/collections/{collection.id}/feed.atom",
        site_url=base,
        papers=[r.paper for r in rows],
        updated=collection.updated_at.astimezone(UTC) if collection.updated_at else datetime.now(UTC),
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@pages.get("/collections/{collection_id}/export/bibtex", tags=["collections"])
def collection_bibtex(request: Request, collection_id: int = CollectionId):
    """A collection as BibTeX."""
    return bibtex_response(request, _papers(request, collection_id), f"collection-{collection_id}")


@pages.get("/collections/{collection_id}/export/csl-json", tags=["collections"])
def collection_csl(request: Request, collection_id: int = CollectionId):
    """A collection as CSL JSON."""
    return csl_response(request, _papers(request, collection_id), f"collection-{collection_id}")


def _papers(request: Request, collection_id: int):
    collection = visible(request, collection_id)
    rows, _ = services(request).store.collections.papers(collection.id, EXPORT_LIMIT)
    return [r.paper for r in rows]


def _own(request: Request, collection_id: int) -> Collection:
    """The signed-in user's collection; 404 for anybody else's (whether public or not) or none."""
    user = services(request).security.require_user(request)
    collection = services(request).store.collections.get(collection_id)
    if collection is None or collection.user_id != user.id:
        raise HTTPException(404, f"no collection {collection_id}")
    return collection


# -- writes ----------------------------------------------------------------------------------------


def _name(value: str | None) -> str:
    try:
        name = normalize_text(value or "")
    except InvalidPaper as exc:
        raise HTTPException(400, f"name: {exc}") from None
    if not name:
        raise HTTPException(400, "give the collection a name")
    if len(name) > MAX_COLLECTION_NAME:
        raise HTTPException(400, f"a collection's name has at most {MAX_COLLECTION_NAME} characters")
    return name


async def _public(request: Request) -> bool | None:
    if is_form(request):
        value = await field(request, "public")
        return None if value is None else value in ("1", "true", "on")
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(400, "send a JSON object or a form") from None
    value = body.get("public") if isinstance(body, dict) else None
    if value is not None and not isinstance(value, bool):
        raise HTTPException(400, "public must be true or false")
    return value


async def _form_error(request: Request, exc: HTTPException, collection: Collection | None):
    """A form's mistake shown on the page it came from; an API call gets the JSON error."""
    if not is_form(request):
        raise exc
    if collection is None:
        return render(request, "library.html", library_context(request, collection_error=exc.detail), 400)
    return render(request, "collection.html", _page_context(request, collection, error=exc.detail), 400)


@actions.post("/api/collections", tags=["collections"])
async def create(request: Request):
    """Create a collection: {"name", "public": false}. 201 with it."""
    security = services(request).security
    user = security.require_user(request)
    try:
        name, public = _name(await field(request, "name")), bool(await _public(request))
        security.limit("collection", str(user.id))
        collection = services(request).store.collections.create(user.id, name, public)
    except (CollectionNameTaken, TooManyCollections) as exc:
        return await _form_error(request, HTTPException(400, str(exc)), None)
    except HTTPException as exc:
        if exc.status_code != 400:
            raise
        return await _form_error(request, exc, None)
    if is_form(request):
        return RedirectResponse(f"/collections/{collection.id}", status_code=303)
    return JSONResponse(collection_json(request, collection), status_code=201)


@actions.post("/api/collections/{collection_id}", tags=["collections"])
async def update(request: Request, collection_id: int = CollectionId):
    """Rename a collection or make it public or private: {"name"?, "public"?}. Its URL stays."""
    security = services(request).security
    collection = _own(request, collection_id)
    try:
        text = await field(request, "name")
        name = _name(text) if text is not None else None
        public = await _public(request)
        security.limit("collection", str(collection.user_id))
        collection = services(request).store.collections.update(
            collection.id, collection.user_id, name, public
        )
    except CollectionNameTaken as exc:
        return await _form_error(request, HTTPException(400, str(exc)), collection)
    except HTTPException as exc:
        if exc.status_code != 400:
            raise
        return await _form_error(request, exc, collection)
    except NotFound:
        raise HTTPException(404, f"no collection {collection_id}") from None
    return await answer(request, collection_json(request, collection), f"/collections/{collection.id}")


@actions.post("/api/collections/{collection_id}/delete", tags=["collections"])
async def delete_form(request: Request, collection_id: int = CollectionId):
    """Delete a collection (the confirmation page's form); its papers stay on the hub."""
    return await delete(request, collection_id)


@actions.delete("/api/collections/{collection_id}", tags=["collections"])
async def delete(request: Request, collection_id: int = CollectionId):
    """Delete a collection."""
    collection = _own(request, collection_id)
    services(request).security.limit("collection", str(collection.user_id))
    try:
        services(request).store.collections.delete(collection.id, collection.user_id)
    except NotFound:
        raise HTTPException(404, f"no collection {collection_id}") from None
    return await answer(request, {"deleted": collection.id}, "/library")


@actions.post("/api/papers/{paper_id:path}/collections", tags=["collections"])
async def add_paper(request: Request, paper_id: str):
    """Add a paper to one of one's collections: {"collection_id"}."""
    services(request).security.require_user(request)
    text = str(await _collection_field(request))
    if not text.isdigit() or not 0 < int(text) <= MAX_ROW_ID:
        raise HTTPException(400, "collection_id: choose one of your collections")
    return await _set_paper(request, paper_id, int(text), True)


async def _collection_field(request: Request):
    if is_form(request):
        return await field(request, "collection_id")
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(400, "send a JSON object or a form") from None
    value = body.get("collection_id") if isinstance(body, dict) else None
    return "" if isinstance(value, bool) else value


@actions.post("/api/papers/{paper_id:path}/collections/{collection_id}/delete", tags=["collections"])
async def remove_paper_form(request: Request, paper_id: str, collection_id: int = CollectionId):
    """Take a paper out of a collection (a form's way of saying DELETE)."""
    return await _set_paper(request, paper_id, collection_id, False)


@actions.delete("/api/papers/{paper_id:path}/collections/{collection_id}", tags=["collections"])
async def remove_paper(request: Request, paper_id: str, collection_id: int = CollectionId):
    """Take a paper out of a collection."""
    return await _set_paper(request, paper_id, collection_id, False)


async def _set_paper(request: Request, paper_id: str, collection_id: int, present: bool):
    security = services(request).security
    collection = _own(request, collection_id)
    paper = find_paper(request, paper_id, hidden_ok=not present)  # a hidden paper can still be taken out
    security.limit("signal", str(collection.user_id))
    try:
        services(request).store.collections.set_paper(collection.id, collection.user_id, paper.id, present)
    except NotFound:
        raise HTTPException(404, f"no collection {collection_id}") from None
    payload = {"paper_id": paper.id, "collection_id": collection.id, "collected": present}
    return await answer(request, payload, paper_path(paper.id))
