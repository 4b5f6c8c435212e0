"""Save, not interested and read over HTTP (forms and JSON), the /library page and its twin, exports,
and privacy: nobody reads or changes another member's library or marks. Both databases."""

from __future__ import annotations

import json

import bibtexparser
import pytest

from paperwire.web.services import services
from tests.support.hub import TOKEN, make_hub

PAPER = "2503.10002"


def csrf(client, path="/"):
    return TOKEN.search(client.get(path).text).group(1)


def test_save_dismiss_and_read_with_forms_come_back_to_the_page(hub):
    client = hub.sign_in("ada@example.org")
    token = csrf(client, "/date/2025-03-18")
    back = "/date/2025-03-18#paper-2503.10002"
    for kind in ("save", "not-interested", "read"):
        done = client.post(f"/api/papers/{PAPER}/{kind}", data={"csrf_token": token, "next": back})
        assert done.status_code == 200 and "/date/2025-03-18" in str(done.url)
    page = client.get("/date/2025-03-18").text
    at = page.index('id="paper-2503.10002"')
    row = page[page.rindex("<li", 0, at) : page.index("</li>", at)]
    assert 'class="paper dismissed"' in row
    for label in ("Saved", "Dismissed", "Read"):
        assert f'aria-pressed="true" data-on="{label}"' in row
    user = hub.store.users.find_user(email="ada@example.org")
    marks = hub.store.library.marks(user.id, [PAPER])
    assert marks.saved == marks.not_interested == marks.read == {PAPER}
    for kind in ("save", "not-interested", "read"):  # the same button undoes it (on=0)
        client.post(f"/api/papers/{PAPER}/{kind}", data={"csrf_token": token, "on": "0"})
    marks = hub.store.library.marks(user.id, [PAPER])
    assert not (marks.saved or marks.not_interested or marks.read)


def test_signals_over_the_json_api(hub):
    client = hub.sign_in("ada@example.org")
    headers = {"X-CSRF-Token": csrf(client)}
    assert client.post(f"/api/papers/{PAPER}/save", json={}, headers=headers).json() == {
        "paper_id": PAPER,
        "saved": True,
    }
    assert client.post(f"/api/papers/arXiv:{PAPER}v2/not-interested", json={}, headers=headers).json() == {
        "paper_id": PAPER,
        "not_interested": True,
    }
    assert client.delete(f"/api/papers/{PAPER}/save", headers=headers).json()["saved"] is False
    assert client.delete(f"/api/papers/{PAPER}/read", headers=headers).json() == {
        "paper_id": PAPER,
        "read": False,
    }
    missing = client.post("/api/papers/2501.99999/save", json={}, headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.post(f"/api/papers/{PAPER}/read", json={}).status_code == 403  # no CSRF token


def test_anonymous_visitors_see_no_private_buttons_and_keep_their_cache(hub):
    anonymous = hub.new_client()
    page = anonymous.get("/date/2025-03-18")
    assert "Not interested" not in page.text and "/save" not in page.text
    assert any(key.startswith("/date/2025-03-18") for key in services(hub.app).page_cache._pages)
    token = csrf(anonymous, "/signin")
    refused = anonymous.post(f"/api/papers/{PAPER}/save", json={}, headers={"X-CSRF-Token": token})
    assert refused.status_code == 401
    assert anonymous.get("/library", follow_redirects=False).headers["location"] == "/signin?next=/library"
    assert anonymous.get("/library.json").status_code == 401
    member = hub.sign_in("ada@example.org", hub.new_client())
    assert "Not interested" in member.get("/date/2025-03-18").text
    assert "Not interested" in member.get("/categories/cs.CV").text
    assert "Not interested" in member.get(f"/papers/{PAPER}").text


def test_a_dismissed_paper_stays_on_public_pages(hub):
    client = hub.sign_in("ada@example.org")
    client.post(f"/api/papers/{PAPER}/not-interested", json={}, headers={"X-CSRF-Token": csrf(client)})
    titles = [p["title"] for p in hub.new_client().get("/date/2025-03-18.json").json()["papers"]]
    assert "Diffusion models for images" in titles
    assert "Diffusion models for images" in client.get("/date/2025-03-18").text


def test_the_library_lists_saved_papers_newest_first_with_a_twin(hub):
    client = hub.sign_in("ada@example.org")
    headers = {"X-CSRF-Token": csrf(client)}
    for pid in ("2503.10001", "2503.10004", PAPER):
        client.post(f"/api/papers/{pid}/save", json={}, headers=headers)
    twin = client.get("/library.json").json()
    assert twin["total"] == 3 and [p["paper"]["id"] for p in twin["papers"]] == [
        PAPER,
        "2503.10004",
        "2503.10001",
    ]
    assert twin["collections"] == []
    page = client.get("/library").text
    assert "3 saved papers" in page and page.index("Diffusion models") < page.index("Graph networks")
    assert client.get("/library.json?page=0").status_code == 400


def test_one_member_cannot_read_or_change_anothers_library(hub):
    ada = hub.sign_in("ada@example.org")
    ada_headers = {"X-CSRF-Token": csrf(ada)}
    ada.post(f"/api/papers/{PAPER}/save", json={}, headers=ada_headers)
    ada.post(f"/api/papers/{PAPER}/not-interested", json={}, headers=ada_headers)
    bob = hub.sign_in("bob@example.org", hub.new_client())
    bob_headers = {"X-CSRF-Token": csrf(bob)}
    assert bob.get("/library.json").json()["total"] == 0
    assert "2503.10002" not in bob.get("/library/export/bibtex").text
    assert bob.get("/library/export/csl-json").json() == []
    assert 'data-on="Dismissed"' in bob.get(f"/papers/{PAPER}").text  # the button exists...
    assert 'aria-pressed="true" data-on="Dismissed"' not in bob.get(f"/papers/{PAPER}").text  # ...unpressed
    bob.delete(f"/api/papers/{PAPER}/save", headers=bob_headers)  # takes out bob's (none), not ada's
    bob.delete(f"/api/papers/{PAPER}/not-interested", headers=bob_headers)
    user = hub.store.users.find_user(email="ada@example.org")
    marks = hub.store.library.marks(user.id, [PAPER])
    assert marks.saved == marks.not_interested == {PAPER}


def test_exports_parse_back(hub):
    client = hub.sign_in("ada@example.org")
    headers = {"X-CSRF-Token": csrf(client)}
    for pid in ("2503.10003", "2503.10004"):
        client.post(f"/api/papers/{pid}/save", json={}, headers=headers)
    bib = client.get("/library/export/bibtex")
    assert bib.headers["content-type"].startswith("application/x-bibtex")
    parsed = bibtexparser.parse_string(bib.text)
    assert not parsed.failed_blocks
    by_eprint = {e["eprint"]: e for e in parsed.entries}
    entry = by_eprint["2503.10003"]
    assert (
        entry.entry_type == "misc" and entry["archivePrefix"] == "arXiv" and entry["primaryClass"] == "cs.CL"
    )
    assert entry["title"] == r"Language models \& <b>reasoning</b>" and entry["year"] == "2025"
    assert by_eprint["2503.10004"]["author"] == "Lovelace, Ada and Turing, Alan"
    assert len({e.key for e in parsed.entries}) == 2
    csl = client.get("/library/export/csl-json")
    assert csl.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    items = {i["number"]: i for i in json.loads(csl.text)}
    item = items["arXiv:2503.10004"]
    assert item["type"] == "article" and item["author"][1] == {"family": "Turing", "given": "Alan"}
    assert item["issued"] == {"date-parts": [[2025, 3, 18]]} and item["DOI"] == "10.48550/arXiv.2503.10004"


@pytest.fixture
def limited_hub(tmp_path, model_dir, smtp_inbox, backend, database_url):
    hub, store = make_hub(
        tmp_path, model_dir, smtp_inbox, database_url=database_url, rate_limits="signal=2/3600"
    )
    with hub.client:
        yield hub
    store.close()


def test_signals_are_rate_limited(limited_hub):
    client = limited_hub.sign_in("ada@example.org")
    headers = {"X-CSRF-Token": csrf(client)}
    assert client.post(f"/api/papers/{PAPER}/save", json={}, headers=headers).status_code == 200
    assert client.post(f"/api/papers/{PAPER}/read", json={}, headers=headers).status_code == 200
    third = client.post(f"/api/papers/{PAPER}/not-interested", json={}, headers=headers)
    assert third.status_code == 429 and int(third.headers["retry-after"]) > 0
