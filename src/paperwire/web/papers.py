"""Paper pages, category and author pages, submission, and the Hugging Face-compatible paper API."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse

from paperwire.categories import category_name
from paperwire.ingest.formats import export_record
from paperwire.models.papers import Paper
from paperwire.papers import InvalidPaper, paper_id_candidates, paper_path, split_arxiv_id
from paperwire.repos import github_repo, repo_key, stars_of
from paperwire.search import BadQuery
from paperwire.web.forms import answer, flag
from paperwire.web.hf_shapes import hf_daily_item, hf_extract, hf_paper
from paperwire.web.pages import cached, page, render, user_of, wants_json_twin
from paperwire.web.services import services, write_router
from paperwire.web.signals import signal_context

router = APIRouter()
actions = write_router()  # moderation: every route here needs a CSRF token
LIST_SIZE = 50


def find_paper(request: Request, ref: str, *, hidden_ok: bool = False) -> Paper:
    """The paper a reference names (any arXiv id form); 404 if unknown or hidden from this visitor."""
    store = services(request).store
    for candidate in paper_id_candidates(ref):
        paper = store.papers.get_paper(candidate)
        if paper is not None:
            if not hidden_ok and store.papers.hidden_papers([paper.id]) and not _is_admin(request):
                raise HTTPException(404, f"paper {paper.id} has been hidden by a moderator")
            return paper
    raise HTTPException(404, f"no paper with id {ref!r}")


def _missing_arxiv_id(ref: str) -> str | None:
    """The bare arXiv id a page address names, or None when it is not an arXiv id at all."""
    try:
        return split_arxiv_id(ref)[0]
    except InvalidPaper:
        return None


def _is_admin(request: Request) -> bool:
    user = user_of(request)
    return bool(user and user.is_admin)


def github_stars(request: Request, papers: list[Paper]) -> dict[str, int | None]:
    """The recorded stars of each paper's GitHub repository, by paper id (one query)."""
    names = {p.id: github_repo(p.links.code) for p in papers}
    wanted = [repo_key(n) for n in names.values() if n]
    repos = services(request).store.repos.github_repos(wanted) if wanted else {}
    return {p.id: stars_of(p.links.code, repos) for p in papers}


def with_extracts(request: Request, rows: list) -> list:
    """The rows (RankedPaper), each with its stored extract (one query); None until the indexer made it."""
    found = services(request).store.extracts.paper_extracts([r.paper.id for r in rows]) if rows else {}
    for r in rows:
        r.extract = found.get(r.paper.id)
    return rows


def paper_markdown(p: Paper, base_url: str) -> str:
    """The paper as Markdown, for /papers/{id}.md (huggingface_hub's read_paper)."""
    lines = [f"# {p.title}", "", f"**Authors:** {', '.join(p.authors)}" if p.authors else "", ""]
    facts = [
        ("arXiv", p.id if p.links.abstract else None),
        ("Categories", ", ".join(p.categories)),
        ("Published", p.published and p.published.isoformat()),
        ("Announced", p.announced and p.announced.isoformat()),
        ("Comment", p.comment),
        ("Journal", p.journal_ref),
        ("DOI", p.doi),
        ("Abstract page", p.links.abstract),
        ("PDF", p.links.pdf),
        ("Code", p.links.code),
        ("Project page", p.links.project),
        ("On Paperwire", base_url + paper_path(p.id)),
    ]
    lines += [f"- **{name}:** {value}" for name, value in facts if value]
    lines += ["", "## Abstract", "", p.abstract or "(no abstract)", ""]
    return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1]))


# -- the JSON API --------------------------------------------------------------------------------


@router.get("/api/papers/{paper_id:path}", tags=["papers"])
def api_paper(request: Request, paper_id: str) -> dict:
    """One paper, in the Hugging Face papers API shape."""
    paper = find_paper(request, paper_id)
    activity = services(request).store.papers.paper_activity(paper.id)
    out = hf_paper(paper, activity.upvotes)
    out["numComments"] = activity.num_comments
    out["githubStars"] = github_stars(request, [paper]).get(paper.id)
    out.update(hf_extract(services(request).store.extracts.paper_extracts([paper.id]).get(paper.id)))
    return out


# -- pages ---------------------------------------------------------------------------------------


@page(router, "/papers/{paper_id:path}", tags=["papers"])
def paper_page(request: Request, paper_id: str):
    """The paper's page; /papers/{id}.json is its JSON twin and /papers/{id}.md its Markdown."""
    if wants_json_twin(request):
        return JSONResponse(paper_json(request, find_paper(request, paper_id)))
    if paper_id.endswith(".md"):
        paper = find_paper(request, paper_id.removesuffix(".md"))
        return PlainTextResponse(
            paper_markdown(paper, services(request).settings.base_url),
            media_type="text/markdown; charset=utf-8",
        )
    try:
        paper = find_paper(request, paper_id)
    except HTTPException as exc:
        missing = _missing_arxiv_id(paper_id)
        if exc.status_code != 404 or missing is None or services(request).store.papers.get_paper(missing):
            raise
        # A valid arXiv id this hub lacks: offer the submit flow (a POST with CSRF) to fetch it.
        context = {"paper_id": missing, "ref": missing, "error": None}
        return render(request, "paper_missing.html", context, status_code=404)
    if paper.id != paper_id:
        return RedirectResponse(paper_path(paper.id), status_code=301)
    # Not cached: related papers change as the background indexer embeds papers.
    return render(request, "paper.html", paper_context(request, paper))


def paper_json(request: Request, paper: Paper) -> dict:
    store = services(request).store
    record = export_record(paper)
    record.pop("_paperwire")
    activity = store.papers.paper_activity(paper.id)
    record["upvotes"] = activity.upvotes
    record["num_comments"] = activity.num_comments
    record["submitted_by"] = activity.submission.username if activity.submission else None
    record["comments"] = [
        {"id": c.id, "author": c.author, "body": c.body, "created_at": c.created_at.isoformat()}
        for c in store.comments.paper_comments(paper.id)
    ]
    record["related"] = [h.paper.id for h in related(request, paper)]
    return record


def paper_context(request: Request, paper: Paper, **extra) -> dict:
    store = services(request).store
    user = user_of(request)
    activity = store.papers.paper_activity(paper.id)
    comments = store.comments.paper_comments(paper.id, include_hidden=bool(user and user.is_admin))
    return {
        "paper": paper,
        "activity": activity,
        **signal_context(request, [paper.id]),
        "in_collections": store.collections.containing(user.id, paper.id) if user else set(),
        "comments": [(c, c.html) for c in comments],  # rendered when posted, not here
        "related": related(request, paper),
        "github_stars": github_stars(request, [paper]).get(paper.id),
        "extract": store.extracts.paper_extracts([paper.id]).get(paper.id),
        **extra,
    }


def related(request: Request, paper: Paper, limit: int = 8):
    """Nearest papers in meaning; none until the paper is embedded."""
    engine = services(request).search
    try:
        hits = engine.similar(paper.id, limit + 4)
    except BadQuery:
        return []
    hidden = services(request).store.papers.hidden_papers([h.paper.id for h in hits])
    return [h for h in hits if h.paper.id not in hidden][:limit]


@page(router, "/categories/{category:path}", tags=["papers"])
def category_page(request: Request, category: str, page: int = Query(1, ge=1, le=10_000)):
    """A category's papers, newest first (/categories/{cat}.json)."""
    as_json = wants_json_twin(request)
    store = services(request).store
    context = {
        "kind": "category",
        "name": category,
        "full_name": category_name(category),
        "page": page,
        "feed": _category_feed(category),
    }
    return _browse(
        request,
        lambda: store.papers.category_papers(category, LIST_SIZE + 1, (page - 1) * LIST_SIZE),
        context,
        as_json,
        count=lambda: store.papers.count_category_papers(category),
    )


@page(router, "/authors/{name:path}", tags=["papers"])
def author_page(request: Request, name: str, page: int = Query(1, ge=1, le=10_000)):
    """An author's papers (exact name), newest first (/authors/{name}.json)."""
    as_json = wants_json_twin(request)
    store = services(request).store
    return _browse(
        request,
        lambda: store.papers.author_papers(name, LIST_SIZE + 1, (page - 1) * LIST_SIZE),
        {"kind": "author", "name": name, "page": page, "feed": None},
        as_json,
    )


def _category_feed(category: str) -> str:
    return f"/feeds/categories/{quote(category, safe='')}.atom"


def _browse(request: Request, fetch, context: dict, as_json: bool, count=None):
    def build():
        rows = fetch()
        more, rows = len(rows) > LIST_SIZE, with_extracts(request, rows[:LIST_SIZE])
        context["count"] = count() if count else None
        if as_json:
            return JSONResponse({**context, "more": more, "papers": [hf_daily_item(r) for r in rows]})
        signals = signal_context(request, [r.paper.id for r in rows])
        return render(request, "browse.html", {**context, "rows": rows, "more": more, **signals})

    return cached(request, build) if not user_of(request) else build()


@router.get("/submit", response_class=HTMLResponse, tags=["papers"])
def submit_page(request: Request):
    """The form that puts a paper on today's page by its arXiv id or URL."""
    return render(request, "submit.html", {"ref": "", "error": None})


# -- moderation ----------------------------------------------------------------------------------


@actions.post("/api/papers/{paper_id:path}/hide", tags=["moderation"])
async def hide_paper(request: Request, paper_id: str):
    """Admins: hide a paper from every page, feed and search (hidden=0 shows it again)."""
    services(request).security.require_admin(request)
    paper = find_paper(request, paper_id, hidden_ok=True)
    hidden = await flag(request, "hidden")
    services(request).store.papers.set_paper_hidden(paper.id, hidden)
    return await answer(request, {"paper_id": paper.id, "hidden": hidden}, paper_path(paper.id))
