"""`paperwire serve`: the web hub, its JSON API and the background jobs, in one process or several."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

import click

from paperwire.cli.context import open_settings, open_store
from paperwire.comments import render_markdown
from paperwire.settings import Settings, listening_url


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Web worker processes; background jobs run once, in the parent.",
)
def serve_cmd(host: str, port: int, workers: int) -> None:
    """Run the web hub and its JSON API."""
    import uvicorn

    from paperwire.digests.schedule import start_digest_schedule
    from paperwire.ingest.schedule import empty_hub_hint, start_schedule
    from paperwire.ingest.submissions import start_submission_fetcher
    from paperwire.search import open_search
    from paperwire.search.background import BackgroundIndexer, warm_up
    from paperwire.web import create_app
    from paperwire.web.security import resolve_secret_key

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a new database's migrations are not news
    settings = _listening_settings(host, port)
    store = open_store(settings)
    secret = resolve_secret_key(settings)  # refuse to start without one in server mode; make it once here
    rendered = store.comments.rerender_comments(
        render_markdown
    )  # after a renderer change; nothing to do otherwise
    if rendered:
        click.echo(f"rendered {rendered:,} comments again for this version's Markdown renderer", err=True)
    search = open_search(settings, store)
    indexer = BackgroundIndexer(search, embed=settings.search_indexer)
    if store.papers.count_papers() == 0:
        hint = empty_hub_hint(settings, store, datetime.now(UTC))
        click.echo(f"The hub has no papers yet: {hint}.", err=True)
    indexer.start()
    if workers == 1:  # each worker process warms its own engine up (web/worker.py)
        warm_up(search)
    schedule = start_schedule(settings, store)
    fetcher = start_submission_fetcher(settings, store)
    digests = start_digest_schedule(settings, store, search, secret)
    # X-Forwarded-For/-Proto are believed from the configured proxies only (docs/deploying.md).
    trusted = settings.forwarded_allow_ips
    options = {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}
    options["server_header"] = False  # no `server: uvicorn` banner (docs/security.md)
    try:
        if workers == 1:
            uvicorn.run(
                create_app(settings, store, search), host=host, port=port, log_level="info", **options
            )
        else:
            uvicorn.run(
                "paperwire.web.worker:create_worker_app",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="info",
                **options,
            )
    finally:
        indexer.stop()
        if schedule:
            schedule.stop()
        if fetcher:
            fetcher.stop()
        if digests:
            digests.stop()
        store.close()


def _listening_settings(host: str, port: int) -> Settings:
    """The settings, with PAPERWIRE_BASE_URL defaulting to where `serve` listens (feeds, `.md` twins,
    mails and the HF client's links then point here); set in the environment, so workers see it too."""
    settings = open_settings()
    if "base_url" in settings.model_fields_set or port == 0:  # port 0: the port is not known yet
        return settings
    os.environ["PAPERWIRE_BASE_URL"] = listening_url(host, port)
    logging.getLogger("paperwire").info(
        "PAPERWIRE_BASE_URL is not set: links use %s, where serve listens", os.environ["PAPERWIRE_BASE_URL"]
    )
    return open_settings()
