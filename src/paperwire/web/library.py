"""A member's library: save, dismiss and mark papers read (POST to set, DELETE to undo), the /library
page and its JSON twin, exports as BibTeX and CSL JSON, and imports of those files. Everything here
is private to its owner: no route shows one user's library, marks or import to anybody else."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from paperwire.library.entries import FORMATS, InvalidImport, detect_format, read_entries
from paperwire.library.export import to_bibtex, to_csl
from paperwire.library.matching import match_entries
from paperwire.models.library import Collection, ImportReport
from paperwire.models.users import User
from paperwire.papers import paper_path
from paperwire.storage import NotFound
from paperwire.web.forms import answer, flag
from paperwire.web.hf_shapes import hf_daily_item
from paperwire.web.pages import MAX_ROW_ID, page, render, user_of, wants_json_twin
from paperwire.web.papers import find_paper, with_extracts
from paperwire.web.search import search_engine
from paperwire.web.security import is_form
from paperwire.web.services import services, write_router
from paperwire.web.signals import signal_context

pages = APIRouter()
actions = write_router()

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # a library is exported whole; this only bounds a runaway one
# The JSON names of each signal; `key` in answers, `mark` in storage (None: the library itself).
SIGNALS = {
    "save": ("saved", None),
    "not-interested": ("not_interested", "not_interested"),
    "read": ("read", "read"),
}


# -- signals -------------------------------------------------------------------------------------


@actions.post("/api/papers/{paper_id:path}/save", tags=["library"])
async def save(request: Request, paper_id: str):
    """Save a paper to one's library (private); a form may send on=0 to take it out."""
    return await _signal(request, paper_id, "save", await _on(request))


@actions.delete("/api/papers/{paper_id:path}/save", tags=["library"])
async def unsave(request: Request, paper_id: str):
    """Take a paper out of one's library."""
    return await _signal(request, paper_id, "save", False)


@actions.post("/api/papers/{paper_id:path}/not-interested", tags=["library"])
async def dismiss(request: Request, paper_id: str):
    """Mark a paper "not interested" (private; it stays on public pages); on=0 undoes it."""
    return await _signal(request, paper_id, "not-interested", await _on(request))


@actions.delete("/api/papers/{paper_id:path}/not-interested", tags=["library"])
async def undismiss(request: Request, paper_id: str):
    """Take back "not interested"."""
    return await _signal(request, paper_id, "not-interested", False)


@actions.post("/api/papers/{paper_id:path}/read", tags=["library"])
async def mark_read(request: Request, paper_id: str):
    """Mark a paper read (private); on=0 marks it unread."""
    return await _signal(request, paper_id, "read", await _on(request))


@actions.delete("/api/papers/{paper_id:path}/read", tags=["library"])
async def mark_unread(request: Request, paper_id: str):
    """Mark a paper unread."""
    return await _signal(request, paper_id, "read", False)


async def _on(request: Request) -> bool:
    return await flag(request, "on") if is_form(request) else True


async def _signal(request: Request, paper_id: str, kind: str, on: bool):
    security = services(request).security
    user = security.require_user(request)
    paper = find_paper(request, paper_id)
    security.limit("signal", str(user.id))
    key, mark = SIGNALS[kind]
    library = services(request).store.library
    try:
        if mark is None:
            library.set_saved(user.id, paper.id, on)
        else:
            library.set_mark(user.id, paper.id, mark, on)
    except NotFound:
        raise HTTPException(404, f"no paper with id {paper.id!r}") from None
    return await answer(request, {"paper_id": paper.id, key: on}, paper_path(paper.id))


# -- the library page and its twin -----------------------------------------------------------------


def _member(request: Request) -> User:
    return services(request).security.require_user(request)


@page(pages, "/library", tags=["library"])
def library_page(request: Request, page: int = Query(1, ge=1, le=10_000)):
    """One's saved papers, newest saved first, with one's collections and the import form;
    /library.json is its twin (401 signed out; the page leads to sign-in)."""
    if not wants_json_twin(request):
        if user_of(request) is None:
            return RedirectResponse("/signin?next=/library", status_code=303)
        return render(request, "library.html", library_context(request, page))
    user = _member(request)
    store = services(request).store
    rows, total = store.library.library_papers(user.id, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    with_extracts(request, rows)
    return JSONResponse(
        {
            "total": total,
            "page": page,
            "papers": [hf_daily_item(r) for r in rows],
            "collections": [collection_json(request, c) for c in store.collections.user_collections(user.id)],
        }
    )


def library_context(request: Request, page: int = 1, **extra) -> dict:
    user = _member(request)
    store = services(request).store
    rows, total = store.library.library_papers(user.id, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    with_extracts(request, rows)
    return {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        "collections": store.collections.user_collections(user.id),
        "max_import_bytes": services(request).settings.max_import_bytes,
        "report": None,
        "import_error": None,
        **signal_context(request, [r.paper.id for r in rows]),
        **extra,
    }


def collection_json(request: Request, c: Collection) -> dict:
    return {
        "id": c.id,
        "name": c.name,
        "owner": c.owner,
        "public": c.is_public,
        "size": c.size,
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
        "url": f"{services(request).settings.base_url}/collections/{c.id}",
    }


# -- export ----------------------------------------------------------------------------------------


@pages.get("/library/export/bibtex", tags=["library"])
def library_bibtex(request: Request):
    """One's whole library as BibTeX (arXiv-style @misc entries), newest saved first."""
    return bibtex_response(request, _saved(request), "library")


@pages.get("/library/export/csl-json", tags=["library"])
def library_csl(request: Request):
    """One's whole library as CSL JSON (what Zotero and citation processors import)."""
    return csl_response(request, _saved(request), "library")


def _saved(request: Request):
    rows, _ = services(request).store.library.library_papers(_member(request).id, EXPORT_LIMIT)
    return [r.paper for r in rows]


def bibtex_response(request: Request, papers, name: str) -> Response:
    body = to_bibtex(papers, services(request).settings.base_url)
    return Response(
        body,
        media_type="application/x-bibtex; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.bib"'},
    )


def csl_response(request: Request, papers, name: str) -> Response:
    body = json.dumps(to_csl(papers, services(request).settings.base_url), ensure_ascii=False, indent=1)
    return Response(
        body,
        media_type="application/vnd.citationstyles.csl+json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
    )


# -- import ----------------------------------------------------------------------------------------


@actions.post("/api/library/import", tags=["library"])
async def import_file(request: Request):
    """Import a BibTeX or CSL JSON file into one's library or one of one's collections: entries are
    matched to papers by arXiv id, DOI, then exact title, all in one transaction."""
    security = services(request).security
    user = security.require_user(request)
    security.limit("import", str(user.id))
    try:
        data, filename, fmt, target = await _upload(request)
        collection = _target(request, user, target)
        fmt = fmt or detect_format(data, filename)
        entries = read_entries(data, fmt)
    except (InvalidImport, _TooLarge) as exc:
        status = 413 if isinstance(exc, _TooLarge) else 400
        if is_form(request):
            page = library_context(request, import_error=str(exc))
            return render(request, "library.html", page, status_code=status)
        raise HTTPException(status, str(exc)) from None
    report = _match(request, entries, fmt)
    store = services(request).store
    try:
        if collection is None:
            report.added = store.library.save_papers(user.id, list(report.matched))
        else:
            report.added = store.collections.add_papers(collection, user.id, list(report.matched))
    except NotFound:  # deleted meanwhile
        raise HTTPException(404, f"no collection {collection}") from None
    if is_form(request):
        return render(request, "library.html", library_context(request, report=report, target=collection))
    return JSONResponse(report_json(report, collection))


class _TooLarge(ValueError):
    pass


async def _upload(request: Request) -> tuple[bytes, str | None, str | None, object]:
    """(file bytes, file name, format or None, target collection) from a multipart form or JSON."""
    limit = services(request).settings.max_import_bytes
    too_large = (
        f"the file is larger than {limit:,} bytes, the most an import reads (PAPERWIRE_MAX_IMPORT_BYTES)"
    )
    if is_form(request):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidImport("choose a BibTeX (.bib) or CSL JSON (.json) file to import")
        data = await upload.read(limit + 1)
        fmt, target = form.get("format") or None, form.get("collection_id") or None
        filename = upload.filename
    else:
        try:
            body = await request.json()
        except ValueError:
            raise InvalidImport('send a JSON object: {"content": "<the file\'s text>"}') from None
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, str):
            raise InvalidImport('send the file\'s text as "content" in a JSON object')
        data, filename = content.encode("utf-8", "surrogatepass"), None  # a lone surrogate: not UTF-8
        fmt, target = body.get("format"), body.get("collection_id")
    if len(data) > limit:
        raise _TooLarge(too_large)
    if fmt is not None and fmt not in FORMATS:
        raise InvalidImport(f"format must be one of {', '.join(FORMATS)}, not {str(fmt)[:20]!r}")
    return data, filename, fmt, target


def _target(request: Request, user: User, target: object) -> int | None:
    """The collection to import into (None: the library); 404 unless it is the user's."""
    if target is None:
        return None
    text = str(target)
    if isinstance(target, bool) or not text.isdigit() or not 0 < int(text) <= MAX_ROW_ID:
        raise InvalidImport(f"collection_id must be a collection's number, not {text[:20]!r}")
    collection = services(request).store.collections.get(int(text))
    if collection is None or collection.user_id != user.id:
        raise HTTPException(404, f"no collection {text}")
    return collection.id


def _match(request: Request, entries, fmt: str) -> ImportReport:
    store = services(request).store
    engine = search_engine(request)
    if engine.keyword.behind(store):  # papers stored a moment ago must match by title too
        engine.sync_keyword(wait=True)
    keyword = engine.keyword
    return match_entries(
        entries,
        fmt,
        known_ids=lambda ids: set(store.papers.get_papers(ids)) if ids else set(),
        by_doi=lambda dois: store.papers.papers_by_doi(dois) if dois else {},
        by_title=lambda title: keyword.exact_titles(title, 2),
    )


def report_json(report: ImportReport, collection: int | None) -> dict:
    return {
        "format": report.format,
        "into": {"collection_id": collection} if collection else "library",
        "entries": report.entries,
        "matched": len(report.matched),
        "added": report.added,
        "papers": [{"id": pid, "by": how} for pid, how in report.matched.items()],
        "unmatched": [{"key": u.key, "title": u.title, "reason": u.reason} for u in report.unmatched],
    }
