"""End to end: a member saves a paper, opens "For you" from the header and sees the week's papers ranked
with a reason naming the saved paper; then follows a topic from the page's form. A real chromium."""

import time

import pytest
from playwright.sync_api import expect

from tests.support.browser import screenshot, sign_in

pytestmark = pytest.mark.browser
WEEK = "/for-you?period=week&date=2025-03-07"  # 2025-03-01 .. 07: pets, qubits, protein folding, twins


@pytest.fixture
def hub_server(spawn_server, smtp_inbox):
    return spawn_server(PAPERWIRE_SMTP_URL=smtp_inbox.url)


def test_save_a_paper_then_see_the_week_ranked_with_reasons(hub_server, page, smtp_inbox):
    sign_in(page, hub_server, smtp_inbox, "ada@example.org")
    page.goto(f"{hub_server.url}/categories/cs.LG")
    row = page.locator('li[id="paper-2502.00003"]')  # "Protein folding with diffusion"
    row.get_by_role("button", name="Save", exact=True).click()
    expect(row.get_by_role("button", name="Saved", exact=True)).to_have_attribute("aria-pressed", "true")
    page.get_by_role("link", name="For you", exact=True).click()
    expect(page.get_by_role("heading", name="For you", level=1)).to_be_visible()
    deadline = time.monotonic() + 60  # the served hub embeds its papers in the background
    while True:
        page.goto(f"{hub_server.url}{WEEK}")
        if page.locator("p.why").count() or time.monotonic() > deadline:
            break
        time.sleep(1)
    first = page.locator("ol.papers > li").first
    expect(first).to_contain_text("Protein folding with diffusion models and more")
    why = first.locator("p.why")
    expect(why).to_contain_text("Why: close to Protein folding with diffusion, which you like")
    expect(why.get_by_role("link")).to_have_attribute("href", "/papers/2502.00003")
    expect(first.get_by_role("button", name="Not interested", exact=True)).to_be_visible()
    screenshot(page, "for-you")
    page.get_by_label("Topics").fill("dogs and puppies")
    page.get_by_role("button", name="Save interests").click()
    expect(page.get_by_label("Topics")).to_have_value("dogs and puppies")
    page.goto(f"{hub_server.url}{WEEK}")
    expect(page.locator("ol.papers")).to_contain_text('matches your topic "dogs and puppies"')
