"""Code links and stars in a real browser: the daily page and /trending?with=code, desktop and phone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from paperwire.models.repos import GithubRepo
from paperwire.settings import load_settings
from paperwire.storage import open_store
from tests.support.browser import PHONE, has_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser

ABSTRACTS = {
    "2503.30001": r"We release a very long-named toolkit. Code: \href{https://github.com/example-lab/a-rather-long-repository-name-for-phones}{here}.",
    "2503.30002": "Our code is available at https://github.com/example-lab/small.",
    "2503.30003": "No code for this one.",
}


def test_code_links_and_stars_on_desktop_and_phone(spawn_server, page):
    records = [
        {"id": pid, "title": f"Paper {pid} with a title long enough to wrap on a phone", "abstract": text,
         "authors": ["Ada Lovelace", "Alan Turing"], "categories": ["cs.LG"], "primary_category": "cs.LG",
         "first_listed_date": "2025-03-18", "listed_dates": ["2025-03-18"]}
        for pid, text in ABSTRACTS.items()
    ]  # fmt: skip
    server = spawn_server(records)
    with open_store(load_settings(data_dir=server.data_dir)) as store:
        name = "example-lab/a-rather-long-repository-name-for-phones"
        store.repos.save_github_repo(GithubRepo(name, name, "ok", 12_345, None, datetime.now(UTC)))
    page.goto(server.url + "/date/2025-03-18")
    entry = page.locator("li.paper", has_text="Paper 2503.30001")
    assert entry.locator("a.code").get_attribute("href") == f"https://github.com/{name}"
    assert entry.locator(".stars").inner_text() == "★ 12,345"
    assert page.locator("li.paper", has_text="Paper 2503.30003").locator("a.code").count() == 0
    screenshot(page, "daily-code")
    page.goto(server.url + "/trending?with=code")
    titles = page.locator("li.paper a.title").all_inner_texts()
    assert [t.split()[1] for t in titles] == ["2503.30001", "2503.30002"]
    screenshot(page, "trending-code")
    page.set_viewport_size(PHONE)
    for path, shot in (
        ("/trending?with=code", "phone-trending-code"),
        ("/date/2025-03-18", "phone-daily-code"),
    ):
        page.goto(server.url + path)
        screenshot(page, shot)
        assert not has_horizontal_scroll(page)
