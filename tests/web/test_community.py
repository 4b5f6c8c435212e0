"""Upvotes, comments, submissions and moderation over HTTP: auth, CSRF, limits, and who may do what."""

import re

import pytest

from paperwire.web.services import services
from tests.support.hub import TOKEN, make_hub
from tests.support.replay import ReplayServer, api_route


def csrf(client, path="/"):
    return TOKEN.search(client.get(path).text).group(1)


def test_upvote_and_take_it_back_with_forms(hub):
    client = hub.sign_in("a@example.org")
    token = csrf(client)
    done = client.post("/api/papers/2503.10002/vote", data={"csrf_token": token, "next": "/date/2025-03-18"})
    assert done.status_code == 200 and 'aria-pressed="true"' in done.text  # redirected back to the day
    assert hub.store.papers.paper_activity("2503.10002").upvotes == 1
    client.post("/api/papers/2503.10002/vote", data={"csrf_token": token})  # twice: still one
    assert hub.store.papers.paper_activity("2503.10002").upvotes == 1
    client.post("/api/papers/2503.10002/vote", data={"csrf_token": token, "up": "0"})
    assert hub.store.papers.paper_activity("2503.10002").upvotes == 0


def test_votes_over_the_json_api(hub):
    client = hub.sign_in("a@example.org")
    headers = {"X-CSRF-Token": csrf(client)}
    r = client.post("/api/papers/2503.10002/vote", json={}, headers=headers)
    assert r.json() == {"paper_id": "2503.10002", "upvoted": True, "upvotes": 1}
    other = hub.sign_in("b@example.org", hub.new_client())
    assert (
        other.post("/api/papers/2503.10002/vote", json={}, headers={"X-CSRF-Token": csrf(other)}).json()[
            "upvotes"
        ]
        == 2
    )
    r = client.delete("/api/papers/2503.10002/vote", headers=headers)
    assert r.json()["upvotes"] == 1
    assert hub.client.get("/api/papers/2503.10002").json()["upvotes"] == 1
    assert client.post("/api/papers/9999.99999/vote", json={}, headers=headers).status_code == 404


def test_anonymous_votes_are_refused(hub):
    client = hub.new_client()
    token = csrf(client, "/signin")
    r = client.post("/api/papers/2503.10002/vote", json={}, headers={"X-CSRF-Token": token})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    form = client.post("/api/papers/2503.10002/vote", data={"csrf_token": token}, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"].startswith("/signin")


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_missing_or_wrong_csrf_tokens_are_refused(hub, token):
    client = hub.sign_in("a@example.org")
    data = {} if token is None else {"csrf_token": token}
    r = client.post("/api/papers/2503.10002/vote", data=data)
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post("/api/papers/2503.10002/vote", json={}, headers={"X-CSRF-Token": token or ""})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert hub.store.papers.paper_activity("2503.10002").upvotes == 0


def test_a_token_with_non_ascii_characters_is_refused_not_a_crash(hub):
    # schemathesis found these a 500: hmac.compare_digest refuses non-ASCII str.
    client = hub.sign_in("a@example.org")
    csrf(client)
    form = client.post("/api/papers/2503.10002/vote", data={"csrf_token": "jeton-é"})
    assert form.status_code == 403 and "invalid CSRF token" in form.text
    header = client.post(
        "/api/papers/2503.10002/vote", json={}, headers={"X-CSRF-Token": "jeton-é".encode("latin-1")}
    )
    assert header.status_code == 403 and header.json()["error"]["code"] == "forbidden"
    assert hub.store.papers.paper_activity("2503.10002").upvotes == 0


def test_a_token_from_another_visitor_does_not_work(hub):
    client = hub.sign_in("a@example.org")
    foreign = csrf(hub.new_client(), "/signin")
    r = client.post("/api/papers/2503.10002/vote", json={}, headers={"X-CSRF-Token": foreign})
    assert r.status_code == 403


def test_votes_are_rate_limited(tmp_path, model_dir, smtp_inbox):
    hub, store = make_hub(tmp_path, model_dir, smtp_inbox, rate_limits="vote=3/60")
    with hub.client:
        client = hub.sign_in("a@example.org")
        headers = {"X-CSRF-Token": csrf(client)}
        codes = [
            client.post("/api/papers/2503.10002/vote", json={}, headers=headers).status_code for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        assert (
            "at most 3 every 1 minute"
            in client.post("/api/papers/2503.10002/vote", json={}, headers=headers).text
        )
    store.close()


def test_comments_are_markdown_and_sanitised(hub):
    client = hub.sign_in("a@example.org")
    token = csrf(client)
    body = "Nice **result**. <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    r = client.post("/api/papers/2503.10003/comments", data={"csrf_token": token, "body": body})
    assert r.status_code == 200
    page = hub.new_client().get("/papers/2503.10003").text
    assert "<strong>result</strong>" in page
    # What is left of the markup is text: escaped, never a tag or an attribute.
    assert "<script>alert" not in page and "<img" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;" in page
    # The title's own markup is escaped too.
    assert "&lt;b&gt;reasoning&lt;/b&gt;" in page


def test_comments_are_rendered_when_posted_not_when_shown(hub, monkeypatch):
    import paperwire.comments

    client = hub.sign_in("a@example.org")
    headers = {"X-CSRF-Token": csrf(client)}
    nested = "[" * 10_000  # at the length cap: accepted, and rendered once
    for body in ("*first*", nested):
        r = client.post("/api/papers/2503.10003/comments", json={"body": body}, headers=headers)
        assert r.status_code == 200, r.text
    calls = []
    real = paperwire.comments.render_markdown
    monkeypatch.setattr(paperwire.comments, "render_markdown", lambda text: calls.append(text) or real(text))
    for viewer in (hub.new_client(), client):
        page = viewer.get("/papers/2503.10003").text
        assert "<em>first</em>" in page and "[" * 200 in page
    assert hub.client.get("/papers/2503.10003.json").json()["comments"][1]["body"] == nested
    assert calls == []  # every view read the stored HTML


def test_a_comment_over_the_cap_is_refused(hub):
    client = hub.sign_in("a@example.org")
    too_long = "[" * 10_001
    r = client.post(
        "/api/papers/2503.10003/comments", json={"body": too_long}, headers={"X-CSRF-Token": csrf(client)}
    )
    assert r.status_code == 400 and r.json()["error"] == {
        "code": "bad_request",
        "message": "a comment is at most 10,000 characters; this one has 10,001",
    }
    form = client.post("/api/papers/2503.10003/comments", data={"csrf_token": csrf(client), "body": too_long})
    assert form.status_code == 400 and 'role="alert"' in form.text and "at most 10,000" in form.text
    assert hub.store.comments.paper_comments("2503.10003") == []


def test_an_empty_comment_gets_a_form_error(hub):
    client = hub.sign_in("a@example.org")
    r = client.post("/api/papers/2503.10003/comments", data={"csrf_token": csrf(client), "body": "   "})
    assert r.status_code == 400 and 'role="alert"' in r.text
    r = client.post(
        "/api/papers/2503.10003/comments", json={"body": ""}, headers={"X-CSRF-Token": csrf(client)}
    )
    assert r.status_code == 400 and r.json()["error"]["message"]
    assert hub.store.comments.paper_comments("2503.10003") == []


def test_only_the_author_deletes_a_comment(hub):
    alice = hub.sign_in("alice@example.org")
    bob = hub.sign_in("bob@example.org", hub.new_client())
    r = alice.post(
        "/api/papers/2503.10003/comments", json={"body": "mine"}, headers={"X-CSRF-Token": csrf(alice)}
    )
    comment_id = r.json()["id"]
    r = bob.delete(f"/api/comments/{comment_id}", headers={"X-CSRF-Token": csrf(bob)})
    assert r.status_code == 403
    page = bob.get("/papers/2503.10003").text
    assert f"/api/comments/{comment_id}/delete" not in page  # no delete button for others
    page = alice.get("/papers/2503.10003").text
    assert f"/api/comments/{comment_id}/delete" in page
    r = alice.post(f"/api/comments/{comment_id}/delete", data={"csrf_token": csrf(alice)})
    assert r.status_code == 200 and hub.store.comments.get_comment(comment_id) is None
    assert alice.delete("/api/comments/999", headers={"X-CSRF-Token": csrf(alice)}).status_code == 404
    # Beyond the databases' integers (schemathesis found a 500 here): a 400 that says so.
    huge = alice.delete("/api/comments/9223372036854775808", headers={"X-CSRF-Token": csrf(alice)})
    assert huge.status_code == 400 and huge.json()["error"]["code"] == "bad_request"


def test_comments_are_rate_limited(tmp_path, model_dir, smtp_inbox):
    hub, store = make_hub(tmp_path, model_dir, smtp_inbox, rate_limits="comment=2/600")
    with hub.client:
        client = hub.sign_in("a@example.org")
        headers = {"X-CSRF-Token": csrf(client)}
        codes = [
            client.post(
                "/api/papers/2503.10003/comments", json={"body": f"c{i}"}, headers=headers
            ).status_code
            for i in range(3)
        ]
        assert codes == [200, 200, 429]
    store.close()


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


def test_admins_hide_papers_and_comments(hub, run_cli):
    member = hub.sign_in("member@example.org")
    r = member.post(
        "/api/papers/2503.10003/comments", json={"body": "spam"}, headers={"X-CSRF-Token": csrf(member)}
    )
    comment_id = r.json()["id"]
    assert member.post("/api/papers/2503.10002/hide", data={"csrf_token": csrf(member)}).status_code == 403
    data_dir = str(services(hub.app).settings.data_dir)
    assert run_cli("admin", "grant", "mod@example.org", env={"PAPERWIRE_DATA_DIR": data_dir}).returncode == 0
    mod = hub.sign_in("mod@example.org", hub.new_client())
    token = csrf(mod)
    assert mod.post("/api/papers/2503.10002/hide", data={"csrf_token": token}).status_code == 200
    assert "Hidden by a moderator" in mod.get("/papers/2503.10002").text  # admins still see it
    assert hub.client.get("/papers/2503.10002").status_code == 404
    assert "2503.10002" not in hub.new_client().get("/date/2025-03-18").text
    assert "2503.10002" not in hub.new_client().get("/feeds/daily.atom").text
    mod.post(f"/api/comments/{comment_id}/hide", data={"csrf_token": token})
    assert "spam" not in hub.new_client().get("/papers/2503.10003").text
    assert "spam" in member.get("/profile").text  # the author still sees it, marked hidden
    mod.post("/api/papers/2503.10002/hide", data={"csrf_token": token, "hidden": "0"})
    assert hub.new_client().get("/papers/2503.10002").status_code == 200


def test_the_admin_command(run_cli):
    assert "is an admin" in run_cli("admin", "grant", "Mod@Example.org").stdout
    assert run_cli("admin", "list").stdout.strip() == "mod <mod@example.org>"
    assert "no longer" in run_cli("admin", "revoke", "mod@example.org").stdout
    assert run_cli("admin", "list").stdout == ""
    bad = run_cli("admin", "grant", "nope")
    assert (
        bad.returncode == 1 and bad.stderr.strip().count("\n") == 0 and "not an email address" in bad.stderr
    )
    missing = run_cli("admin", "revoke", "x@example.org")
    assert missing.returncode == 1 and "no user with the address x@example.org" in missing.stderr


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
