"""End to end: a member saves and dismisses papers from a list page with the script (no reload) and
without it (the plain form), and imports a BibTeX file into their library, in a real chromium."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import screenshot, sign_in

pytestmark = pytest.mark.browser

BIB = r"""@misc{smith_graph_2025,
	title = {Graph {Neural} {Networks} for {Molecules}},
	url = {http://arxiv.org/abs/2501.00001},
	note = {arXiv:2501.00001 [cs]},
	author = {Smith, Alice and Jones, Bob},
	year = {2025},
}

@article{jones_survey_2025,
	title = {A {Survey} of {Vision} {Transformers}},
	journal = {Journal of Surveys},
	author = {Jones, Bob},
	year = {2025},
}

@book{nobody_2001,
	title = {A Book This Hub Does Not Have},
	year = {2001},
}
"""


@pytest.fixture
def hub_server(spawn_server, smtp_inbox):
    return spawn_server(PAPERWIRE_SMTP_URL=smtp_inbox.url)


def test_save_and_dismiss_with_the_script_without_a_reload(hub_server, page, smtp_inbox):
    sign_in(page, hub_server, smtp_inbox, "ada@example.org")
    page.goto(f"{hub_server.url}/categories/cs.LG")
    page.evaluate("window.notReloaded = true")
    row = page.locator('li[id="paper-2501.00001"]')
    row.get_by_role("button", name="Save", exact=True).click()
    expect(row.get_by_role("button", name="Saved", exact=True)).to_have_attribute("aria-pressed", "true")
    row.get_by_role("button", name="Not interested", exact=True).click()
    expect(row.get_by_role("button", name="Dismissed", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(row).to_have_class("paper dismissed")
    assert page.evaluate("window.notReloaded") is True  # the script sent them: no page load
    screenshot(page, "library-signals")
    page.reload()  # stored: the state survives a reload, and the dismissed paper is still listed
    row = page.locator('li[id="paper-2501.00001"]')
    expect(row.get_by_role("button", name="Saved", exact=True)).to_be_visible()
    expect(row).to_have_class("paper dismissed")
    row.get_by_role("button", name="Dismissed", exact=True).click()  # the same button undoes it
    expect(row.get_by_role("button", name="Not interested", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    page.goto(f"{hub_server.url}/library")
    expect(page.locator("ol.papers")).to_contain_text("Graph neural networks for molecules")


def test_dismiss_without_javascript_posts_the_form_and_comes_back(hub_server, browser, smtp_inbox):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, hub_server, smtp_inbox, "bob@example.org")
        page.goto(f"{hub_server.url}/categories/cs.LG?page=1")
        row = page.locator('li[id="paper-2502.00006"]')
        with page.expect_navigation():
            row.get_by_role("button", name="Not interested", exact=True).click()
        assert page.url.startswith(f"{hub_server.url}/categories/cs.LG?page=1")  # back where it was
        row = page.locator('li[id="paper-2502.00006"]')
        expect(row.get_by_role("button", name="Dismissed", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(row).to_have_class("paper dismissed")
    finally:
        context.close()


def test_import_a_bibtex_file_into_the_library(hub_server, page, smtp_inbox, tmp_path):
    sign_in(page, hub_server, smtp_inbox, "cy@example.org")
    bib = tmp_path / "My Library.bib"
    bib.write_text(BIB)
    page.goto(f"{hub_server.url}/library")
    page.get_by_label("BibTeX (.bib) or CSL JSON (.json) file").set_input_files(bib)
    page.get_by_role("button", name="Import").click()
    report = page.locator(".import-report")
    expect(report).to_contain_text("2 of 3 entries matched; 2 newly added")
    expect(report).to_contain_text("nobody_2001")
    expect(page.locator("ol.papers")).to_contain_text("A survey of vision transformers")
    screenshot(page, "library-import")
