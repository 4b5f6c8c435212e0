"""Signing in by magic link, sessions, sign-out, the profile, and the secret key."""

import os
import re
import stat

import itsdangerous.timed
import pytest

from paperwire import PaperwireError
from paperwire.settings import load_settings
from paperwire.web.security import resolve_secret_key
from paperwire.web.services import services
from tests.support.hub import LINK, TOKEN


def test_a_magic_link_signs_in_once(hub):
    client = hub.sign_in("reader@example.org")
    page = client.get("/")
    assert "reader" in page.text and "Sign out" in page.text
    assert client.get("/profile").status_code == 200
    message = hub.inbox.messages[-1]
    assert message["Subject"] == "Your Paperwire sign-in link"
    # The same link a second time: refused.
    link = LINK.search(message.get_content()).group(1)
    other = hub.new_client()
    verify = other.get(link.split("8000", 1)[-1])
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', verify.text))
    again = other.post("/api/signin/verify", data=form, follow_redirects=False)
    assert again.status_code == 400 and "used already" in again.text


def test_opening_the_link_signs_nobody_in(hub):
    client = hub.new_client()
    token = TOKEN.search(client.get("/signin").text).group(1)
    client.post("/api/signin", data={"email": "a@example.org", "csrf_token": token})
    link = LINK.search(hub.inbox.wait_for(1)[-1].get_content()).group(1)
    client.get(link.split("8000", 1)[-1])  # a GET: a mail scanner following the link
    assert "Sign out" not in client.get("/").text
    assert client.get("/profile", follow_redirects=False).status_code == 303


def test_tampered_and_expired_links_are_refused(hub, monkeypatch):
    assert hub.client.get("/signin/verify?token=abc").status_code == 400
    security = services(hub.app).security
    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() - 16 * 60)
    old = security.new_signin_token("late@example.org")
    monkeypatch.setattr(itsdangerous.timed.time, "time", real_time)
    page = hub.client.get(f"/signin/verify?token={old}")
    assert page.status_code == 400 and "expired" in page.text


def test_sign_out_ends_the_session_on_the_server(hub):
    client = hub.sign_in("reader@example.org")
    cookie = client.cookies.get("pw_session")
    token = TOKEN.search(client.get("/").text).group(1)
    assert client.post("/api/signout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    stolen = hub.new_client()
    stolen.cookies.set("pw_session", cookie)
    assert stolen.get("/profile", follow_redirects=False).status_code == 303  # the old cookie is dead


def test_session_cookies_are_httponly_and_samesite(hub):
    client = hub.new_client()
    client.get("/signin")
    token = TOKEN.search(client.get("/signin").text).group(1)
    client.post("/api/signin", data={"email": "c@example.org", "csrf_token": token})
    link = LINK.search(hub.inbox.wait_for(1)[-1].get_content()).group(1)
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', client.get(link.split("8000", 1)[-1]).text))
    done = client.post("/api/signin/verify", data=form, follow_redirects=False)
    cookie = done.headers["set-cookie"]
    assert "pw_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the base URL is http


def test_cookies_are_secure_behind_https(tmp_path, model_dir, smtp_inbox):
    from tests.support.hub import make_hub

    hub, store = make_hub(tmp_path, model_dir, smtp_inbox, base_url="https://papers.example.org")
    with hub.client:
        page = hub.client.get("/signin")
        assert "Secure" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]
    store.close()


def test_bad_addresses_get_a_form_error(hub):
    token = hub.token()
    page = hub.client.post("/api/signin", data={"email": "not-an-address", "csrf_token": token})
    assert page.status_code == 400 and "is not an email address" in page.text and 'role="alert"' in page.text
    assert hub.inbox.messages == []


def test_signin_emails_are_rate_limited(hub):
    token = hub.token()
    codes = [
        hub.client.post("/api/signin", data={"email": "spam@example.org", "csrf_token": token}).status_code
        for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]
    assert len(hub.inbox.wait_for(5)) == 5


def test_without_smtp_the_form_says_so(tmp_path, model_dir):
    from fastapi.testclient import TestClient

    from paperwire.storage import open_store
    from paperwire.web import create_app

    settings = load_settings(data_dir=tmp_path / "d", model_dir=model_dir, ingest_schedule=False)
    with open_store(settings) as store, TestClient(create_app(settings, store)) as client:
        page = client.get("/signin")
        # Said before anyone types an address: no form to fill in, and how the operator makes a link.
        assert (
            "Mail is not set up on this hub" in page.text
            and "paperwire signin-link you@example.org" in page.text
        )
        assert 'action="/api/signin"' not in page.text
        token = client.get("/api/csrf").json()["csrf_token"]
        sent = client.post("/api/signin", json={"email": "a@example.org"}, headers={"X-CSRF-Token": token})
        assert sent.status_code == 503
        assert "no mail server set up (PAPERWIRE_SMTP_URL)" in sent.json()["error"]["message"]
        assert "`paperwire signin-link EMAIL`" in sent.json()["error"]["message"]


def test_profile_lists_my_votes_submissions_and_comments(hub):
    client = hub.sign_in("reader@example.org")
    token = TOKEN.search(client.get("/").text).group(1)
    client.post("/api/papers/2503.10002/vote", data={"csrf_token": token})
    client.post("/api/papers/2503.10003/comments", data={"csrf_token": token, "body": "Nice *work*"})
    client.post("/api/papers", data={"csrf_token": token, "ref": "2503.10009"})
    data = client.get("/profile.json").json()
    assert data["username"] == "reader" and data["upvoted"] == ["2503.10002"]
    assert data["submitted"][0]["paper_id"] == "2503.10009"
    assert data["comments"][0]["body"] == "Nice *work*"
    page = client.get("/profile").text
    assert "Diffusion models for images" in page and "Linked papers" in page
    assert hub.client.get("/profile.json").status_code == 200  # the same client is signed in
    assert hub.new_client().get("/profile.json").status_code == 401


def test_the_embedded_hub_keeps_one_generated_secret(tmp_path):
    settings = load_settings(data_dir=tmp_path)
    key = resolve_secret_key(settings)
    assert len(key) >= 32 and resolve_secret_key(settings) == key
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_server_mode_refuses_to_start_without_a_secret(tmp_path):
    settings = load_settings(data_dir=tmp_path, database_url="postgresql://u@localhost/db")
    with pytest.raises(PaperwireError, match="PAPERWIRE_SECRET_KEY"):
        resolve_secret_key(settings)
    given = load_settings(data_dir=tmp_path, database_url="postgresql://u@localhost/db", secret_key="k" * 40)
    assert resolve_secret_key(given) == "k" * 40


def test_serve_in_server_mode_refuses_to_start_without_a_secret(postgres, run_cli):
    url = postgres.new_database()
    try:
        done = run_cli("serve", "--port", "0", env={"PAPERWIRE_DATABASE_URL": url})
        assert done.returncode == 1
        assert done.stderr.strip().startswith("Error: PAPERWIRE_SECRET_KEY: server mode needs a secret")
        assert done.stderr.strip().count("\n") == 0
    finally:
        postgres.drop_database(url)


def test_api_clients_get_a_csrf_token_without_a_page(hub):
    client = hub.sign_in("api@example.org", hub.new_client())
    fresh = hub.new_client()
    fresh.cookies.set("pw_session", client.cookies.get("pw_session"))
    token = fresh.get("/api/csrf").json()["csrf_token"]
    r = fresh.post("/api/papers/2503.10002/vote", json={}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["upvotes"] == 1


def test_strangers_cannot_lock_an_address_out(hub):
    """Issue 21: five sign-in requests from five addresses locked any address out for an hour."""
    victim = "victim@example.org"
    from fastapi.testclient import TestClient

    for n in range(12):  # twelve strangers, from twelve IP addresses, each within its own limits
        stranger = TestClient(hub.app, client=(f"203.0.113.{n}", 50000))
        token = TOKEN.search(stranger.get("/signin").text).group(1)
        r = stranger.post("/api/signin", json={"email": victim}, headers={"X-CSRF-Token": token})
        assert r.status_code == 200, r.text
    mailed = hub.inbox.wait_for(10)
    assert len([m for m in mailed if m["To"] == victim]) == 10  # signin_mail=10/900: the mail slows...
    # ...but the owner is never refused: past the cap the answer points at the links in the inbox.
    token = hub.token()
    r = hub.client.post("/api/signin", json={"email": victim}, headers={"X-CSRF-Token": token})
    assert (
        r.status_code == 200
        and r.json()["sent"] is False
        and "newest one in your inbox" in r.json()["message"]
    )
    page = hub.client.post("/api/signin", data={"email": victim, "csrf_token": token})
    assert page.status_code == 200 and "No new link was sent" in page.text
    # and a link the strangers caused still signs the owner in
    link = LINK.search(mailed[-1].get_content()).group(1)
    assert hub.client.get(link.replace(str(services(hub.app).settings.base_url), "")).status_code == 200


def test_a_429_says_when_to_retry(hub):
    token = hub.token()
    for _ in range(5):
        hub.client.post("/api/signin", json={"email": "again@example.org"}, headers={"X-CSRF-Token": token})
    r = hub.client.post("/api/signin", json={"email": "again@example.org"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    assert 0 < int(r.headers["Retry-After"]) <= 3600
