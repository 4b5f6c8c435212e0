"""End to end: a reader subscribes from the footer of a spawned `paperwire serve`, confirms from the mail
in a real SMTP inbox, gets a digest from `paperwire digest send`, and unsubscribes from its link."""

import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from paperwire.ingest.formats import export_record
from tests.support.browser import DESKTOP, PHONE, has_horizontal_scroll, screenshot
from tests.support.hub import papers_of_week
from tests.support.smtp import SmtpInbox

pytestmark = pytest.mark.browser
SECRET = "e2e-subscriptions-key-" + "x" * 32
PUBLIC_URL = "http://127.0.0.1:8000"  # the hub's PAPERWIRE_BASE_URL: what the links in its mails name


def local(server, link: str) -> str:
    """A link from a mail, pointed at the spawned server."""
    parts = urlsplit(link)
    return f"{server.url}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def subscribers(server) -> list[dict]:
    return [json.loads(line) for line in server.cli("subscribers", "list", "--json").stdout.splitlines()]


def test_a_reader_subscribes_confirms_gets_a_digest_and_unsubscribes(spawn_server, page):
    with SmtpInbox() as inbox:
        server = spawn_server(
            records=[export_record(p) for p in papers_of_week()],
            PAPERWIRE_SMTP_URL=inbox.url,  # the CLI below runs with this env too: one inbox for all
            PAPERWIRE_SECRET_KEY=SECRET,
            PAPERWIRE_DIGEST_SCHEDULE="false",  # only the commands below send digests
        )
        heading = page.get_by_role("heading", level=1)

        # The footer's form (a GET) leads to the full form, with the address filled in.
        page.goto(server.url)
        page.get_by_label("New papers by email").fill("ada@example.org")
        page.get_by_role("button", name="Subscribe", exact=True).click()
        expect(heading).to_have_text("Papers by email")
        expect(page.get_by_label("Email address")).to_have_value("ada@example.org")
        zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
        expect(page.get_by_label("Time zone")).to_have_value(zone)  # guessed by the page's script
        page.set_viewport_size(PHONE)
        screenshot(page, "phone-subscribe")
        assert not has_horizontal_scroll(page)
        page.set_viewport_size(DESKTOP)

        page.get_by_label("Topics, one a line").fill("diffusion models")
        page.get_by_label("arXiv categories").fill("cs.LG")
        page.get_by_role("button", name="Email me a confirmation link").click()
        expect(heading).to_have_text("Check your email")
        confirmation = inbox.wait_for(1)[0]
        assert confirmation["To"] == "ada@example.org"
        assert [(s["status"], s["topics"], s["timezone"]) for s in subscribers(server)] == [
            ("pending", ["diffusion models"], zone)
        ]

        # The mail's link opens a page; its button confirms.
        link = re.search(r"(http://\S+/subscribe/confirm\?token=\S+)", confirmation.get_content()).group(1)
        page.goto(local(server, link))
        assert subscribers(server)[0]["status"] == "pending"
        page.get_by_role("button", name="Confirm my subscription").click()
        expect(heading).to_have_text("You are subscribed")
        assert subscribers(server)[0]["status"] == "active"
        page.get_by_role("link", name="Change what you get").click()
        expect(heading).to_have_text("Your digest")
        expect(page.get_by_label("Topics, one a line")).to_have_value("diffusion models")
        page.set_viewport_size(PHONE)
        screenshot(page, "phone-subscription")
        assert not has_horizontal_scroll(page)
        page.set_viewport_size(DESKTOP)

        # The digest for Tuesday 18 March 2025, sent by the CLI as cron would.
        sent = server.cli("digest", "send", "--date", "2025-03-18")
        assert "1 sent" in sent.stdout, sent.stdout + sent.stderr
        digest = inbox.wait_for(2)[1]
        assert digest["To"] == "ada@example.org"
        assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = re.fullmatch(r"<(http://\S+/unsubscribe/\S+)>", digest["List-Unsubscribe"]).group(1)
        assert unsubscribe.startswith(f"{PUBLIC_URL}/unsubscribe/")
        text = digest.get_body(("plain",)).get_content()
        html = digest.get_body(("html",)).get_content()
        assert f"{PUBLIC_URL}/papers/2503.10002" in text and 'matches your topic "diffusion models"' in text
        assert f'href="{PUBLIC_URL}/papers/2503.10002"' in html
        # Wednesday has papers for this reader too, as long as they stay subscribed.
        planned = server.cli("digest", "send", "--date", "2025-03-19", "--dry-run").stdout
        assert re.search(r"2025-03-19 ada@example.org: [1-9]\d* paper\(s\)", planned), planned

        # The digest's unsubscribe link: a page with one button.
        page.goto(local(server, unsubscribe))
        assert subscribers(server)[0]["status"] == "active"
        page.get_by_role("button", name="Unsubscribe").click()
        expect(heading).to_have_text("You are unsubscribed")
        assert [(s["email"], s["status"]) for s in subscribers(server)] == [
            ("ada@example.org", "unsubscribed")
        ]

        after = server.cli("digest", "send", "--date", "2025-03-19")
        assert "0 composed" in after.stdout and "0 sent" in after.stdout, after.stdout
        assert len(inbox.messages) == 2  # the command returned after handing over whatever it sent
