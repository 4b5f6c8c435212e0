"""A real browser for UI tests: Debian's chromium driven by Playwright, and screenshots to look at."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package: Playwright cannot download its own browsers here
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # the tests may run as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # without these chromium keeps calling Google services, which floods a machine with no internet
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def launch(playwright: Playwright) -> Browser:
    """Start headless chromium, or fail saying how to install it."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"browser tests need {CHROMIUM}: run the test command (make test), which installs Debian's "
            "chromium, or apt-get install --no-install-recommends chromium",
            pytrace=False,
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as test-artifacts/screenshots/NAME.png and return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", name).removesuffix(".png")
    path = SCREENSHOTS / f"{stem}.png"
    page.screenshot(path=path, full_page=True)
    return path


def has_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def sign_in(page, server, inbox, email: str) -> None:
    """Sign in through the emailed magic link, as a member would (the inbox is a real SMTP server)."""
    page.goto(f"{server.url}/signin")
    before = len(inbox.messages)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    message = inbox.wait_for(before + 1)[-1]
    link = re.search(r"(http://\S+/signin/verify\?\S+)", message.get_content()).group(1)
    parts = urlsplit(link)
    page.goto(f"{server.url}{parts.path}?{parts.query}")  # the link names the hub's public URL
    page.get_by_role("button", name=f"Sign in as {email}").click()
    expect(page.get_by_role("link", name=email.split("@")[0])).to_be_visible()
