"""End to end: a real chromium on a spawned `paperwire serve`, screenshots in test-artifacts/screenshots/.

The flow of a new member: ask for a magic link, read it from a real SMTP inbox, sign in, upvote and
take the vote back, comment, submit a paper (fetched from a local replay of arXiv's API), search,
and open a paper and one of its related papers.
"""

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.support.browser import PHONE, has_horizontal_scroll, screenshot, sign_in
from tests.support.replay import ReplayServer, api_route

pytestmark = pytest.mark.browser


@pytest.fixture
def arxiv():
    with ReplayServer() as server:
        server.routes["/api/query"] = api_route
        yield server


@pytest.fixture
def hub_server(spawn_server, smtp_inbox, arxiv):
    return spawn_server(
        PAPERWIRE_SMTP_URL=smtp_inbox.url,
        PAPERWIRE_ARXIV_API_URL=f"{arxiv.url}/api/query",
        PAPERWIRE_CONTACT_EMAIL="ops@example.org",
        PAPERWIRE_ARXIV_INTERVAL="0",
    )


def test_a_member_signs_in_votes_comments_submits_and_searches(hub_server, page, smtp_inbox, arxiv):
    url = hub_server.url
    sign_in(page, hub_server, smtp_inbox, "ada@example.org")
    screenshot(page, "daily")

    # Upvote, then take the vote back, without a reload (the page's script).
    page.goto(f"{url}/papers/2501.00001")
    vote = page.get_by_role("button", name="Upvote")
    vote.click()
    taken = page.get_by_role("button", name="Take back your upvote")
    expect(taken).to_have_attribute("aria-pressed", "true")
    expect(taken.locator(".count")).to_have_text("1")
    page.reload()
    expect(page.get_by_role("button", name="Take back your upvote").locator(".count")).to_have_text("1")
    page.get_by_role("button", name="Take back your upvote").click()
    expect(page.get_by_role("button", name="Upvote").locator(".count")).to_have_text("0")

    # Comment, in Markdown.
    page.get_by_label("Add a comment (Markdown)").fill("Message passing **works** here.")
    page.get_by_role("button", name="Comment").click()
    expect(page.locator(".comment .markdown strong")).to_have_text("works")

    # Submit a paper the hub does not have: it is fetched from (the replay of) arXiv's API.
    page.goto(f"{url}/submit")
    page.get_by_label("arXiv id or link").fill("https://arxiv.org/abs/2503.11701")
    page.get_by_role("button", name="Submit").click()
    expect(page).to_have_url(f"{url}/papers/2503.11701")
    expect(page.locator("dl.facts")).to_contain_text("by ada on")
    assert any(r.query.get("id_list") == "2503.11701" for r in arxiv.requests)
    page.goto(url)
    expect(page.locator("li.paper").filter(has_text="submitted by ada")).to_have_count(1)

    # Search, with the query's words highlighted.
    page.get_by_role("searchbox", name="Search papers").fill("molecular graphs")
    page.get_by_role("searchbox", name="Search papers").press("Enter")
    first = page.locator("ol.results li.paper").first
    expect(first.locator("a.title")).to_have_text("Graph neural networks for molecules")
    expect(first.locator("mark").first).to_be_visible()
    screenshot(page, "search")

    # A paper and its related papers (they appear once the background indexer has embedded them).
    first.locator("a.title").click()
    expect(page).to_have_url(f"{url}/papers/2501.00001")
    related = page.locator("ul.related a")
    deadline = time.monotonic() + 60
    while related.count() == 0 and time.monotonic() < deadline:
        time.sleep(1)
        page.reload()
    expect(related.first).to_be_visible()
    screenshot(page, "paper")
    title = related.first.inner_text()
    related.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_every_page_works_without_javascript(hub_server, browser, smtp_inbox):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, hub_server, smtp_inbox, "noscript@example.org")
        page.goto(f"{hub_server.url}/papers/2501.00002")
        page.get_by_role("button", name="Upvote").click()  # a plain form post and a redirect back
        expect(page.get_by_role("button", name="Take back your upvote").locator(".count")).to_have_text("1")
    finally:
        context.close()


def test_keyboard_reaches_the_vote_button(hub_server, page, smtp_inbox):
    sign_in(page, hub_server, smtp_inbox, "keys@example.org")
    page.goto(f"{hub_server.url}/papers/2501.00001")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == "Upvote":
            break
    else:
        pytest.fail("Tab never reached the upvote button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Take back your upvote")).to_be_visible()


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("daily", "/"),
        ("search", "/search?q=protein+folding"),
        ("paper", "/papers/2501.00001"),
        ("trending", "/trending"),
    ],
)
def test_pages_fit_a_phone_screen(live_server, page, name, path):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + path)
    screenshot(page, f"phone-{name}")
    assert not has_horizontal_scroll(page)


def test_dark_mode(live_server, browser):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/papers/2501.00001")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(22, 23, 26)"
        screenshot(page, "dark-paper")
    finally:
        context.close()


def test_no_asset_comes_from_another_host(live_server, page):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    for path in ["/", "/search?q=graph", "/papers/2501.00001", "/api/docs"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    assert hosts == {urlsplit(live_server.url).netloc}
    expect(page.locator(".swagger-ui")).to_be_visible()
