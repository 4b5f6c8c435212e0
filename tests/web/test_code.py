"""Code links and GitHub stars on the pages and in the Hugging Face-shaped API, and /trending?with=code."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from paperwire.models.repos import GithubRepo
from paperwire.papers import arxiv_links, make_paper

CODE = {  # id: (abstract, day, stars of its repository or None when not recorded)
    "2503.20001": ("Code: https://github.com/o/small.", date(2025, 3, 19), 12),
    "2503.20002": (r"At \href{https://github.com/o/big}{here}.", date(2025, 3, 18), 5_300),
    "2503.20003": ("Code: https://gitlab.com/g/sub/p.", date(2025, 3, 19), None),
    "2503.20004": ("Code: https://github.com/o/unchecked.git", date(2025, 3, 17), None),
}


@pytest.fixture
def coded(hub):
    hub.store.papers.upsert_papers(
        [
            make_paper(
                id=pid,
                title=f"Coded {pid}",
                source="arxiv-listing",
                abstract=text,
                announced=day,
                published=day,
                categories=["cs.LG"],
                links=arxiv_links(pid),
            )
            for pid, (text, day, _) in CODE.items()
        ]
    )
    at = datetime(2025, 3, 20, tzinfo=UTC)
    for name, stars in (("o/small", 12), ("o/big", 5_300)):
        hub.store.repos.save_github_repo(GithubRepo(name, name, "ok", stars, None, at))
    return hub


def ids_on(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'class="title[^"]*" href="/papers/([^"]+)"', html)))


def test_daily_entries_show_comments_submitter_and_code(coded):
    page = coded.client.get("/date/2025-03-18").text
    entry = page[page.index('href="/papers/2503.20002"') :].split("</li>")[0]
    assert '<a href="/papers/2503.20002#comments">0 comments</a>' in entry
    assert 'class="code" href="https://github.com/o/big" rel="nofollow noopener">Code</a>' in entry
    assert "★ 5,300" in entry
    plain = page[page.index('href="/papers/2503.10002"') :].split("</li>")[0]
    assert 'class="code"' not in plain and "0 comments" in plain
    items = {p["paper"]["id"]: p for p in coded.client.get("/date/2025-03-18.json").json()["papers"]}
    assert items["2503.20002"]["paper"]["githubRepo"] == "https://github.com/o/big"
    assert items["2503.20002"]["paper"]["githubStars"] == 5_300
    assert items["2503.10002"]["paper"]["githubRepo"] is None and items["2503.10002"]["numComments"] == 0


def test_the_hf_api_fills_githubrepo_and_githubstars(coded):
    item = coded.client.get("/api/papers/2503.20002").json()
    assert (item["githubRepo"], item["githubStars"], item["numComments"]) == (
        "https://github.com/o/big",
        5_300,
        0,
    )
    gitlab = coded.client.get("/api/papers/2503.20003").json()
    assert (gitlab["githubRepo"], gitlab["githubStars"]) == ("https://gitlab.com/g/sub/p", None)
    daily = coded.client.get("/api/daily_papers", params={"date": "2025-03-19"}).json()
    by_id = {d["paper"]["id"]: d["paper"] for d in daily}
    assert by_id["2503.20001"]["githubStars"] == 12 and by_id["2503.10005"]["githubStars"] is None
    page = coded.client.get("/papers/2503.20002").text
    assert 'href="https://github.com/o/big" rel="nofollow noopener">Code · ★ 5,300</a>' in page


def test_trending_with_code_ranks_by_stars(coded):
    page = coded.client.get("/trending?with=code")
    assert page.status_code == 200 and "Trending papers with code" in page.text
    # Stars first, most first; then the papers with code but no recorded stars, in trending order.
    assert ids_on(page.text) == ["2503.20002", "2503.20001", "2503.20003", "2503.20004"]
    data = coded.client.get("/trending.json", params={"with": "code"}).json()
    assert data["with"] == "code" and data["total"] == 4
    assert [p["paper"]["githubStars"] for p in data["papers"]] == [5_300, 12, None, None]
    assert len(ids_on(coded.client.get("/trending").text)) > 4  # every paper without it
    assert 'href="/trending?with=code"' in coded.client.get("/trending").text


def test_stars_recorded_later_show_on_a_cached_page(coded):
    assert "★ 5,300" in coded.client.get("/trending?with=code").text
    coded.store.repos.save_github_repo(GithubRepo("o/big", "o/big", "ok", 6_000, None, datetime.now(UTC)))
    assert "★ 6,000" in coded.client.get("/trending?with=code").text


@pytest.mark.parametrize("path", ["/trending?with=stars", "/trending.json?with=x"])
def test_a_bad_with_is_400(coded, path):
    assert coded.client.get(path).status_code == 400


def test_trending_with_code_on_a_hub_without_code_links(hub):
    page = hub.client.get("/trending?with=code")
    assert page.status_code == 200 and "No paper of the last 30 days links to its code." in page.text
