"""Upvotes over HTTP: forms and JSON, members only, CSRF on every write, rate limits."""

import pytest

from tests.support.hub import TOKEN, make_hub


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
