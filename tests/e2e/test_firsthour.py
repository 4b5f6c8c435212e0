"""End to end in a real chromium, on desktop and on a phone: the daily page, math rendered by the
bundled KaTeX, and signing in with a link from `paperwire signin-link` on a hub without mail."""

import pytest
from playwright.sync_api import expect

from paperwire.ingest.formats import export_record
from tests.support.browser import DESKTOP, PHONE, has_horizontal_scroll, screenshot
from tests.support.hub import papers_of_week
from tests.support.latex import math_paper

pytestmark = pytest.mark.browser
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def week_server(spawn_server):
    return spawn_server(records=[export_record(p) for p in [*papers_of_week(), math_paper()]])


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_daily_page(week_server, page, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(f"{week_server.url}/date/2025-03-18")
    expect(page.get_by_role("heading", level=1)).to_contain_text("18 March 2025")
    rows = page.locator("li.paper")
    expect(rows).to_have_count(4)
    expect(rows.first.locator("a.title")).to_be_visible()
    expect(page.get_by_role("link", name="Vision transformers")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, f"firsthour-daily-{viewport}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_math_renders_in_titles_and_abstracts(week_server, page, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{week_server.url}/papers/2503.10100")
    title = page.get_by_role("heading", level=1)
    expect(title.locator(".katex")).to_have_count(2)  # A$^\text{T}$A and $O(n\log n)$
    expect(page.locator("p.abstract .katex")).to_have_count(4)
    expect(page.locator(".katex-error")).to_have_count(0)
    # What a reader sees is the formula, not its source: the visible part has no dollar signs.
    visible = title.evaluate(
        "h => [...h.childNodes].map(n => n.nodeType === 3 ? n.textContent"
        " : n.querySelector('.katex-html')?.textContent ?? n.textContent).join('')"
    )
    assert "$" not in visible and "O(nlogn)" in visible.replace(" ", "").replace("\u2061", "")
    assert all(u.startswith(week_server.url) for u in requests)  # no CDN: KaTeX comes from the hub
    assert any(u.endswith(".woff2") for u in requests)
    assert not has_horizontal_scroll(page)
    screenshot(page, f"firsthour-math-{viewport}")
    # The day's list renders the title's math too; a page without math loads no KaTeX.
    page.goto(f"{week_server.url}/date/2025-03-18")
    expect(page.locator("li.paper a.title .katex")).to_have_count(2)
    requests.clear()
    page.goto(f"{week_server.url}/date/2025-03-19")
    expect(page.locator("li.paper")).to_have_count(4)
    assert not [u for u in requests if "katex" in u]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_signing_in_with_a_printed_link_on_a_hub_without_mail(spawn_server, browser, viewport):
    server = spawn_server()  # no PAPERWIRE_SMTP_URL
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.goto(f"{server.url}/signin")
    expect(page.get_by_text("Mail is not set up on this hub")).to_be_visible()
    expect(page.get_by_text("paperwire signin-link you@example.org")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_count(0)  # nothing to fill in that would fail
    assert not has_horizontal_scroll(page)
    screenshot(page, f"firsthour-signin-no-mail-{viewport}")

    made = server.cli("signin-link", "ada@example.org", "--next", "/profile", "--base-url", server.url)
    link = made.stdout.strip()
    assert link.startswith(f"{server.url}/signin/verify?token=")
    page.goto(link)
    page.get_by_role("button", name="Sign in as ada@example.org").click()
    expect(page).to_have_url(f"{server.url}/profile")
    expect(page.get_by_role("link", name="ada")).to_be_visible()
    screenshot(page, f"firsthour-signed-in-{viewport}")

    # The same link again, in another browser: refused.
    other = browser.new_context(viewport=VIEWPORTS[viewport]).new_page()
    other.goto(link)
    other.get_by_role("button", name="Sign in as ada@example.org").click()
    expect(other.get_by_text("this sign-in link has been used already")).to_be_visible()
    expect(other.get_by_role("link", name="Sign in")).to_be_visible()
    screenshot(other, f"firsthour-link-used-{viewport}")
    other.context.close()
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_category_author_week_and_missing_paper_pages(week_server, page, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    url = week_server.url
    page.goto(f"{url}/categories/cs.CV")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Computer Vision and Pattern Recognition (cs.CV)"
    )
    expect(page.get_by_text("2 papers · Newest first")).to_be_visible()
    screenshot(page, f"firsthour-category-{viewport}")
    page.goto(f"{url}/authors/Alan%20Turing")
    expect(page.locator("li.paper strong.this-author")).to_have_count(2)
    screenshot(page, f"firsthour-author-{viewport}")
    page.goto(f"{url}/week/2025-W12")
    expect(page.get_by_role("link", name="Atom")).to_have_attribute("href", "/feeds/week.atom")
    page.goto(f"{url}/papers/2503.19999")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not on this hub yet")
    expect(page.get_by_role("link", name="Sign in", exact=True).last).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, f"firsthour-missing-paper-{viewport}")
