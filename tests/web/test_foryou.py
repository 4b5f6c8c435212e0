"""The "For you" page over HTTP, both databases: ranking from saves and dismissals, reasons, the cold
start (topics, authors, categories), the private feed by token, and privacy between members."""

from __future__ import annotations

import re
import time

import pytest

from paperwire.web.services import services
from tests.support.foryou import NEAR, foryou_hub, member
from tests.support.hub import TOKEN, make_hub
from tests.support.recommend_corpus import DAY, LIKED


@pytest.fixture
def hub(tmp_path, model_dir, smtp_inbox, backend, database_url):
    with foryou_hub(tmp_path, model_dir, smtp_inbox, database_url) as hub:
        yield hub


def ids(body):
    return [p["id"] for p in body["papers"]]


def test_signed_out_visitors_are_sent_to_sign_in(hub):
    anonymous = hub.new_client()
    assert anonymous.get("/for-you", follow_redirects=False).headers["location"] == "/signin?next=/for-you"
    refused = anonymous.get("/for-you.json")
    assert refused.status_code == 401 and refused.json()["error"]["code"]


def test_saves_rank_the_day_and_each_paper_has_a_reason(hub):
    ada = member(hub, "ada@example.org")
    for pid in LIKED:
        assert ada.post(f"/api/papers/{pid}/save", json={}).status_code == 200
    body = ada.get("/for-you.json").json()
    assert body["from"] == body["to"] == DAY.isoformat() and body["positives"] == 2
    assert set(ids(body)[:2]) == NEAR
    for p in body["papers"]:
        assert p["reason"]["text"] and p["reason"]["kind"] == "liked"
        assert p["reason"]["paper"]["id"] in LIKED and p["score"] > 0
    assert body["papers"][0]["score"] >= body["papers"][1]["score"]
    page = ada.get("/for-you")
    assert page.headers["cache-control"] == "private, no-store"
    first = page.text.index('id="paper-' + ids(body)[0])
    row = page.text[first : page.text.index("</li>", first)]
    assert 'Why: close to <a href="/papers/' in row and "which you like" in row
    assert 'data-on="Saved"' in row and "Not interested" in row  # the shared row's buttons
    assert '<a href="/for-you">For you</a>' in page.text


def test_a_dismissal_sinks_its_neighbours_and_a_save_lifts_its_own(hub):
    ada = member(hub, "ada@example.org")
    ada.post("/api/papers/2504.00001/save", json={})
    before = ids(ada.get("/for-you.json").json())
    # "Code completion with large language models" dismissed: "Language models write programs…" sinks.
    ada.post("/api/papers/2504.00012/not-interested", json={})
    after = ids(ada.get("/for-you.json").json())
    assert "2504.00012" not in after  # dismissed papers are left out
    assert (
        after.index("2504.00018") > before.index("2504.00018") or after.index("2504.00018") == len(after) - 1
    )
    # Saving the code paper of the day before lifts the day's papers on programs above the molecules.
    bob = member(hub, "bob@example.org")
    bob.post("/api/papers/2504.00003/save", json={})
    assert ids(bob.get("/for-you.json").json())[0] in {"2504.00012", "2504.00018"}
    bob.post("/api/papers/2504.00012/read", json={})  # read papers are left out too
    body = bob.get("/for-you.json").json()
    assert "2504.00012" not in ids(body) and body["left_out"] == 1 and ids(body)[0] == "2504.00018"


def test_cold_start_says_what_to_do_then_follows_topics_authors_and_categories(hub):
    ada = member(hub, "ada@example.org")
    empty = ada.get("/for-you")
    assert "Nothing to rank for you yet" in empty.text and 'action="/api/for-you/interests"' in empty.text
    assert ada.get("/for-you.json").json()["papers"] == []
    saved = ada.post("/api/for-you/interests", json={"topics": ["puppies and dogs"]})
    assert saved.json() == {"topics": ["puppies and dogs"], "authors": [], "categories": []}
    body = ada.get("/for-you.json").json()
    assert ids(body) == ["2504.00013"]  # the day's papers on code, graphs or qubits are not about dogs
    assert body["papers"][0]["reason"]["kind"] == "topic"
    assert body["papers"][0]["reason"]["topic"] == "puppies and dogs"
    token = TOKEN.search(ada.get("/for-you").text).group(1)
    form = {
        "csrf_token": token,
        "topics": "puppies and dogs",
        "authors": "grace  HOPPER",
        "categories": "quant-ph",
    }
    header = ada.headers.pop("X-CSRF-Token")  # a browser's form: the token is in the form
    done = ada.post("/api/for-you/interests", data=form)
    ada.headers["X-CSRF-Token"] = header
    assert done.status_code == 200 and str(done.url).endswith("/for-you")
    body = ada.get("/for-you.json").json()
    assert body["interests"] == {"topics": ["puppies and dogs"], "authors": ["grace HOPPER"],
                                 "categories": ["quant-ph"]}  # fmt: skip
    first = body["papers"][0]
    assert first["id"] == "2504.00019" and first["reason"]["text"] == "by Grace Hopper, an author you follow"
    assert ids(body) == ["2504.00019", "2504.00013", "2504.00014"]  # author, topic, category
    assert body["papers"][2]["reason"]["text"] == "in quant-ph, a category you follow"
    page = ada.get("/for-you").text
    assert "by Grace Hopper, an author you follow" in page and ">grace HOPPER</textarea>" in page


def test_only_categories_give_a_useful_page(hub):
    ada = member(hub, "ada@example.org")
    ada.post("/api/for-you/interests", json={"categories": ["cs.PL"]})
    body = ada.get("/for-you.json").json()
    assert ids(body) == ["2504.00019"]
    assert body["papers"][0]["reason"]["text"] == "in cs.PL, a category you follow"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"categories": ["not a category"]}, "is not an arXiv category"),
        ({"topics": "graphs"}, "topics must be a list of strings"),
        ({"topics": ["x" * 301]}, "at most 300 characters"),
        ({"authors": [f"A{i}" for i in range(21)]}, "at most 20 authors"),
    ],
)
def test_bad_interests_are_a_400_and_change_nothing(hub, body, message):
    ada = member(hub, "ada@example.org")
    ada.post("/api/for-you/interests", json={"topics": ["graphs"]})
    refused = ada.post("/api/for-you/interests", json=body)
    assert refused.status_code == 400 and message in refused.json()["error"]["message"]
    assert ada.get("/for-you.json").json()["interests"]["topics"] == ["graphs"]


def test_the_form_shows_its_mistake_and_needs_csrf(hub):
    ada = member(hub, "ada@example.org")
    token = ada.headers.pop("X-CSRF-Token")
    bad = ada.post("/api/for-you/interests", data={"csrf_token": token, "categories": "cs.CL\n<b>x"})
    assert bad.status_code == 400 and "is not an arXiv category" in bad.text and "<b>x" not in bad.text
    forged = ada.post("/api/for-you/interests", data={"topics": "graphs"})
    assert forged.status_code == 403
    assert ada.get("/for-you.json").json()["interests"]["categories"] == []


def test_saving_interests_is_rate_limited(tmp_path, model_dir, smtp_inbox):
    hub, store = make_hub(tmp_path, model_dir, smtp_inbox, rate_limits="interests=2/3600")
    with hub.client:
        ada = member(hub, "ada@example.org")
        for _ in range(2):
            assert ada.post("/api/for-you/interests", json={"topics": ["graphs"]}).status_code == 200
        refused = ada.post("/api/for-you/interests", json={"topics": ["trees"]})
        assert refused.status_code == 429 and refused.headers["retry-after"]
        assert ada.get("/for-you.json").json()["interests"]["topics"] == ["graphs"]
    store.close()


def test_the_private_feed_by_token(hub):
    ada = member(hub, "ada@example.org")
    ada.post("/api/papers/2504.00001/save", json={})
    url = ada.get("/for-you.json").json()["feed"]
    path = url.replace(str(services(hub.app).settings.base_url).rstrip("/"), "")
    assert re.fullmatch(r"/for-you/feed/[\w.-]+\.atom", path)
    assert url in ada.get("/for-you").text  # the page shows it to its owner
    feed = hub.new_client().get(path)  # a feed reader has no session
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert feed.text.count("<entry>") >= 2 and "Why: close to" in feed.text
    token = path[len("/for-you/feed/") : -len(".atom")]
    for wrong in (token[:-2] + "xx", "nothing", token.replace(".", "-", 1)):
        assert hub.new_client().get(f"/for-you/feed/{wrong}.atom").status_code == 404
    renewed = ada.post("/api/for-you/feed", json={}).json()["feed"]
    assert renewed != url and hub.new_client().get(path).status_code == 404  # the old link is revoked
    assert hub.new_client().get(renewed.replace(url[: -len(path)], "")).status_code == 200


def test_one_member_cannot_see_or_change_anothers_interests_or_feed(hub):
    ada, bob = member(hub, "ada@example.org"), member(hub, "bob@example.org")
    ada.post("/api/for-you/interests", json={"topics": ["puppies and dogs"], "authors": ["Grace Hopper"]})
    ada_feed = ada.get("/for-you.json").json()["feed"]
    seen = bob.get("/for-you.json").json()
    assert seen["interests"] == {"topics": [], "authors": [], "categories": []} and seen["papers"] == []
    assert seen["feed"] != ada_feed and "puppies" not in bob.get("/for-you").text
    bob.post("/api/for-you/interests", json={"topics": ["quantum codes"]})
    bob.post("/api/for-you/feed", json={})  # renews Bob's link, not Ada's
    assert ada.get("/for-you.json").json()["interests"]["topics"] == ["puppies and dogs"]
    base = str(services(hub.app).settings.base_url).rstrip("/")
    assert hub.new_client().get(ada_feed.replace(base, "")).status_code == 200


def test_dates_and_the_week(hub):
    ada = member(hub, "ada@example.org")
    ada.post("/api/for-you/interests", json={"categories": ["cs.CV"]})
    assert ada.get("/for-you.json").json()["papers"] == []  # no cs.CV paper on the latest day
    day = ada.get("/for-you.json", params={"date": "2025-03-18"}).json()
    assert day["from"] == "2025-03-18" and set(ids(day)) == {"2503.10002", "2503.10004"}
    assert ada.get("/for-you.json", params={"date": "yesterday"}).status_code == 400
    assert ada.get("/for-you.json", params={"period": "year"}).status_code == 400
    week = ada.get("/for-you.json", params={"period": "week", "date": "2025-03-19"}).json()
    assert week["from"] == "2025-03-13" and week["to"] == "2025-03-19" and len(week["papers"]) == 2


def test_a_request_takes_little_time_on_the_test_hub(hub):
    ada = member(hub, "ada@example.org")
    for pid in LIKED:
        ada.post(f"/api/papers/{pid}/save", json={})
    ada.get("/for-you.json")  # the first request reads the pool
    started = time.perf_counter()
    body = ada.get("/for-you.json").json()
    assert (time.perf_counter() - started) < 2.0 and body["timings_ms"]["total"] < 1000
