"""The hub under test: the real app over HTTP (httpx via TestClient), a real SMTP inbox, and helpers
that sign in through the real magic-link flow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from fastapi.testclient import TestClient

from paperwire.papers import arxiv_links, make_paper
from paperwire.settings import load_settings
from paperwire.storage import open_store
from paperwire.web import create_app
from paperwire.web.services import services

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK = re.compile(r"(http://\S+/signin/verify\?\S+)")


def papers_of_week():
    """Eight papers announced over 2025-03-17 (Mon) … 2025-03-19 and one with no announcement."""
    rows = [
        ("2503.10001", date(2025, 3, 17), ["cs.LG"], ["Ada Lovelace"], "Graph networks for molecules"),
        ("2503.10002", date(2025, 3, 18), ["cs.CV", "cs.LG"], ["Alan Turing"], "Diffusion models for images"),
        ("2503.10003", date(2025, 3, 18), ["cs.CL"], ["Grace Hopper"], "Language models & <b>reasoning</b>"),
        ("2503.10004", date(2025, 3, 18), ["cs.CV"], ["Ada Lovelace", "Alan Turing"], "Vision transformers"),
        ("2503.10005", date(2025, 3, 19), ["cs.LG"], ["Edsger Dijkstra"], "Shortest paths by learning"),
        ("2503.10006", date(2025, 3, 19), ["cs.AI"], ["Barbara Liskov"], "Planning with abstractions"),
        ("2503.10007", date(2025, 3, 19), ["cs.AI"], ["Ken Thompson"], "Agents that write compilers"),
        ("2503.10008", date(2025, 3, 19), ["cs.CL"], ["Donald Knuth"], "Typesetting language models"),
        ("2503.10009", None, ["cs.DL"], ["Tim Berners-Lee"], "Linked papers"),
    ]
    return [
        make_paper(
            id=pid,
            title=title,
            abstract=f"We study {title.lower()} in depth.",
            authors=authors,
            categories=cats,
            announced=day,
            published=day or date(2025, 3, 1),
            source="arxiv-listing",
            links=arxiv_links(pid),
        )
        for pid, day, cats, authors, title in rows
    ]


@dataclass
class Hub:
    client: TestClient
    store: object
    app: object
    inbox: object

    def token(self, path: str = "/signin") -> str:
        """A CSRF token from a page's form (the page sets the cookie it is tied to)."""
        page = self.client.get(path)
        found = TOKEN.search(page.text)
        assert found, f"no form with a CSRF token on {path}"
        return found.group(1)

    def sign_in(self, email: str, client: TestClient | None = None) -> TestClient:
        """Sign in through the magic link the hub emails; returns the signed-in client."""
        client = client or self.client
        before = len(self.inbox.messages)
        page = client.get("/signin")
        token = TOKEN.search(page.text).group(1)
        sent = client.post("/api/signin", data={"email": email, "csrf_token": token, "next": "/"})
        assert sent.status_code == 200, sent.text
        message = self.inbox.wait_for(before + 1)[-1]
        assert message["To"] == email
        link = LINK.search(message.get_content()).group(1)
        verify = client.get(link.replace(str(services(self.app).settings.base_url), ""))
        assert verify.status_code == 200
        form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', verify.text))
        done = client.post("/api/signin/verify", data=form, follow_redirects=False)
        assert done.status_code == 303, done.text
        return client

    def new_client(self) -> TestClient:
        return TestClient(self.app)


# A port nothing listens on: a hub under test that fetches (a submitted paper it lacks) never reaches
# arXiv or Hugging Face; a test that wants answers points these at a ReplayServer.
UNREACHABLE = "http://127.0.0.1:9"


def make_hub(tmp_path, model_dir, inbox, database_url=None, **overrides) -> tuple[Hub, object]:
    if database_url:
        overrides.update(database_url=database_url, secret_key="test-secret-key-" + "x" * 32)
    for name, path in (("arxiv_api_url", "/api/query"), ("arxiv_oai_url", "/oai"), ("hf_url", "")):
        overrides.setdefault(name, UNREACHABLE + path)
    overrides.setdefault("arxiv_feed_url", UNREACHABLE + "/atom")
    overrides.setdefault("arxiv_interval", 0)
    overrides.setdefault("http_retries", 0)
    settings = load_settings(
        data_dir=tmp_path / "data",
        model_dir=model_dir,
        smtp_url=inbox.url,
        ingest_schedule=False,
        **overrides,
    )
    store = open_store(settings)
    store.papers.upsert_papers(papers_of_week())
    app = create_app(settings, store)
    return Hub(TestClient(app), store, app, inbox), store
