"""Collections over HTTP: create, rename (the URL stays), share, delete after a confirmation page, add
and remove papers; a public one's page, twin, feed and exports; a private one is a 404 to everybody
else, by every URL, and nobody changes another member's. Both databases."""

from __future__ import annotations

import feedparser

from tests.support.hub import TOKEN

PAPER = "2503.10002"


def csrf(client, path="/library"):
    return TOKEN.search(client.get(path).text).group(1)


def _create(client, name="Graph learning", public=False):
    r = client.post(
        "/api/collections", json={"name": name, "public": public}, headers={"X-CSRF-Token": csrf(client)}
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_make_fill_rename_and_delete_with_forms(hub):
    client = hub.sign_in("ada@example.org")
    token = csrf(client)
    made = client.post(
        "/api/collections", data={"csrf_token": token, "name": "  Reading   group "}, follow_redirects=False
    )
    assert made.status_code == 303
    url = made.headers["location"]
    cid = int(url.rsplit("/", 1)[1])
    assert "Reading group" in client.get(url).text
    page = client.get(f"/papers/{PAPER}").text
    assert f'<option value="{cid}">Reading group</option>' in page
    client.post(f"/api/papers/{PAPER}/collections", data={"csrf_token": token, "collection_id": str(cid)})
    assert "In your collections" in client.get(f"/papers/{PAPER}").text
    listed = client.get(f"{url}.json").json()
    assert listed["total"] == 1 and listed["papers"][0]["paper"]["id"] == PAPER and listed["public"] is False
    renamed = client.post(
        f"/api/collections/{cid}", data={"csrf_token": token, "name": "GNNs", "public": "1"}
    )
    assert renamed.status_code == 200 and str(renamed.url).endswith(url)  # same address after a rename
    assert client.get(f"{url}.json").json()["name"] == "GNNs"
    client.post(f"/api/papers/{PAPER}/collections/{cid}/delete", data={"csrf_token": token})
    assert client.get(f"{url}.json").json()["total"] == 0
    confirm = client.get(f"{url}/delete")
    assert confirm.status_code == 200 and "Delete the collection “GNNs”?" in confirm.text
    gone = client.post(f"/api/collections/{cid}/delete", data={"csrf_token": token, "next": "/library"})
    assert gone.status_code == 200 and str(gone.url).endswith("/library")
    assert client.get(url).status_code == 404


def test_names_are_checked(hub):
    client = hub.sign_in("ada@example.org")
    headers = {"X-CSRF-Token": csrf(client)}
    _create(client, "Shelf")
    for body, message in (
        ({"name": "Shelf"}, "already"),
        ({"name": "   "}, "give the collection a name"),
        ({"name": "x" * 101}, "at most 100"),
        ({"name": "Fine", "public": "yes"}, "public must be true or false"),
    ):
        r = client.post("/api/collections", json=body, headers=headers)
        assert r.status_code == 400 and message in r.json()["error"]["message"]
    form = client.post("/api/collections", data={"csrf_token": headers["X-CSRF-Token"], "name": "Shelf"})
    assert form.status_code == 400 and "already" in form.text  # the library page, with the error


def test_a_public_collection_is_readable_by_anyone(hub):
    client = hub.sign_in("ada@example.org")
    shelf = _create(client, "Diffusion", public=True)
    headers = {"X-CSRF-Token": csrf(client)}
    for pid in ("2503.10001", PAPER):
        client.post(f"/api/papers/{pid}/collections", json={"collection_id": shelf["id"]}, headers=headers)
    anyone = hub.new_client()
    base = f"/collections/{shelf['id']}"
    twin = anyone.get(f"{base}.json").json()
    assert twin["owner"] == "ada" and [p["paper"]["id"] for p in twin["papers"]] == [PAPER, "2503.10001"]
    assert "Diffusion" in anyone.get(base).text
    feed = feedparser.parse(anyone.get(f"{base}/feed.atom").content)
    assert not feed.bozo and feed.feed.title.startswith("Diffusion") and len(feed.entries) == 2
    assert "eprint = {2503.10002}" in anyone.get(f"{base}/export/bibtex").text
    assert len(anyone.get(f"{base}/export/csl-json").json()) == 2
    assert "Remove from collection" not in anyone.get(base).text  # only the owner manages it


def test_a_private_collection_is_not_found_by_anyone_else(hub):
    ada = hub.sign_in("ada@example.org")
    shelf = _create(ada, "Secret")
    ada.post(
        f"/api/papers/{PAPER}/collections",
        json={"collection_id": shelf["id"]},
        headers={"X-CSRF-Token": csrf(ada)},
    )
    base = f"/collections/{shelf['id']}"
    bob = hub.sign_in("bob@example.org", hub.new_client())
    for client in (hub.new_client(), bob):
        for path in (
            base,
            f"{base}.json",
            f"{base}/feed.atom",
            f"{base}/export/bibtex",
            f"{base}/export/csl-json",
        ):
            r = client.get(path)
            assert r.status_code == 404 and "Secret" not in r.text and PAPER not in r.text, path
    assert bob.get(f"{base}/delete").status_code == 404
    assert bob.get("/collections/999999").status_code == 404  # the same answer as a missing one
    assert ada.get(f"{base}.json").json()["total"] == 1  # its owner sees it


def test_nobody_changes_another_members_collection(hub):
    ada = hub.sign_in("ada@example.org")
    shelf = _create(ada, "Ada's", public=True)
    ada.post(
        f"/api/papers/{PAPER}/collections",
        json={"collection_id": shelf["id"]},
        headers={"X-CSRF-Token": csrf(ada)},
    )
    bob = hub.sign_in("bob@example.org", hub.new_client())
    headers = {"X-CSRF-Token": csrf(bob)}
    cid = shelf["id"]
    for r in (
        bob.post(f"/api/collections/{cid}", json={"name": "Bob's now"}, headers=headers),
        bob.delete(f"/api/collections/{cid}", headers=headers),
        bob.post(f"/api/collections/{cid}/delete", data={"csrf_token": headers["X-CSRF-Token"]}),
        bob.post("/api/papers/2503.10001/collections", json={"collection_id": cid}, headers=headers),
        bob.delete(f"/api/papers/{PAPER}/collections/{cid}", headers=headers),
        bob.post(
            f"/api/papers/{PAPER}/collections/{cid}/delete", data={"csrf_token": headers["X-CSRF-Token"]}
        ),
    ):
        assert r.status_code == 404, r.request.url
    after = hub.new_client().get(f"/collections/{cid}.json").json()
    assert after["name"] == "Ada's" and after["total"] == 1


def test_adding_needs_a_collection_and_a_paper(hub):
    client = hub.sign_in("ada@example.org")
    shelf = _create(client)
    headers = {"X-CSRF-Token": csrf(client)}
    bad = client.post(f"/api/papers/{PAPER}/collections", json={"collection_id": "many"}, headers=headers)
    assert bad.status_code == 400
    missing = client.post(
        "/api/papers/2501.99999/collections", json={"collection_id": shelf["id"]}, headers=headers
    )
    assert missing.status_code == 404
    ok = client.post(f"/api/papers/{PAPER}/collections", json={"collection_id": shelf["id"]}, headers=headers)
    assert ok.json() == {"paper_id": PAPER, "collection_id": shelf["id"], "collected": True}
    out = client.delete(f"/api/papers/{PAPER}/collections/{shelf['id']}", headers=headers)
    assert out.json()["collected"] is False
    assert client.get("/library.json").json()["collections"][0]["size"] == 0
