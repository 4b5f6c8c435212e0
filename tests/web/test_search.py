"""The search endpoints and page, over HTTP in-process."""

import pytest
from fastapi.testclient import TestClient

from paperwire.search import open_search
from paperwire.search.indexer import embed_pending
from paperwire.web import create_app
from paperwire.web.services import services
from tests.support.search_corpus import CORPUS, paper


@pytest.fixture
def client(settings, store):
    store.papers.upsert_papers(CORPUS)
    engine = open_search(settings, store)
    embed_pending(engine)
    with TestClient(create_app(settings, store, engine)) as c:
        yield c


def test_hf_shaped_search_best_first(client):
    r = client.get("/api/papers/search", params={"q": "graph neural networks molecules", "limit": 2})
    assert r.status_code == 200
    items = r.json()
    assert len(items) == 2
    assert items[0]["paper"]["id"] == "2501.00001"
    assert items[0]["title"] == "Graph neural networks for molecules"
    assert items[0]["paper"]["authors"][0] == {"name": "Alice Smith", "hidden": False}
    assert items[0]["publishedAt"].startswith("2025-01-03")


def test_native_search_returns_scores_filters_and_timings(client):
    r = client.get(
        "/api/search",
        params={
            "q": 'graph -survey "neural networks"',
            "category": ["q-bio.BM"],
            "from": "2025-01-01",
            "limit": 5,
        },
    )
    body = r.json()
    assert r.status_code == 200, body
    assert [x["id"] for x in body["results"]] == ["2502.00003", "2501.00001"] or [
        x["id"] for x in body["results"]
    ] == ["2501.00001", "2502.00003"]
    first = body["results"][0]
    assert first["score"] > 0 and first["keyword_score"] > 0 and first["semantic_score"] > 0
    assert body["query"]["excluded"] == ["survey"] and body["query"]["phrases"] == ["neural networks"]
    assert body["query"]["filters"]["categories"] == ["q-bio.BM"]
    assert body["query"]["filters"]["from"] == "2025-01-01"
    assert body["semantic"] is True and body["timings_ms"]["total"] > 0


@pytest.mark.parametrize("q", ["2503.00009", "arXiv:2503.00009v2", "ARXIV:2503.00009", " 2503.00009v1 "])
def test_an_arxiv_id_in_any_form_is_just_that_paper(client, q):
    body = client.get("/api/search", params={"q": q}).json()
    assert [(x["id"], x["pinned"]) for x in body["results"]] == [("2503.00009", "id")] and body["total"] == 1
    hf = client.get("/api/papers/search", params={"q": q}).json()
    assert [x["paper"]["id"] for x in hf] == ["2503.00009"]
    page = client.get("/search", params={"q": q}).text
    assert page.count('class="paper"') == 1 and 'href="/papers/2503.00009"' in page


def test_an_old_style_arxiv_id_with_a_version(settings, store):
    store.papers.upsert_papers([*CORPUS, paper("hep-th/9901001", "Strings on branes", "Branes and strings.")])
    with TestClient(create_app(settings, store, open_search(settings, store))) as c:
        for q in ("hep-th/9901001", "hep-th/9901001v1", "arXiv:hep-th/9901001v3"):
            body = c.get("/api/search", params={"q": q}).json()
            assert [x["id"] for x in body["results"]] == ["hep-th/9901001"], q


def test_did_you_mean_in_the_api_and_on_the_page(client):
    body = client.get("/api/search", params={"q": "quantun eror", "category": "quant-ph"}).json()
    assert body["did_you_mean"] == "quantum error" and body["results"][0]["id"] == "2503.00009"
    assert client.get("/api/search", params={"q": "quantum error"}).json()["did_you_mean"] is None
    page = client.get("/search", params={"q": "quantun eror", "category": "quant-ph"}).text
    assert 'Did you mean <a href="/search?q=quantum+error&amp;mode=hybrid&amp;category=quant-ph">' in page
    assert "Did you mean" not in client.get("/search", params={"q": "quantum error"}).text


def test_similar_papers(client):
    r = client.get("/api/papers/2503.00007/similar", params={"limit": 2})
    assert r.status_code == 200
    body = r.json()
    assert body["paper_id"] == "2503.00007"
    assert body["results"][0]["id"] == "2503.00008"
    assert "2503.00007" not in [x["id"] for x in body["results"]]
    assert client.get("/api/papers/arXiv:2503.00007v1/similar").json()["paper_id"] == "2503.00007"
    r = client.get("/api/papers/9999.99999/similar")
    assert r.status_code == 404 and "9999.99999" in r.json()["error"]["message"]


def test_a_paper_stored_after_start_is_found_by_keyword_at_once(client, store):
    store.papers.upsert_papers([paper("2504.00001", "Zebrafish fin regeneration", "Fins regrow.")])
    items = client.get("/api/papers/search", params={"q": "zebrafish"}).json()
    assert [x["paper"]["id"] for x in items] == ["2504.00001"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": ""}, 200),
        ({"q": "   "}, 200),
        ({"q": "\x00\x01\x02\x7f"}, 200),
        ({"q": "\ud7ff\ufffd" * 10}, 200),
        ({"q": "graph", "limit": 0}, 400),
        ({"q": "graph", "limit": 101}, 400),
        ({"q": "graph", "limit": "ten"}, 400),
        ({"q": "a" * 10_000}, 400),
    ],
)
def test_hostile_queries_get_4xx_or_empty_never_500(client, params, status):
    for path in ("/api/papers/search", "/api/search"):
        r = client.get(path, params=params)
        assert r.status_code == status, (path, r.text[:200])
        if status == 200:
            assert isinstance(r.json(), list if path == "/api/papers/search" else dict)
        else:
            assert r.json()["error"]["message"]


def test_bad_filters_are_400(client):
    r = client.get("/api/search", params={"q": "graph", "from": "2025-13-01"})
    assert r.status_code == 400 and "from" in r.json()["error"]["message"]
    r = client.get("/api/search", params={"q": "graph", "date_field": "submitted"})
    assert r.status_code == 400 and "date field" in r.json()["error"]["message"]
    r = client.get("/api/search", params={"q": "graph", "mode": "magic"})
    assert r.status_code == 400 and "mode" in r.json()["error"]["message"]


def test_search_page_and_its_json_twin(client):
    r = client.get("/search", params={"q": "dogs"})
    assert r.status_code == 200 and "<mark>Dogs</mark> and cats as household pets" in r.text
    assert 'value="dogs"' in r.text
    assert client.get("/search.json", params={"q": "dogs"}).json()["results"][0]["id"] in (
        "2503.00007",
        "2503.00008",
    )
    r = client.get("/search", params={"q": "x" * 2_000})
    assert r.status_code == 400 and "limit is 1,000" in r.text
    assert "<script>alert" not in client.get("/search", params={"q": "<script>alert(1)</script>"}).text


def test_search_page_filters_and_pages(client):
    r = client.get("/search", params={"q": "graph", "category": "cs.CV"})
    assert r.status_code == 200 and "A survey of vision transformers" in r.text
    assert "Graph neural networks for molecules" not in r.text
    r = client.get("/search", params={"q": "graph", "from": "not-a-date"})
    assert r.status_code == 400 and "not a date" in r.text
    r = client.get("/search", params={"q": "graph", "author": "Bob Jones"})
    assert r.status_code == 200 and "Graph neural networks for molecules" in r.text.replace(
        "<mark>", ""
    ).replace("</mark>", "")


def test_the_search_twin_takes_the_page_s_filters(client):
    def titles(**params):
        r = client.get("/search.json", params={"q": "graph", **params})
        assert r.status_code == 200, r.text
        return [hit["title"] for hit in r.json()["results"]]

    assert "Graph neural networks for molecules" in titles()
    assert "Graph neural networks for molecules" not in titles(category="cs.CV")
    assert "Graph neural networks for molecules" in titles(author="Bob Jones")
    r = client.get("/search.json", params={"q": "graph", "from": "not-a-date"})
    assert r.status_code == 400 and "not a date" in r.json()["error"]["message"]


def test_the_api_and_the_page_say_when_meaning_covers_part_of_the_hub(client, store):
    whole = client.get("/api/search", params={"q": "graph neural networks"}).json()
    assert whole["semantic_coverage"] == {"embedded": len(CORPUS), "papers": len(CORPUS), "note": None}
    assert (
        client.get("/api/search", params={"q": "graph", "mode": "keyword"}).json()["semantic_coverage"]
        is None
    )
    store.papers.upsert_papers([paper("2504.00002", "Graph sketches", "Not embedded yet.")])
    services(client.app).search.forget_coverage()  # a new count, as one comes every few seconds
    note = f"meaning search covers {len(CORPUS):,} of {len(CORPUS) + 1:,} papers"
    part = client.get("/api/search", params={"q": "graph neural networks"}).json()
    assert part["semantic_coverage"] == {"embedded": len(CORPUS), "papers": len(CORPUS) + 1, "note": note}
    page = client.get("/search", params={"q": "graph neural networks"}).text
    assert note in page


def test_highlighting_never_splits_an_entity():
    from paperwire.web.pages import highlight

    # Issue 21: the search page showed `Agents&#<mark>39</mark>;` for the query 39.
    assert str(highlight("Agents' 39 tools <br>", ["39", "agents", "br", "lt"])) == (
        "<mark>Agents</mark>&#39; <mark>39</mark> tools &lt;<mark>br</mark>&gt;"
    )
    assert str(highlight("a & b", ["amp"])) == "a &amp; b"
