"""Subscriptions over HTTP: double opt-in, settings by signed link or session, and one-click unsubscribe
exactly as a mailbox provider sends it, followed by a real digest run."""

import re
from datetime import date
from urllib.parse import urlsplit

import pytest

from paperwire.digests.links import SubscriptionLinks
from paperwire.digests.send import DigestSender
from paperwire.mail import Mailer
from paperwire.web.security import resolve_secret_key
from paperwire.web.services import services
from tests.support.hub import TOKEN, make_hub

CONFIRM = re.compile(r"(http://\S+/subscribe/confirm\?token=\S+)")
MANAGE = re.compile(r"(http://\S+/subscription\?token=\S+)")
SETTINGS_PATH = re.compile(r'href="(/subscription\?token=[^"]+)"')
FORM = {
    "frequency": "daily",
    "weekday": "0",
    "send_time": "07:00",
    "timezone": "UTC",
    "trending": "5",
    "for_you": "1",
    "max_papers": "20",
    "topics": "",
    "authors": "",
    "categories": "",
}


def local(url: str) -> str:
    """A link from a mail (it names the hub's public URL) as a path for the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def form_fields(page: str) -> dict:
    return dict(re.findall(r'name="([\w-]+)" value="([^"]*)"', page))


def subscribe(hub, client, email: str, **fields):
    """The subscribe form, filled in and sent; returns the answer."""
    page = client.get("/subscribe", params={"email": email})
    token = TOKEN.search(page.text).group(1)
    data = {**FORM, "for_you": ["0", "1"], **fields, "email": email, "csrf_token": token}
    return client.post("/api/subscriptions", data=data)


def confirm(hub, client, link: str):
    """Open a confirmation link and press its button."""
    page = client.get(local(link))
    assert page.status_code == 200, page.text
    return client.post("/api/subscriptions/confirm", data=form_fields(page.text))


def subscribed(hub, email: str, **fields) -> str:
    """A confirmed subscriber, through the web; returns the settings page's path (a signed link)."""
    client = hub.new_client()
    before = len(hub.inbox.messages)
    assert subscribe(hub, client, email, **fields).status_code == 200
    link = CONFIRM.search(hub.inbox.wait_for(before + 1)[-1].get_content()).group(1)
    done = confirm(hub, client, link)
    assert done.status_code == 200 and "You are subscribed" in done.text
    return SETTINGS_PATH.search(done.text).group(1).replace("&amp;", "&")


def sender(hub) -> DigestSender:
    settings = services(hub.app).settings
    store = hub.store
    return DigestSender(settings, store, Mailer.from_settings(settings), None, resolve_secret_key(settings))


def csrf(client) -> str:
    return client.get("/api/csrf").json()["csrf_token"]


# -- subscribing --------------------------------------------------------------------------------


def test_double_opt_in_sends_nothing_but_the_confirmation_until_confirmed(hub):
    client = hub.new_client()
    home = client.get("/")
    assert 'action="/subscribe"' in home.text and TOKEN.search(home.text) is None  # cacheable: no token
    page = client.get("/subscribe", params={"email": "ada@example.org"})
    assert 'value="ada@example.org"' in page.text and TOKEN.search(page.text)

    sent = subscribe(hub, client, "Ada@Example.org", categories="cs.LG, cs.CV", authors="Alan Turing\n")
    assert sent.status_code == 200 and "Check your email" in sent.text and "ada@example.org" in sent.text
    message = hub.inbox.wait_for(1)[0]
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Confirm your Paperwire digest subscription"
    sub = hub.store.subscriptions.find_subscription("ada@example.org")
    assert sub.status == "pending" and sub.categories == ["cs.LG", "cs.CV"] and sub.authors == ["Alan Turing"]

    # Unconfirmed: a digest run for a day full of matching papers sends nothing.
    assert sender(hub).run(day=date(2025, 3, 18)).sent == 0
    link = CONFIRM.search(message.get_content()).group(1)
    page = client.get(local(link))  # a mail scanner's GET
    assert page.status_code == 200 and "Confirm my subscription" in page.text
    assert hub.store.subscriptions.find_subscription("ada@example.org").status == "pending"
    assert page.headers["referrer-policy"] == "no-referrer"

    done = client.post("/api/subscriptions/confirm", data=form_fields(page.text))
    assert done.status_code == 200 and "You are subscribed" in done.text
    assert hub.store.subscriptions.find_subscription("ada@example.org").status == "active"
    again = hub.new_client().post(
        "/api/subscriptions/confirm", data=form_fields(page.text) | {"csrf_token": ""}
    )
    assert again.status_code == 403  # a confirmation is a write: it needs the page's CSRF token
    twice = client.post("/api/subscriptions/confirm", data=form_fields(page.text))
    assert twice.status_code == 200 and "You are subscribed" in twice.text
    assert len(hub.inbox.messages) == 1

    report = sender(hub).run(day=date(2025, 3, 18))
    assert report.sent == 1
    digest = hub.inbox.wait_for(2)[1]
    assert digest["To"] == "ada@example.org" and "2503.10002" in digest.get_body(("plain",)).get_content()


def test_json_subscribe_and_confirm(hub):
    client = hub.new_client()
    body = {"email": "api@example.org", "topics": ["graph networks"], "for_you": True, "frequency": "weekly"}
    r = client.post("/api/subscriptions", json=body, headers={"X-CSRF-Token": csrf(client)})
    assert r.status_code == 202 and r.json() == {"status": "confirmation_sent", "email": "api@example.org"}
    sub = hub.store.subscriptions.find_subscription("api@example.org")
    assert (sub.status, sub.frequency, sub.topics) == ("pending", "weekly", ["graph networks"])
    token = CONFIRM.search(hub.inbox.wait_for(1)[0].get_content()).group(1).split("token=")[1]
    r = client.post(
        "/api/subscriptions/confirm", json={"token": token}, headers={"X-CSRF-Token": csrf(client)}
    )
    assert r.status_code == 200 and r.json() == {"status": "active", "email": "api@example.org"}


def test_a_subscribed_address_gets_the_same_answer_and_a_mail_instead(hub):
    subscribed(hub, "ada@example.org", categories="cs.LG")
    stranger = hub.new_client()
    known = subscribe(hub, stranger, "ada@example.org", categories="cs.AI", timezone="Asia/Tokyo")
    unknown = subscribe(hub, stranger, "new@example.org", categories="cs.AI")
    assert known.status_code == unknown.status_code == 200
    main = re.compile(r"<main.*</main>", re.S)
    assert main.search(known.text).group(0) == main.search(unknown.text).group(0).replace(
        "new@example.org", "ada@example.org"
    )
    headers = {"X-CSRF-Token": csrf(stranger)}
    answers = [
        stranger.post("/api/subscriptions", json={"email": e}, headers=headers)
        for e in ("ada@example.org", "other@example.org")
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json() == {"status": "confirmation_sent", "email": "ada@example.org"}
    mails = hub.inbox.wait_for(5)
    to_ada = [m for m in mails if m["To"] == "ada@example.org"]
    assert [m["Subject"] for m in to_ada[1:]] == ["You are subscribed already"] * 2
    assert MANAGE.search(to_ada[1].get_content())
    sub = hub.store.subscriptions.find_subscription("ada@example.org")
    assert (sub.status, sub.categories, sub.timezone) == ("active", ["cs.LG"], "UTC")  # untouched


def test_bad_preferences_are_explained(hub):
    client = hub.new_client()
    page = subscribe(hub, client, "ada@example.org", timezone="Mars/Olympus", topics="graph networks")
    assert page.status_code == 400 and 'role="alert"' in page.text
    assert "unknown time zone &#39;Mars/Olympus&#39;" in page.text
    assert 'value="Mars/Olympus"' in page.text and ">graph networks</textarea>" in page.text
    assert 'value="ada@example.org"' in page.text
    headers = {"X-CSRF-Token": csrf(client)}
    for body, message in [
        ({"email": "a@example.org", "frequency": "hourly"}, "frequency must be daily or weekly"),
        ({"email": "a@example.org", "trending": 99}, "trending must be between 0 and 20, not 99"),
        ({"email": "a@example.org", "topics": "not a list"}, None),
        ({"email": "a@example.org", "topics": [1, 2]}, "topics must be a list of strings"),
        ({"email": "a@example.org", "categories": ["not a category!"]}, "not an arXiv category"),
        ({"email": "a@example.org", "send_time": "25:00"}, "send time must be a time of day"),
        ({"email": "a@example.org", "for_you": "maybe"}, "for_you must be true or false"),
        ({"email": ["a@example.org"]}, "email must be a string"),
        ({}, "enter your email address"),
    ]:
        r = client.post("/api/subscriptions", json=body, headers=headers)
        if message is None:  # a string is one topic a line: accepted
            assert r.status_code == 202
            continue
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request", body
        assert message in r.json()["error"]["message"], (body, r.json())
    r = client.post(
        "/api/subscriptions", content=b"[1]", headers={**headers, "content-type": "application/json"}
    )
    assert r.status_code == 400 and "JSON object" in r.json()["error"]["message"]
    assert [m["To"] for m in hub.inbox.wait_for(1)] == ["a@example.org"]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("a@b.org\r\nBcc: x@evil.org", "is not an email address"),
        ("a@b.org\nBcc: x@evil.org", "is not an email address"),
        ("x" * 290 + "@example.org", "is not an email address"),
        ("a@example.org, b@example.org", "is not an email address"),
        ("<a@example.org>", "is not an email address"),
        ("a\x00b@example.org", "cannot contain control characters"),
        ("a\x1bb@example.org", "cannot contain control characters"),
        ("a\u202eb@example.org", "cannot contain control characters (nor invisible ones)"),
    ],
)
def test_hostile_addresses_are_refused(hub, email, message):
    client = hub.new_client()
    r = client.post("/api/subscriptions", json={"email": email}, headers={"X-CSRF-Token": csrf(client)})
    assert r.status_code == 400 and message in r.json()["error"]["message"]
    page = subscribe(hub, client, email)
    assert page.status_code == 400 and message in page.text and 'role="alert"' in page.text
    assert hub.store.subscriptions.subscriptions() == [] and hub.inbox.messages == []


def test_unicode_addresses_are_refused_or_stored_in_one_ascii_form(hub):
    client = hub.new_client()
    headers = {"X-CSRF-Token": csrf(client)}
    r = client.post("/api/subscriptions", json={"email": "j\u00f6e@example.org"}, headers=headers)
    assert r.status_code == 400 and "non-ASCII characters before the @ are not supported" in r.text
    for typed in ("Ada@Ex\u00e4mple.org", "ada@exa\u0308mple.org"):  # composed, then decomposed
        r = client.post("/api/subscriptions", json={"email": typed}, headers=headers)
        assert r.status_code == 202 and r.json()["email"] == "ada@xn--exmple-cua.org"
    assert [s.email for s in hub.store.subscriptions.subscriptions()] == ["ada@xn--exmple-cua.org"]
    assert [m["To"] for m in hub.inbox.wait_for(2)] == ["ada@xn--exmple-cua.org"] * 2


@pytest.fixture
def limited_hub(tmp_path, model_dir, smtp_inbox, backend, database_url):
    hub, store = make_hub(
        tmp_path,
        model_dir,
        smtp_inbox,
        database_url=database_url,
        rate_limits="subscribe=2/3600,subscribe_ip=3/3600",
    )
    with hub.client:
        yield hub
    store.close()


def test_subscribing_is_rate_limited_per_address_and_per_ip(limited_hub):
    hub = limited_hub
    client = hub.new_client()
    headers = {"X-CSRF-Token": csrf(client)}
    codes = [
        client.post("/api/subscriptions", json={"email": "spam@example.org"}, headers=headers).status_code
        for _ in range(3)
    ]
    assert codes == [202, 202, 429]
    other = client.post("/api/subscriptions", json={"email": "other@example.org"}, headers=headers)
    assert other.status_code == 429 and other.json()["error"]["code"] == "rate_limited"
    assert "subscribe_ip" in other.json()["error"]["message"]
    page = subscribe(hub, client, "third@example.org")
    assert page.status_code == 429 and "too many requests" in page.text
    assert len(hub.inbox.wait_for(2)) == 2
    assert hub.store.subscriptions.find_subscription("other@example.org") is None


def test_without_smtp_subscribing_says_so(tmp_path, model_dir):
    from fastapi.testclient import TestClient

    from paperwire.settings import load_settings
    from paperwire.storage import open_store
    from paperwire.web import create_app

    settings = load_settings(data_dir=tmp_path / "d", model_dir=model_dir, ingest_schedule=False)
    with open_store(settings) as store, TestClient(create_app(settings, store)) as client:
        token = TOKEN.search(client.get("/subscribe").text).group(1)
        page = client.post("/api/subscriptions", data={**FORM, "email": "a@example.org", "csrf_token": token})
        assert page.status_code == 503 and "PAPERWIRE_SMTP_URL" in page.text and 'role="alert"' in page.text
        r = client.post(
            "/api/subscriptions", json={"email": "a@example.org"}, headers={"X-CSRF-Token": token}
        )
        assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable"


# -- settings -----------------------------------------------------------------------------------


def test_settings_by_signed_link(hub):
    path = subscribed(hub, "ada@example.org", categories="cs.LG")
    client = hub.new_client()  # the link alone, no session
    page = client.get(path)
    assert page.status_code == 200 and "Active" in page.text and "ada@example.org" in page.text
    assert 'value="cs.LG"' in page.text
    assert client.get(path.replace("/subscription?", "/subscription.json?")).json()["categories"] == ["cs.LG"]

    fields = form_fields(page.text)
    assert fields["token"] and fields["csrf_token"]
    data = {**FORM, "for_you": "0", "csrf_token": fields["csrf_token"], "token": fields["token"]}
    data |= {"frequency": "weekly", "weekday": "4", "send_time": "18:30", "timezone": "Europe/Paris"}
    data |= {"topics": "graph networks\r\n\r\ndiffusion", "categories": "cs.CV cs.AI", "trending": "0"}
    saved = client.post("/api/subscription", data=data, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == path + "&saved=1"
    sub = hub.store.subscriptions.find_subscription("ada@example.org")
    assert (sub.frequency, sub.weekday, sub.send_time, sub.timezone) == ("weekly", 4, "18:30", "Europe/Paris")
    assert (sub.topics, sub.categories, sub.trending, sub.for_you) == (
        ["graph networks", "diffusion"],
        ["cs.CV", "cs.AI"],
        0,
        False,
    )
    assert "saved" in client.get(saved.headers["location"]).text

    bad = client.post("/api/subscription", data={**data, "max_papers": "500"})
    assert bad.status_code == 400 and "max_papers must be between 1 and 50, not 500" in bad.text
    assert 'value="500"' in bad.text
    assert hub.store.subscriptions.find_subscription("ada@example.org").max_papers == 20

    # JSON: the fields sent change, the others stay.
    headers = {"X-CSRF-Token": csrf(client)}
    r = client.post("/api/subscription", json={"token": fields["token"], "max_papers": 7}, headers=headers)
    assert r.status_code == 200 and r.json()["max_papers"] == 7 and r.json()["timezone"] == "Europe/Paris"

    # Unsubscribe, then subscribe again from the same link: the link proves the address, no mail.
    before = len(hub.inbox.messages)
    fields = form_fields(client.get(path).text)
    stop = {"csrf_token": fields["csrf_token"], "token": fields["token"]}
    assert client.post("/api/subscription/unsubscribe", data=stop).status_code == 200
    assert hub.store.subscriptions.find_subscription("ada@example.org").status == "unsubscribed"
    assert "Subscribe again" in client.get(path).text
    r = client.post("/api/subscription/resubscribe", json={"token": fields["token"]}, headers=headers)
    assert r.json() == {"status": "active", "email": "ada@example.org"}
    assert len(hub.inbox.messages) == before


def test_settings_by_session_show_only_my_own(hub):
    subscribed(hub, "ada@example.org", authors="Grace Hopper")
    ada = hub.sign_in("ada@example.org", hub.new_client())
    assert 'href="/subscription"' in ada.get("/profile").text
    page = ada.get("/subscription")
    assert page.status_code == 200 and "Grace Hopper" in page.text and 'name="token"' not in page.text
    data = {
        **FORM,
        "csrf_token": form_fields(page.text)["csrf_token"],
        "authors": "Grace Hopper\nAda Lovelace",
    }
    assert ada.post("/api/subscription", data=data, follow_redirects=False).status_code == 303
    assert hub.store.subscriptions.find_subscription("ada@example.org").authors == [
        "Grace Hopper",
        "Ada Lovelace",
    ]
    assert ada.get("/subscription.json").json()["email"] == "ada@example.org"

    bob = hub.sign_in("bob@example.org", hub.new_client())
    page = bob.get("/subscription")
    assert page.status_code == 200 and "no digest subscription" in page.text and "ada@" not in page.text
    assert bob.get("/subscription.json").status_code == 404
    headers = {"X-CSRF-Token": csrf(bob)}
    for route in ("/api/subscription", "/api/subscription/unsubscribe", "/api/subscription/resubscribe"):
        assert bob.post(route, json={"authors": ["Bob"]}, headers=headers).status_code == 404
    assert hub.store.subscriptions.find_subscription("ada@example.org").authors == [
        "Grace Hopper",
        "Ada Lovelace",
    ]

    anonymous = hub.new_client()
    assert (
        anonymous.get("/subscription", follow_redirects=False).headers["location"]
        == "/signin?next=/subscription"
    )
    assert anonymous.get("/subscription.json").status_code == 401
    r = anonymous.post("/api/subscription", json={}, headers={"X-CSRF-Token": csrf(anonymous)})
    assert r.status_code == 401


def test_links_that_are_not_ours_or_revoked_are_refused(hub):
    client = hub.new_client()
    subscribe(hub, client, "ada@example.org")
    first = CONFIRM.search(hub.inbox.wait_for(1)[0].get_content()).group(1)
    sub = hub.store.subscriptions.find_subscription("ada@example.org")
    links = services(hub.app).subscription_links
    old = {
        "confirm": links.confirm_token(sub.id, sub.nonce),
        "manage": links.manage_token(sub.id, sub.nonce),
        "unsubscribe": links.unsubscribe_token(sub.id, sub.nonce),
    }
    subscribe(hub, client, "ada@example.org")  # asking again sends a new link and revokes the old ones
    second = CONFIRM.search(hub.inbox.wait_for(2)[1].get_content()).group(1)
    assert confirm(hub, client, second).status_code == 200
    sub = hub.store.subscriptions.find_subscription("ada@example.org")
    assert sub.status == "active"

    other_key = SubscriptionLinks("another-hub-key-" + "y" * 32, "http://127.0.0.1:8000")
    forged = {
        "confirm": other_key.confirm_token(sub.id, sub.nonce),
        "manage": other_key.manage_token(sub.id, sub.nonce),
        "unsubscribe": other_key.unsubscribe_token(sub.id, sub.nonce),
    }
    good = {
        "manage": links.manage_token(sub.id, sub.nonce),
        "unsub": links.unsubscribe_token(sub.id, sub.nonce),
    }
    garbled = good["manage"][:-3] + ("xyz" if not good["manage"].endswith("xyz") else "abc")
    wrong_kind = links.confirm_token(sub.id, sub.nonce)  # a confirmation token is no settings link
    headers = {"X-CSRF-Token": csrf(client)}
    for kind, token, message in [
        ("confirm", first.split("token=")[1], "no longer valid"),
        ("confirm", forged["confirm"], "not valid"),
        ("confirm", "garbage", "not valid"),
        ("manage", old["manage"], "no longer valid"),
        ("manage", forged["manage"], "not valid"),
        ("manage", garbled, "not valid"),
        ("manage", wrong_kind, "not valid"),
        ("unsubscribe", old["unsubscribe"], "no longer valid"),
        ("unsubscribe", forged["unsubscribe"], "not valid"),
        ("unsubscribe", good["manage"], "not valid"),
    ]:
        if kind == "confirm":
            answers = [
                client.get("/subscribe/confirm", params={"token": token}),
                client.post("/api/subscriptions/confirm", json={"token": token}, headers=headers),
            ]
        elif kind == "manage":
            answers = [
                client.get("/subscription", params={"token": token}),
                client.get("/subscription.json", params={"token": token}),
                client.post("/api/subscription", json={"token": token, "trending": 0}, headers=headers),
                client.post("/api/subscription/unsubscribe", json={"token": token}, headers=headers),
            ]
        else:
            answers = [
                client.get(f"/unsubscribe/{token}"),
                hub.new_client().post(f"/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click"),
            ]
        for r in answers:
            assert r.status_code == 400 and message in r.text, (kind, token, r.request.url, r.text[:300])
    now = hub.store.subscriptions.find_subscription("ada@example.org")
    assert (now.status, now.trending, now.nonce) == ("active", 5, sub.nonce)

    # An old confirmation link cannot start a subscription its owner stopped since.
    assert hub.new_client().post(f"/unsubscribe/{good['unsub']}").status_code == 200
    fresh = links.confirm_token(sub.id, sub.nonce)
    r = client.post("/api/subscriptions/confirm", json={"token": fresh}, headers=headers)
    assert r.status_code == 400 and "unsubscribed" in r.json()["error"]["message"]
    assert hub.store.subscriptions.find_subscription("ada@example.org").status == "unsubscribed"


# -- one-click unsubscribe ----------------------------------------------------------------------


def test_one_click_unsubscribe_as_a_mailbox_provider_sends_it(hub):
    subscribed(hub, "ada@example.org", categories="cs.LG cs.CL")
    subscribed(hub, "bob@example.org", categories="cs.LG cs.CL")
    assert sender(hub).run(day=date(2025, 3, 18)).sent == 2
    digests = {m["To"]: m for m in hub.inbox.wait_for(4)[2:]}
    mail = digests["ada@example.org"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(http://\S+)>", mail["List-Unsubscribe"]).group(1)

    # Following the link shows a button; the GET itself changes nothing.
    page = hub.new_client().get(local(url))
    assert page.status_code == 200 and "Unsubscribe" in page.text and "ada@example.org" in page.text
    assert hub.store.subscriptions.find_subscription("ada@example.org").status == "active"

    # RFC 8058: a POST with this body and nothing else: no cookies, no CSRF token.
    provider = hub.new_client()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    r = provider.post(local(url), content=b"List-Unsubscribe=One-Click", headers=headers)
    assert r.status_code == 200 and "You are unsubscribed" in r.text
    assert not provider.cookies
    assert hub.store.subscriptions.find_subscription("ada@example.org").status == "unsubscribed"
    again = hub.new_client().post(local(url), headers={"accept": "application/json"})  # empty body, twice
    assert again.status_code == 200 and again.json() == {"status": "unsubscribed", "email": "ada@example.org"}
    bad = hub.new_client().post(local(url) + "x", headers={"accept": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"

    report = sender(hub).run(day=date(2025, 3, 19))
    assert report.sent == 1
    assert [m["To"] for m in hub.inbox.wait_for(5)[4:]] == ["bob@example.org"]
    assert hub.store.subscriptions.find_subscription("bob@example.org").status == "active"
