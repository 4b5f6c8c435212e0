"""Submitting papers over HTTP: a stored paper at once, a new one through the bounded fetch queue."""

import re

from paperwire.web.services import services
from tests.support.hub import TOKEN, make_hub
from tests.support.replay import ReplayServer, api_route


def csrf(client, path="/"):
    return TOKEN.search(client.get(path).text).group(1)


def test_submitting_a_stored_paper_puts_it_on_today(hub):
    from paperwire.web.pages import today

    client = hub.sign_in("curator@example.org")
    r = client.post(
        "/api/papers", data={"csrf_token": csrf(client), "ref": "https://arxiv.org/abs/2503.10009v1"}
    )
    assert r.status_code == 200 and "Linked papers" in r.text and "by curator" in r.text
    day = hub.store.papers.paper_activity("2503.10009").submission.day
    page = hub.client.get(f"/date/{day}")
    assert "Linked papers" in page.text and "submitted by curator" in page.text
    assert day == today(type("R", (), {"app": hub.app})())
    # The first submission stays; a second is not an error.
    again = client.post("/api/papers", json={"ref": "2503.10009"}, headers={"X-CSRF-Token": csrf(client)})
    assert again.status_code == 200 and again.json()["new"] is False


def test_a_bad_reference_gets_a_form_error(hub):
    client = hub.sign_in("curator@example.org")
    r = client.post("/api/papers", data={"csrf_token": csrf(client), "ref": "https://evil.example/abs/1"})
    assert r.status_code == 400 and "not a link to an arXiv paper" in r.text and 'role="alert"' in r.text


def work_the_queue(hub) -> int | None:
    """What the fetch worker of `serve` does on a tick: settle every queued submission."""
    from paperwire.ingest.http import open_fetchers
    from paperwire.ingest.submissions import drain

    settings = services(hub.app).settings
    with open_fetchers(settings) as fetchers:
        return drain(hub.store, fetchers.arxiv, settings.arxiv_api_url)


def test_submitting_a_new_paper_queues_its_fetch_and_answers_at_once(tmp_path, model_dir, smtp_inbox):
    with ReplayServer() as arxiv:
        arxiv.routes["/api/query"] = api_route
        hub, store = make_hub(
            tmp_path,
            model_dir,
            smtp_inbox,
            arxiv_api_url=f"{arxiv.url}/api/query",
            contact_email="ops@example.org",
            arxiv_interval=0,
        )
        with hub.client:
            client = hub.sign_in("curator@example.org")
            headers = {"X-CSRF-Token": csrf(client)}
            r = client.post("/api/papers", json={"ref": "2503.11701"}, headers=headers)
            assert r.status_code == 202, r.text
            assert r.headers["location"] == f"/api/submissions/{r.json()['id']}"
            assert r.json()["state"] == "queued" and r.json()["submitted_by"] == "curator"
            assert (
                arxiv.requests == [] and store.papers.get_paper("2503.11701") is None
            )  # nothing fetched yet
            again = client.post("/api/papers", json={"ref": "arXiv:2503.11701v1"}, headers=headers)
            assert again.status_code == 202 and again.json()["id"] == r.json()["id"]  # the same one
            unknown = client.post("/api/papers", json={"ref": "2503.99999"}, headers=headers)
            page = client.get(f"/submissions/{r.json()['id']}")
            assert "Being fetched from arXiv" in page.text and 'http-equiv="refresh"' in page.text

            assert work_the_queue(hub) == 2  # the repeat was the same submission
            assert len(arxiv.requests) == 1  # both ids in one request
            assert set(arxiv.requests[0].query["id_list"].split(",")) == {"2503.11701", "2503.99999"}
            state = client.get(r.headers["location"]).json()
            assert state["state"] == "done" and state["paper_url"] == "/papers/2503.11701"
            assert store.papers.paper_activity("2503.11701").submission.username == "curator"
            assert store.papers.get_paper("2503.11701").title
            done = client.get(f"/submissions/{r.json()['id']}", follow_redirects=False)
            assert done.status_code == 303 and done.headers["location"] == "/papers/2503.11701"
            failed = client.get(unknown.headers["location"]).json()
            assert failed["state"] == "failed" and "not found on arXiv" in failed["error"]
            assert "not found on arXiv" in client.get(f"/submissions/{unknown.json()['id']}").text
            # Only its submitter (or an admin) sees a submission's state.
            other = hub.sign_in("other@example.org", hub.new_client())
            assert other.get(r.headers["location"]).status_code == 404
            assert hub.new_client().get(r.headers["location"]).status_code == 401
        store.close()


def test_a_submission_arxiv_cannot_answer_fails_with_the_reason(hub):
    client = hub.sign_in("curator@example.org")
    r = client.post("/api/papers", json={"ref": "2503.11701"}, headers={"X-CSRF-Token": csrf(client)})
    assert r.status_code == 202
    form = client.post(
        "/api/papers", data={"ref": "2503.11702", "csrf_token": csrf(client)}, follow_redirects=False
    )
    assert form.status_code == 303 and form.headers["location"].startswith("/submissions/")
    assert work_the_queue(hub) == 2
    state = client.get(r.headers["location"]).json()
    assert state["state"] == "failed" and state["error"] == (
        "could not fetch from arXiv; submit it again later "
        "(arXiv is unreachable (127.0.0.1: connection refused))"
    )
    assert hub.store.papers.get_paper("2503.11701") is None
    page = client.get(form.headers["location"])
    assert "could not fetch from arXiv" in page.text and 'role="alert"' in page.text
    assert 'http-equiv="refresh"' not in page.text
    # The submitter's profile lists both, with the reason.
    waiting = client.get("/profile.json").json()["waiting"]
    assert [(w["paper_id"], w["state"]) for w in waiting] == [
        ("2503.11702", "failed"),
        ("2503.11701", "failed"),
    ]
    assert "could not be fetched: could not fetch from arXiv" in client.get("/profile").text


def test_the_fetch_queue_is_bounded_per_member_and_in_all(tmp_path, model_dir, smtp_inbox):
    hub, store = make_hub(
        tmp_path, model_dir, smtp_inbox, submission_queue_per_user=2, submission_queue_total=3
    )
    with hub.client:
        ada = hub.sign_in("ada@example.org")
        headers = {"X-CSRF-Token": csrf(ada)}
        codes = [
            ada.post("/api/papers", json={"ref": f"2504.0000{i}"}, headers=headers).status_code
            for i in (1, 2, 3)
        ]
        assert codes == [202, 202, 429]
        refused = ada.post("/api/papers", json={"ref": "2504.00009"}, headers=headers)
        assert refused.headers["retry-after"] == "60"
        assert refused.json()["error"]["code"] == "rate_limited"
        assert "you have 2 submissions waiting for arXiv" in refused.json()["error"]["message"]
        # A paper the hub has needs no fetch: never limited by the queue.
        assert ada.post("/api/papers", json={"ref": "2503.10009"}, headers=headers).status_code == 201
        bo = hub.sign_in("bo@example.org", hub.new_client())
        bo_headers = {"X-CSRF-Token": csrf(bo)}
        assert bo.post("/api/papers", json={"ref": "2504.00004"}, headers=bo_headers).status_code == 202
        full = bo.post("/api/papers", data={"ref": "2504.00005", "csrf_token": csrf(bo)})
        assert full.status_code == 429 and full.headers["retry-after"] == "60"
        assert "3 submissions are waiting for arXiv" in full.text and 'role="alert"' in full.text
        assert store.submissions.count_queued_submissions() == 3
        work_the_queue(hub)  # arXiv is out of reach here: they fail, and the queue has room again
        assert store.submissions.count_queued_submissions() == 0
        assert ada.post("/api/papers", json={"ref": "2504.00001"}, headers=headers).status_code == 202
    store.close()


def test_submissions_are_rate_limited(tmp_path, model_dir, smtp_inbox):
    hub, store = make_hub(tmp_path, model_dir, smtp_inbox, rate_limits="submit=2/3600")
    with hub.client:
        client = hub.sign_in("curator@example.org")
        headers = {"X-CSRF-Token": csrf(client)}
        codes = [
            client.post("/api/papers", json={"ref": f"2503.1000{i}"}, headers=headers).status_code
            for i in (1, 2, 3)
        ]
        assert codes == [201, 201, 429]
        assert store.papers.paper_activity("2503.10003").submission is None  # the refused one left no trace
    store.close()


def test_the_404_of_a_missing_arxiv_id_offers_the_submit_form(hub):
    client = hub.sign_in("curator@example.org")
    page = client.get("/papers/2503.11701")
    assert page.status_code == 404 and "Not on this hub yet" in page.text
    form = page.text[page.text.index('<form method="post" action="/api/papers"') :]
    form = form[: form.index("</form>")]
    assert (
        'name="csrf_token" value="' in form and '<input type="hidden" name="ref" value="2503.11701">' in form
    )
    # Posting it is the submit flow: the paper is queued for the fetch worker, and its page says so.
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    sent = client.post("/api/papers", data={"csrf_token": token, "ref": "2503.11701"}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/submissions/")
    assert "Being fetched from arXiv" in client.get(sent.headers["location"]).text
    assert client.post("/api/papers", data={"ref": "2503.11701"}).status_code == 403  # CSRF
