"""LaTeX in titles and abstracts: marked for the bundled KaTeX on pages, plain text everywhere else."""

from datetime import date
from pathlib import Path

from paperwire.digests.send import DigestSender
from paperwire.mail import Mailer
from paperwire.models.subscriptions import Preferences
from tests.support.latex import ABSTRACT, TITLE, math_paper

STATIC = Path(__file__).resolve().parents[2] / "src" / "paperwire" / "web" / "static"


def test_pages_mark_titles_and_abstracts_for_katex_and_keep_the_source(hub):
    hub.store.papers.upsert_papers([math_paper()])
    page = hub.client.get("/papers/2503.10100").text
    assert r'<h1 class="tex">Fast A$^\text{T}$A products in $O(n\log n)$ time</h1>' in page
    assert r'<p class="abstract tex">We compute $A^\top A$' in page
    assert '<script src="/static/site/site.js' in page and "<script>" not in page  # no inline script
    day = hub.client.get("/date/2025-03-18").text
    assert r'class="title tex" href="/papers/2503.10100">Fast A$^\text{T}$A' in day


def test_feeds_json_and_markdown_keep_plain_text(hub):
    hub.store.papers.upsert_papers([math_paper()])
    for path in ("/feeds/categories/cs.DS.atom", "/feeds/categories/cs.DS.rss"):
        feed = hub.client.get(path).text
        assert r"Fast A$^\text{T}$A products in $O(n\log n)$ time" in feed, path
        assert "katex" not in feed and "class=" not in feed
    data = hub.client.get("/papers/2503.10100.json").json()
    assert data["title"] == TITLE and data["abstract"] == ABSTRACT
    assert hub.client.get("/api/papers/2503.10100").json()["title"] == TITLE
    md = hub.client.get("/papers/2503.10100.md").text
    assert md.startswith(f"# {TITLE}\n") and ABSTRACT in md


def test_digest_mails_keep_plain_text(settings, store, smtp_inbox):
    store.papers.upsert_papers([math_paper()])
    store.subscriptions.create_subscription(
        "ada@x.org", Preferences(categories=["cs.DS"]), status="active", nonce="n"
    )
    s = settings.model_copy(update={"smtp_url": smtp_inbox.url, "base_url": "https://hub.example.org"})
    DigestSender(s, store, Mailer.from_settings(s), None, "math-secret-" + "x" * 32).run(
        day=date(2025, 3, 18)
    )
    (msg,) = smtp_inbox.wait_for(1)
    assert TITLE in msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert TITLE in html and "katex" not in html.lower() and "<script" not in html


def test_the_bundled_katex_is_complete_and_served(hub):
    katex = STATIC / "katex"
    for name in ("katex.min.js", "katex.min.css", "auto-render.min.js", "LICENSE"):
        assert (katex / name).stat().st_size > 0, name
    assert "MIT License" in (katex / "LICENSE").read_text()
    css = (katex / "katex.min.css").read_text()
    # every woff2 font the stylesheet names is there (the .woff/.ttf fallbacks are never reached)
    import re

    named = set(re.findall(r"url\(fonts/(KaTeX_[\w-]+\.woff2)\)", css))
    assert len(named) == 20 and named == {p.name for p in (katex / "fonts").glob("*.woff2")}
    for path in ("katex/katex.min.js", "katex/auto-render.min.js", "katex/fonts/KaTeX_Main-Regular.woff2"):
        assert hub.client.get(f"/static/site/{path}").status_code == 200
