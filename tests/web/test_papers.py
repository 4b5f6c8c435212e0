"""Paper pages and the paper API over HTTP: the Hugging Face shape, twins, 404s, escaping; health and home."""

from datetime import date

import pytest
from fastapi.testclient import TestClient

from paperwire.models.papers import Links, PaperVersion
from paperwire.papers import make_paper
from paperwire.web import create_app


@pytest.fixture
def client(settings, store):
    store.papers.upsert_papers(
        [
            make_paper(
                id="2503.11677",
                version=2,
                title="Simulation of prosthetic vision",
                abstract="We simulate <b>prosthetic</b> vision.",
                authors=["Jungyeon Park", "Daniel Palanker"],
                categories=["cs.HC", "cs.CV"],
                published=date(2025, 3, 14),
                updated=date(2025, 4, 2),
                announced=date(2025, 3, 18),
                links=Links(
                    "https://arxiv.org/abs/2503.11677",
                    "https://arxiv.org/pdf/2503.11677",
                    "https://github.com/x/y",
                ),
                versions=[PaperVersion(1, date(2025, 3, 14)), PaperVersion(2, date(2025, 4, 2))],
                source="arxiv-metadata",
            ),
            make_paper(
                id="hep-th/9901001", title="Old <script>alert(1)</script> style", source="arxiv-metadata"
            ),
        ]
    )
    with TestClient(create_app(settings, store)) as c:
        yield c


def test_health(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["papers"] == 2


def test_api_paper_in_hugging_face_shape(client):
    r = client.get("/api/papers/2503.11677")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "2503.11677"
    assert body["title"] == "Simulation of prosthetic vision"
    assert body["summary"] == "We simulate <b>prosthetic</b> vision."
    assert body["authors"] == [
        {"name": "Jungyeon Park", "hidden": False},
        {"name": "Daniel Palanker", "hidden": False},
    ]
    assert body["publishedAt"] == "2025-03-14T00:00:00.000Z"
    assert body["upvotes"] == 0
    assert body["githubRepo"] == "https://github.com/x/y"


@pytest.mark.parametrize("ref", ["2503.11677v1", "arXiv:2503.11677", "hep-th/9901001"])
def test_api_paper_accepts_versions_prefixes_and_old_ids(client, ref):
    r = client.get(f"/api/papers/{ref}")
    assert r.status_code == 200, r.text


def test_api_unknown_paper_is_a_json_404(client):
    r = client.get("/api/papers/2501.99999")
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "not_found", "message": "no paper with id '2501.99999'"}}


def test_unknown_api_route_is_a_json_404(client):
    r = client.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_writes_are_not_allowed_on_read_routes(client):
    r = client.post("/api/papers/2503.11677")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_paper_page_html(client):
    r = client.get("/papers/2503.11677")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<h1 class="tex">Simulation of prosthetic vision</h1>' in html
    assert "We simulate &lt;b&gt;prosthetic&lt;/b&gt; vision." in html  # escaped, never raw HTML
    assert 'href="https://arxiv.org/pdf/2503.11677"' in html
    assert "v1 (2025-03-14), v2 (2025-04-02)" in html


def test_paper_page_escapes_titles(client):
    html = client.get("/papers/hep-th/9901001").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_paper_page_json_twin(client):
    r = client.get("/papers/2503.11677.json")
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == 2 and body["announced"] == "2025-03-18"
    assert body["versions"] == [{"version": 1, "date": "2025-03-14"}, {"version": 2, "date": "2025-04-02"}]


def test_unknown_paper_page_is_an_html_404(client):
    r = client.get("/papers/not-a-paper")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "no paper with id" in r.text


def test_a_valid_arxiv_id_the_hub_lacks_offers_to_fetch_it(client):
    r = client.get("/papers/2501.99999")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Not on this hub yet" in r.text and 'href="https://arxiv.org/abs/2501.99999"' in r.text
    assert 'href="/signin?next=/papers/2501.99999"' in r.text  # a visitor signs in first
    assert client.get("/papers/2501.99999.json").status_code == 404  # the twins stay plain 404s
    assert client.get("/api/papers/2501.99999").json()["error"]["code"] == "not_found"


def test_home_lists_papers(client):
    html = client.get("/").text
    assert 'href="/papers/2503.11677"' in html


def test_home_when_empty_says_how_to_import(settings, tmp_path):
    from paperwire.settings import load_settings
    from paperwire.storage import open_store

    with (
        open_store(load_settings(data_dir=tmp_path / "empty")) as empty,
        TestClient(create_app(settings, empty)) as c,
    ):
        assert "paperwire import" in c.get("/").text


def test_openapi_is_served(client):
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Paperwire"


def test_bidi_controls_stored_before_the_import_rule_are_not_shown(client, store):
    from paperwire.models.papers import Paper

    # Built directly, as a paper stored before import stripped the controls would come back.
    store.papers.upsert_papers(
        [Paper("2503.99999", "Invoice \u202egpj.exe\u202c", "test", authors=["A\u2067B\u2069"])]
    )
    for path in ("/papers/2503.99999", "/authors/A%E2%81%A7B%E2%81%A9", "/search?q=invoice"):
        page = client.get(path).text
        assert not any(
            c in page for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
        ), path
    assert "Invoice gpj.exe" in client.get("/papers/2503.99999").text
