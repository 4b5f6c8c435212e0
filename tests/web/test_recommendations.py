"""The recommendation endpoints over HTTP, both databases: the native API and Semantic Scholar's shape."""

import pytest
from fastapi.testclient import TestClient

from paperwire.search import open_search
from paperwire.search.indexer import embed_pending
from paperwire.web import create_app
from tests.support.recommend_corpus import DAY, DISLIKED, LIKED, PAPERS, PAST

TITLES = {p.id: p.title for p in PAPERS}
NEAR = {"2504.00011", "2504.00015"}  # the day's papers on molecules as graphs, like the liked ones


@pytest.fixture
def make_client(make_settings, store):
    store.papers.upsert_papers(PAPERS)
    clients = []

    def make(**overrides) -> TestClient:
        settings = make_settings(base_url="https://hub.example.org", **overrides)
        engine = open_search(settings, store)
        embed_pending(engine, extracts=False)
        clients.append(TestClient(create_app(settings, store, engine)))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client):
    return make_client()


def post(client, body, path="/api/recommendations", **params):
    return client.post(path, json=body, params=params)


def test_native_answers_ranked_papers_with_reasons_and_the_pool(client):
    r = post(client, {"positive": LIKED, "negative": [DISLIKED], "limit": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"papers", "unknown", "ignored", "pool", "timings_ms"}
    assert body["pool"] == {"from": DAY.isoformat(), "to": DAY.isoformat(), "papers": 8, "unembedded": 0}
    assert body["unknown"] == [] and body["ignored"] == []
    papers = body["papers"]
    assert len(papers) == 3 and {p["id"] for p in papers[:2]} == NEAR
    first = papers[0]
    assert set(first) == {"id", "title", "authors", "abstract", "categories", "announced", "published",
                          "url", "score", "reason"}  # fmt: skip
    assert first["title"] == TITLES[first["id"]] and first["authors"] == ["Dana Doe"]
    assert first["url"] == f"https://hub.example.org/papers/{first['id']}"
    assert first["announced"] == DAY.isoformat() and papers[0]["score"] >= papers[1]["score"]
    reason = first["reason"]
    assert reason["paper"]["id"] in LIKED and reason["paper"]["title"] == TITLES[reason["paper"]["id"]]
    assert reason["topic"] is None and reason["text"] and reason["words"] and 0 < reason["similarity"] <= 1


def test_native_windows_categories_topics_and_unknown_ids(client):
    body = post(client, {"positive": ["arXiv:2504.00001", "9999.99999"], "from": PAST.isoformat(),
                         "to": DAY.isoformat(), "categories": ["quant-ph", "q-bio.BM"]}).json()  # fmt: skip
    assert body["unknown"] == ["9999.99999"] and body["pool"]["papers"] == 3
    found = [p["id"] for p in body["papers"]]
    assert sorted(found[:2]) == ["2504.00002", "2504.00015"] and found[2] == "2504.00014"  # molecules first
    cold = post(client, {"topics": ["puppies and dogs"], "limit": 1}).json()
    assert [p["id"] for p in cold["papers"]] == ["2504.00013"]
    assert cold["papers"][0]["reason"]["topic"] == "puppies and dogs"
    assert cold["papers"][0]["reason"]["paper"] is None


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"positive": ["9999.99999"]}, 404, "none of the papers given is on this hub: 9999.99999"),
        ({"positive": LIKED, "limit": 101}, 400, "limit"),
        ({"positive": LIKED, "limit": 0}, 400, "limit"),
        ({"positive": LIKED, "from": "yesterday"}, 400, "from"),
        ({"positive": LIKED, "from": "2025-04-02", "to": "2025-04-01"}, 400, "the window is empty"),
        ({"positive": "2504.00001"}, 400, "positive"),
        ({"positives": LIKED}, 400, "positives"),
        ({"positive": ["x"] * 501}, 400, "positive"),
        ({}, 400, "at least one liked paper"),
        ([1, 2], 400, ""),
    ],
)
def test_bad_bodies_are_4xx_json_with_a_message(client, body, status, message):
    r = post(client, body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == ("not_found" if status == 404 else "bad_request") and message in error["message"]


def test_a_body_that_is_not_json_or_is_missing_is_a_400(client):
    for r in (
        client.post(
            "/api/recommendations", content=b"{not json", headers={"content-type": "application/json"}
        ),
        client.post("/api/recommendations"),
        client.post("/recommendations/v1/papers"),
    ):
        assert r.status_code == 400 and r.json()["error"]["message"], r.text


def test_reads_need_no_session_and_no_csrf_token_and_change_nothing(client, store):
    seq = store.papers.change_seq()
    r = client.post(
        "/api/recommendations", json={"positive": LIKED}, headers={"Origin": "https://evil.example"}
    )
    assert r.status_code == 200 and "set-cookie" not in r.headers
    assert store.papers.change_seq() == seq


S2_FIELDS = "title,abstract,authors,externalIds,publicationDate,url,year,venue,isOpenAccess,openAccessPdf"


def test_semantic_scholar_post_answers_its_shape_field_by_field(client):
    body = {"positivePaperIds": ["arXiv:2504.00001", "ARXIV:2504.00002"], "negativePaperIds": [DISLIKED]}
    r = post(client, body, "/recommendations/v1/papers", limit=2, fields=S2_FIELDS)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"recommendedPapers", "unknownPaperIds"} and body["unknownPaperIds"] == []
    papers = body["recommendedPapers"]
    assert len(papers) == 2 and {p["paperId"] for p in papers} == NEAR
    paper = next(p for p in papers if p["paperId"] == "2504.00011")
    assert list(paper) == ["paperId", *S2_FIELDS.split(",")]
    assert paper["title"] == TITLES["2504.00011"]
    assert paper["abstract"].startswith("A message passing network over atoms")
    assert paper["authors"] == [{"authorId": None, "name": "Dana Doe"}]
    assert paper["externalIds"] == {"ArXiv": "2504.00011"}
    assert paper["publicationDate"] == DAY.isoformat() and paper["year"] == DAY.year
    assert paper["url"] == "https://hub.example.org/papers/2504.00011"
    assert paper["venue"] == "arXiv" and paper["isOpenAccess"] is True and paper["openAccessPdf"] is None


def test_semantic_scholar_defaults_trailing_slash_unheld_and_unknown_fields(client):
    r = post(client, {"positivePaperIds": LIKED}, "/recommendations/v1/papers/")
    assert r.status_code == 200, r.text
    papers = r.json()["recommendedPapers"]
    assert len(papers) == len(PAPERS) - 2 and all(set(p) == {"paperId", "title"} for p in papers)  # 30 days
    held = post(
        client, {"positivePaperIds": LIKED}, "/recommendations/v1/papers", fields="citationCount,paperId"
    )
    assert held.json()["recommendedPapers"][0]["citationCount"] is None
    assert set(held.json()["recommendedPapers"][0]) == {"paperId", "citationCount"}
    bad = post(client, {"positivePaperIds": LIKED}, "/recommendations/v1/papers", fields="title,garbage,x")
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == "Unrecognized or unsupported fields: [garbage, x]"
    for limit in (0, 501):
        r = post(client, {"positivePaperIds": LIKED}, "/recommendations/v1/papers", limit=limit)
        assert r.status_code == 400 and "between 1 and 500" in r.json()["error"]["message"]
    unknown = post(client, {"positivePaperIds": ["arXiv:9999.99999"]}, "/recommendations/v1/papers")
    assert unknown.status_code == 404 and "9999.99999" in unknown.json()["error"]["message"]
    missing = post(client, {"negativePaperIds": LIKED}, "/recommendations/v1/papers")
    assert missing.status_code == 400 and "positivePaperIds" in missing.json()["error"]["message"]


def test_semantic_scholar_for_paper_recent_and_all_papers(client):
    r = client.get("/recommendations/v1/papers/forpaper/arXiv:2504.00002", params={"limit": 3})
    assert r.status_code == 200, r.text
    # The last 30 days: the other liked paper of the day before too, on molecules as graphs.
    assert {p["paperId"] for p in r.json()["recommendedPapers"]} == {"2504.00001", *NEAR}
    everything = client.get(
        "/recommendations/v1/papers/forpaper/2504.00002", params={"from": "all-cs"}
    ).json()
    found = [p["paperId"] for p in everything["recommendedPapers"]]
    assert set(found[:3]) == {"2504.00001", *NEAR} and "2504.00002" not in found  # older ones too, not itself
    for params, status in (({"from": "everything"}, 400), ({"fields": "nope"}, 400), ({"limit": 501}, 400)):
        assert (
            client.get("/recommendations/v1/papers/forpaper/2504.00002", params=params).status_code == status
        )
    gone = client.get("/recommendations/v1/papers/forpaper/9999.99999")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"


def test_requests_are_rate_limited_per_client_ip(make_client):
    client = make_client(rate_limits="recommend=2/60")
    assert [post(client, {"positive": LIKED}).status_code for _ in range(2)] == [200, 200]
    r = client.get("/recommendations/v1/papers/forpaper/2504.00001")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "recommend" in r.json()["error"]["message"]
