"""Importing BibTeX and CSL JSON files over HTTP: what Zotero, Mendeley and JabRef export, matched by
arXiv id, DOI and title; all or nothing; size limits; into a collection only one's own. Both databases."""

from __future__ import annotations

import pytest

from tests.support.hub import TOKEN, make_hub
from tests.support.library import LIBRARY_DATA, extra_papers


def csrf(client, path="/library"):
    return TOKEN.search(client.get(path).text).group(1)


@pytest.fixture
def hub(tmp_path, model_dir, smtp_inbox, backend, database_url):
    hub, store = make_hub(tmp_path, model_dir, smtp_inbox, database_url=database_url, max_import_bytes=4096)
    store.papers.upsert_papers(extra_papers())
    with hub.client:
        yield hub
    store.close()


def _saved(hub, email="ada@example.org"):
    user = hub.store.users.find_user(email=email)
    return {r.paper.id for r in hub.store.library.library_papers(user.id, 100)[0]}


def test_a_zotero_bibtex_file_through_the_form(hub):
    client = hub.sign_in("ada@example.org")
    data = (LIBRARY_DATA / "zotero.bib").read_bytes()
    page = client.post(
        "/api/library/import",
        data={"csrf_token": csrf(client), "collection_id": ""},
        files={"file": ("My Library.bib", data, "application/x-bibtex")},
    )
    assert page.status_code == 200, page.text
    assert "4 of 6 entries matched" in page.text and "4 newly added" in page.text
    assert "arXiv 2501.99999 is not on this hub" in page.text
    assert "knuth_art_1968" in page.text and "no arXiv id, DOI or title match" in page.text
    assert _saved(hub) == {"2503.10001", "2503.10010", "2503.10011", "hep-th/9901001"}


def test_mendeley_and_jabref_files_over_the_api(hub):
    client = hub.sign_in("ada@example.org")
    headers = {"X-CSRF-Token": csrf(client)}
    mendeley = client.post(
        "/api/library/import", json={"content": (LIBRARY_DATA / "mendeley.bib").read_text()}, headers=headers
    ).json()
    assert mendeley["format"] == "bibtex" and mendeley["into"] == "library"
    assert mendeley["papers"] == [{"id": "2503.10002", "by": "arxiv"}, {"id": "2503.10004", "by": "arxiv"}]
    jabref = client.post(
        "/api/library/import", json={"content": (LIBRARY_DATA / "jabref.bib").read_text()}, headers=headers
    ).json()
    assert {p["id"] for p in jabref["papers"]} == {"2503.10003", "2503.10005"}
    again = client.post(
        "/api/library/import", json={"content": (LIBRARY_DATA / "jabref.bib").read_text()}, headers=headers
    ).json()
    assert again["matched"] == 2 and again["added"] == 0
    assert _saved(hub) == {"2503.10002", "2503.10003", "2503.10004", "2503.10005"}


def test_a_csl_json_file_into_a_collection(hub):
    client = hub.sign_in("ada@example.org")
    headers = {"X-CSRF-Token": csrf(client)}
    shelf = client.post("/api/collections", json={"name": "Reading group"}, headers=headers).json()
    answer = client.post(
        "/api/library/import",
        json={"content": (LIBRARY_DATA / "zotero.json").read_text(), "collection_id": shelf["id"]},
        headers=headers,
    ).json()
    assert answer["format"] == "csl-json" and answer["into"] == {"collection_id": shelf["id"]}
    assert answer["papers"] == [
        {"id": "2503.10006", "by": "arxiv"},
        {"id": "2503.10010", "by": "doi"},
        {"id": "2503.10008", "by": "title"},
    ]
    reasons = {u["key"]: u["reason"] for u in answer["unmatched"]}
    assert reasons["item 5"].startswith("malformed entry") and len(reasons) == 2
    listed = client.get(f"/collections/{shelf['id']}.json").json()
    assert listed["total"] == 3 and _saved(hub) == set()  # into the collection, not the library


def test_a_file_that_does_not_parse_changes_nothing(hub):
    client = hub.sign_in("ada@example.org")
    headers = {"X-CSRF-Token": csrf(client)}
    client.post("/api/papers/2503.10001/save", json={}, headers=headers)
    for content, fmt, message in (
        ('[{"title": "Graph networks', None, "the file is not JSON"),
        ("Just some notes about papers I like.", None, "the file has no BibTeX entries"),
        ("   ", None, "the file is empty"),
        ("@misc{x, eprint = {2503.10002}}", "endnote", "format must be one of"),
        ('{"title": 3}', "csl-json", None),
    ):
        body = {"content": content} | ({"format": fmt} if fmt else {})
        r = client.post("/api/library/import", json=body, headers=headers)
        if message is None:  # one unreadable item: reported, not fatal
            assert r.status_code == 200 and r.json()["unmatched"][0]["reason"].startswith("malformed entry")
            continue
        assert r.status_code == 400 and message in r.json()["error"]["message"], r.text
    page = client.post(
        "/api/library/import",
        data={"csrf_token": headers["X-CSRF-Token"]},
        files={"file": ("notes.bib", b"\xff\xfe not UTF-8", "application/x-bibtex")},
    )
    assert page.status_code == 400 and "not UTF-8 text" in page.text
    assert _saved(hub) == {"2503.10001"}


def test_files_over_the_limit_are_refused_with_a_clear_message(hub):
    client = hub.sign_in("ada@example.org")
    token = csrf(client)
    big = b"@misc{x, note = {" + b"x" * 5000 + b"}}"
    page = client.post(
        "/api/library/import", data={"csrf_token": token}, files={"file": ("big.bib", big, "text/plain")}
    )
    assert page.status_code == 413 and "larger than 4,096 bytes" in page.text
    api = client.post("/api/library/import", json={"content": big.decode()}, headers={"X-CSRF-Token": token})
    assert api.status_code == 413 and "PAPERWIRE_MAX_IMPORT_BYTES" in api.json()["error"]["message"]
    huge = client.post(  # past the guard's limit for this path: refused before the body is read
        "/api/library/import",
        content=b"x" * 200_000,
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )
    assert huge.status_code == 413 and "PAPERWIRE_MAX_IMPORT_BYTES" in huge.json()["error"]["message"]
    assert _saved(hub) == set()


def test_importing_into_another_members_collection_is_not_found(hub):
    ada = hub.sign_in("ada@example.org")
    shelf = ada.post("/api/collections", json={"name": "Ada's"}, headers={"X-CSRF-Token": csrf(ada)}).json()
    bob = hub.sign_in("bob@example.org", hub.new_client())
    r = bob.post(
        "/api/library/import",
        json={"content": (LIBRARY_DATA / "mendeley.bib").read_text(), "collection_id": shelf["id"]},
        headers={"X-CSRF-Token": csrf(bob)},
    )
    assert r.status_code == 404
    assert ada.get(f"/collections/{shelf['id']}.json").json()["total"] == 0
    assert _saved(hub, "bob@example.org") == set()
