"""The feeds over HTTP: each one parses as a valid feed, with GUIDs that stay put."""

import feedparser
import pytest

FEEDS = ["/feeds/daily", "/feeds/trending", "/feeds/categories/cs.LG", "/feeds/search?q=language"]


def _url(path: str, fmt: str) -> str:
    base, _, query = path.partition("?")
    return f"{base}.{fmt}" + (f"?{query}" if query else "")


@pytest.mark.parametrize("fmt,kind", [("atom", "atom10"), ("rss", "rss20")])
@pytest.mark.parametrize("path", FEEDS)
def test_every_feed_is_valid(hub, path, fmt, kind):
    r = hub.client.get(_url(path, fmt))
    assert r.status_code == 200 and r.headers["content-type"].startswith(f"application/{fmt}+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == kind and feed.entries
    for entry in feed.entries:
        assert entry.id.startswith("http://127.0.0.1:8000/papers/") and entry.title and entry.link


def test_guids_are_stable_as_votes_and_days_change(hub):
    before = {
        e.id: e.title
        for e in feedparser.parse(hub.client.get("/feeds/categories/cs.LG.atom").content).entries
    }
    client = hub.sign_in("a@example.org")
    token = client.get("/").text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/api/papers/2503.10001/vote", json={}, headers={"X-CSRF-Token": token})
    after = {
        e.id: e.title
        for e in feedparser.parse(hub.client.get("/feeds/categories/cs.LG.atom").content).entries
    }
    assert before == after
    daily = feedparser.parse(hub.client.get("/feeds/daily.atom").content)
    assert {e.id for e in daily.entries} == {
        f"http://127.0.0.1:8000/papers/2503.1000{i}" for i in (5, 6, 7, 8)
    }


def test_the_daily_page_links_its_feed(hub):
    page = hub.client.get("/").text
    assert 'type="application/atom+xml"' in page and "/feeds/daily.atom" in page


@pytest.mark.parametrize(
    "url,status", [("/feeds/search.atom", 400), ("/feeds/search.atom?q=%22", 200), ("/feeds/daily.json", 404)]
)
def test_bad_feed_requests(hub, url, status):
    assert hub.client.get(url).status_code == status
