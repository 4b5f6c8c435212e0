"""The daily, week, month and trending pages, their JSON twins, and /api/daily_papers."""

import re
from datetime import UTC, datetime

import pytest

from paperwire.models.announcements import AnnouncementDay
from paperwire.web.services import services


def ids_on(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'class="title[^"]*" href="/papers/([^"]+)"', html)))


def vote(hub, client, paper_id):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
    assert (
        client.post(f"/api/papers/{paper_id}/vote", json={}, headers={"X-CSRF-Token": token}).status_code
        == 200
    )


def test_home_shows_the_newest_day_with_papers(hub):
    page = hub.client.get("/")
    assert page.status_code == 200 and "Wednesday 19 March 2025" in page.text
    assert ids_on(page.text) == ["2503.10008", "2503.10007", "2503.10006", "2503.10005"]
    assert 'href="/date/2025-03-18"' in page.text  # the previous day with papers


def test_a_day_is_ranked_by_upvotes(hub):
    a = hub.sign_in("a@example.org")
    b = hub.sign_in("b@example.org", hub.new_client())
    vote(hub, a, "2503.10002")
    vote(hub, a, "2503.10004")
    vote(hub, b, "2503.10004")
    page = hub.new_client().get("/date/2025-03-18")
    assert ids_on(page.text) == ["2503.10004", "2503.10002", "2503.10003"]
    assert 'href="/date/2025-03-17"' in page.text and 'href="/date/2025-03-19"' in page.text
    assert re.search(r'next=/papers/2503\.10004"[^>]*>▲ <span class="count">2</span>', page.text)
    mine = a.get("/date/2025-03-18").text
    assert mine.count('aria-pressed="true"') == 2  # a's own votes show as pressed
    data = hub.client.get("/date/2025-03-18.json").json()
    assert data["total"] == 3 and [p["paper"]["id"] for p in data["papers"]] == ids_on(page.text)
    assert data["papers"][0]["paper"]["upvotes"] == 2


def test_days_without_papers_say_why(hub):
    saturday = hub.client.get("/date/2025-03-22")
    assert saturday.status_code == 200 and "Saturdays and Sundays" in saturday.text
    hub.store.announcements.record(AnnouncementDay("cs.LG", datetime(2025, 3, 21).date(), False), {})
    friday = hub.client.get("/date/2025-03-21")
    assert "arXiv made no announcement on this day" in friday.text
    assert 'href="/date/2025-03-19"' in friday.text  # back to the last day with papers
    assert "No papers were announced" in hub.client.get("/date/2025-03-12").text


@pytest.mark.parametrize("path", ["/date/2025-02-30", "/date/yesterday", "/week/2025-W60", "/month/2025-13"])
def test_bad_periods_are_400(hub, path):
    r = hub.client.get(path)
    assert r.status_code == 400 and "<h1>400</h1>" in r.text
    r = hub.client.get(path + ".json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"


def test_weeks_and_months(hub):
    week = hub.client.get("/week/2025-W12")
    assert week.status_code == 200 and len(ids_on(week.text)) == 8
    assert 'href="/week/2025-W11"' in week.text and 'href="/week/2025-W13"' in week.text
    month = hub.client.get("/month/2025-03.json").json()
    assert month["period"] == {
        "kind": "month",
        "label": "2025-03",
        "start": "2025-03-01",
        "end": "2025-03-31",
    }
    assert month["total"] == 8


def test_trending_decays_with_age(hub):
    a = hub.sign_in("a@example.org")
    b = hub.sign_in("b@example.org", hub.new_client())
    vote(hub, a, "2503.10001")  # Monday: 2 votes, two days old
    vote(hub, b, "2503.10001")
    vote(hub, a, "2503.10005")  # Wednesday: 1 vote, today for the trending window
    order = [p["paper"]["id"] for p in hub.client.get("/trending.json").json()["papers"]]
    # 1 / 2^1.5 = 0.354 beats 2 / 4^1.5 = 0.25: the newer paper trends above the older one.
    assert order[:2] == ["2503.10005", "2503.10001"]
    page = hub.client.get("/trending")
    assert page.status_code == 200 and ids_on(page.text)[:2] == order[:2]


def test_pages_are_cached_for_visitors_until_something_changes(hub):
    first = hub.client.get("/date/2025-03-18").text
    assert hub.client.get("/date/2025-03-18").text == first
    a = hub.sign_in("a@example.org", hub.new_client())
    vote(hub, a, "2503.10003")
    assert ids_on(hub.new_client().get("/date/2025-03-18").text)[0] == "2503.10003"


def test_categories_and_authors(hub):
    page = hub.client.get("/categories/cs.CV")
    assert ids_on(page.text) == ["2503.10004", "2503.10002"]
    assert '<h1>Computer Vision and Pattern Recognition <span class="meta">(cs.CV)</span></h1>' in page.text
    assert "2 papers · Newest first" in page.text
    data = hub.client.get("/categories/cs.CV.json").json()
    assert data["full_name"] == "Computer Vision and Pattern Recognition" and data["count"] == 2
    assert "<h1>Category cs.XX</h1>" in hub.client.get("/categories/cs.XX").text  # not in the table
    assert hub.client.get("/categories/cs.CV.json").json()["papers"][0]["paper"]["id"] == "2503.10004"
    page = hub.client.get("/authors/Ada%20Lovelace")
    assert ids_on(page.text) == ["2503.10004", "2503.10001"]
    assert "No papers here" in hub.client.get("/authors/Nobody").text


def test_the_hf_daily_papers_api(hub):
    c = hub.client
    items = c.get("/api/daily_papers", params={"date": "2025-03-18"}).json()
    assert {i["paper"]["id"] for i in items} == {"2503.10002", "2503.10003", "2503.10004"}
    item = items[0]
    assert set(item) >= {"paper", "publishedAt", "title", "summary", "numComments", "submittedBy"}
    assert item["publishedAt"].startswith("2025-03-18T")
    page1 = c.get("/api/daily_papers", params={"week": "2025-W12", "limit": 3}).json()
    page2 = c.get("/api/daily_papers", params={"week": "2025-W12", "limit": 3, "p": 1}).json()
    assert len(page1) == len(page2) == 3
    assert not {i["paper"]["id"] for i in page1} & {i["paper"]["id"] for i in page2}
    assert len(c.get("/api/daily_papers", params={"month": "2025-03"}).json()) == 8
    assert len(c.get("/api/daily_papers").json()) == 8  # the latest 30 days
    assert c.get("/api/daily_papers", params={"date": "2025-03-18", "sort": "trending"}).status_code == 200


def test_submitter_filter(hub):
    client = hub.sign_in("curator@example.org")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
    client.post("/api/papers", json={"ref": "2503.10009"}, headers={"X-CSRF-Token": token})
    items = hub.client.get("/api/daily_papers", params={"submitter": "curator"}).json()
    assert [i["paper"]["id"] for i in items] == ["2503.10009"]
    assert items[0]["submittedBy"]["user"] == "curator"
    assert items[0]["paper"]["submittedOnDailyBy"]["user"] == "curator"
    assert datetime.fromisoformat(items[0]["publishedAt"].replace("Z", "+00:00")) <= datetime.now(UTC)


@pytest.mark.parametrize(
    "params,message",
    [
        ({"date": "2025-02-30"}, "not a calendar date"),
        ({"date": "2025-03-18", "week": "2025-W12"}, "at most one"),
        ({"sort": "random"}, "sort must be"),
        ({"limit": "1000"}, "limit"),
        ({"p": "-1"}, "p"),
        ({"week": "W12"}, "week must look like"),
    ],
)
def test_bad_daily_papers_requests_are_400(hub, params, message):
    r = hub.client.get("/api/daily_papers", params=params)
    assert r.status_code == 400 and message in r.json()["error"]["message"]


def test_an_empty_hub_says_how_to_get_papers(tmp_path, model_dir):
    from fastapi.testclient import TestClient

    from paperwire.settings import load_settings
    from paperwire.storage import open_store
    from paperwire.web import create_app

    settings = load_settings(data_dir=tmp_path / "d", model_dir=model_dir, ingest_schedule=False)
    with open_store(settings) as store, TestClient(create_app(settings, store)) as client:
        page = client.get("/")
        assert page.status_code == 200 and "paperwire import" in page.text and "paperwire ingest" in page.text
        assert "fetches the latest arXiv announcements" not in page.text  # its schedule is off
    settings = load_settings(data_dir=tmp_path / "d", model_dir=model_dir, ingest_schedule=True)
    with open_store(settings) as store, TestClient(create_app(settings, store)) as client:
        page = client.get("/")
        assert "With network access it fetches the latest arXiv announcements" in page.text
        assert client.get("/api/daily_papers").json() == []
        assert client.get("/trending").status_code == 200


def test_numbers_on_pages_have_thousands_separators(hub):
    from paperwire.papers import make_paper

    day = datetime(2025, 3, 20).date()
    hub.store.papers.upsert_papers(
        [
            make_paper(
                id=f"2503.2{i:04d}",
                title=f"Paper {i}",
                abstract="An abstract.",
                authors=["Many Authors"],
                categories=["cs.LG"],
                announced=day,
                published=day,
                source="arxiv-listing",
            )
            for i in range(1003)
        ]
    )
    assert "1,003 papers ·" in hub.client.get("/date/2025-03-20").text
    assert "1,006 papers ·" in hub.client.get("/categories/cs.LG?page=2").text  # and 3 of the week
    assert hub.client.get("/date/2025-03-20.json").json()["total"] == 1003  # JSON keeps plain numbers


def test_week_and_month_pages_link_their_feeds(hub):
    for path, feed in (("/week/2025-W12", "/feeds/week.atom"), ("/month/2025-03", "/feeds/month.atom")):
        page = hub.client.get(path).text
        assert (
            f'<link rel="alternate" type="application/atom+xml" title="Paperwire feed" href="{feed}">' in page
        )
        assert f'<a href="{feed}">Atom</a>' in page
    week = hub.client.get("/feeds/week.atom")
    assert week.status_code == 200 and week.headers["content-type"].startswith("application/atom+xml")
    assert "Week 12 of 2025" in week.text and week.text.count("<entry>") == 8
    month = hub.client.get("/feeds/month.rss")
    assert "March 2025" in month.text and month.text.count("<item>") == 8


def test_an_author_page_marks_the_author_instead_of_hiding_them(hub):
    from paperwire.papers import make_paper

    authors = ["A One", "B Two", "C Three", "D Four", "E Five", "Grace Hopper", "G Seven"]
    hub.store.papers.upsert_papers(
        [
            make_paper(
                id="2503.10050",
                title="Many hands",
                abstract="An abstract.",
                authors=authors,
                categories=["cs.CL"],
                announced=datetime(2025, 3, 18).date(),
                source="arxiv-listing",
            )
        ]
    )
    page = hub.client.get("/authors/Grace%20Hopper").text
    row = page[page.index("Many hands") :]
    row = row[: row.index("</li>")]
    assert ">A One</a>, " in row and '>C Three</a>, … <strong class="this-author">' in row
    assert 'aria-current="page">Grace Hopper</a></strong> et al.' in row and "D Four" not in row
    # elsewhere the list is as before: the first four, then et al.
    day = hub.client.get("/date/2025-03-18").text
    assert ">D Four</a> et al." in day and "this-author" not in day


def test_entries_show_their_extracts_once_indexed_and_the_hf_fields_carry_them(hub):
    from paperwire.search.indexer import embed_pending

    assert "Extracted summary" not in hub.client.get("/date/2025-03-18").text
    items = hub.client.get("/api/daily_papers", params={"date": "2025-03-18"}).json()
    assert [(i["paper"]["ai_summary"], i["paper"]["ai_keywords"]) for i in items] == [(None, [])] * 3
    assert hub.client.get("/api/papers/2503.10003").json()["ai_summary"] is None
    embed_pending(services(hub.app).search)
    page = hub.client.get("/date/2025-03-18").text  # the cached copy is stale: extracts move the counter
    assert page.count('<span class="extract-label"') == 3 and ">Extracted summary</span>" in page
    assert '<span class="tex">We study diffusion models for images in depth.</span>' in page
    assert "language models &amp; &lt;b&gt;reasoning&lt;/b&gt; in depth" in page  # escaped, like the title
    chips = re.findall(r'<li class="chip tex">([^<]*)</li>', page)
    assert chips and "diffusion models" in chips
    items = hub.client.get("/api/daily_papers", params={"date": "2025-03-18"}).json()
    by_id = {i["paper"]["id"]: i["paper"] for i in items}
    assert by_id["2503.10002"]["ai_summary"] == "We study diffusion models for images in depth."
    assert "diffusion models" in by_id["2503.10002"]["ai_keywords"]
    twin = hub.client.get("/date/2025-03-18.json").json()["papers"]
    assert {p["paper"]["id"]: p["paper"]["ai_keywords"] for p in twin} == {
        pid: p["ai_keywords"] for pid, p in by_id.items()
    }
    info = hub.client.get("/api/papers/2503.10002").json()
    assert (info["ai_summary"], info["ai_keywords"]) == (
        by_id["2503.10002"]["ai_summary"],
        by_id["2503.10002"]["ai_keywords"],
    )
    paper = hub.client.get("/papers/2503.10002").text
    assert ">Extracted summary</span>" in paper and '<li class="chip tex">diffusion models</li>' in paper
