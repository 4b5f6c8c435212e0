"""Paper pages and the Hugging Face-compatible paper API."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse

from paperwire.ingest.formats import export_record
from paperwire.papers import Paper, paper_id_candidates

router = APIRouter()


def find_paper(request: Request, ref: str) -> Paper:
    store = request.app.state.store
    for candidate in paper_id_candidates(ref):
        paper = store.get_paper(candidate)
        if paper is not None:
            return paper
    raise HTTPException(404, f"no paper with id {ref!r}")


def hf_paper(p: Paper) -> dict:
    """A paper in the shape of Hugging Face's /api/papers/{id} (read by huggingface_hub's PaperInfo)."""
    day = p.published or p.announced or p.updated
    return {
        "id": p.id,
        "authors": [{"name": name, "hidden": False} for name in p.authors],
        "publishedAt": f"{day.isoformat()}T00:00:00.000Z" if day else None,
        "title": p.title,
        "summary": p.abstract,
        "upvotes": 0,  # Paperwire's own votes arrive with the hub; none can exist yet
        "githubRepo": p.links.code,
        "projectPage": p.links.project,
        "source": p.source,
    }


@router.get("/api/papers/{paper_id:path}", tags=["papers"])
def api_paper(request: Request, paper_id: str) -> dict:
    """One paper, in the Hugging Face papers API shape."""
    return hf_paper(find_paper(request, paper_id))


@router.get("/papers/{paper_id:path}", response_class=HTMLResponse, tags=["papers"])
def paper_page(request: Request, paper_id: str):
    """The paper's page; /papers/{id}.json is its JSON twin (every field Paperwire stores)."""
    if paper_id.endswith(".json"):
        record = export_record(find_paper(request, paper_id.removesuffix(".json")))
        record.pop("_paperwire")
        return JSONResponse(record)
    paper = find_paper(request, paper_id)
    return request.app.state.templates.TemplateResponse(request, "paper.html", {"paper": paper})


@router.get("/", response_class=HTMLResponse, tags=["papers"])
def home(request: Request):
    """The newest papers (the full daily page comes with the hub's pages)."""
    store = request.app.state.store
    return request.app.state.templates.TemplateResponse(
        request, "home.html", {"papers": store.recent_papers(50), "total": store.count_papers()}
    )
