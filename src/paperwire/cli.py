"""The `paperwire` command: a thin layer over the library. Every command is documented in docs/cli.md."""

from __future__ import annotations

import gzip
import json
import logging
import os
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from paperwire import PaperwireError, __version__
from paperwire.ingest.commands import ingest
from paperwire.settings import Settings, listening_url, load_settings


class _Group(click.Group):
    """Turns PaperwireError into a one-line `Error: ...` and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PaperwireError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paperwire")
def cli() -> None:
    """Paperwire: a self-hostable research-paper hub.

    Settings come from PAPERWIRE_* environment variables (see docs/settings.md).
    """


def _settings() -> Settings:
    return load_settings()


def _store(settings: Settings | None = None):
    from paperwire.storage import open_store

    return open_store(settings or _settings())


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "arxiv-metadata", "arxiv-listing", "beir", "paperwire"]),
    default="auto",
    show_default=True,
    help="Record format; auto detects it per file from the first record.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def import_cmd(paths: tuple[Path, ...], fmt: str, quiet: bool) -> None:
    """Import papers from JSON-lines files, plain or gzipped.

    Formats: the arXiv metadata snapshot, the arxiv-cs listing format, a BEIR corpus.jsonl,
    and Paperwire's own export. Bad records are reported as FILE:LINE: REASON on stderr and the
    good ones are still imported (a reason that repeats is printed once, with a count at the end);
    the exit status is 1 if anything was rejected.
    """
    from paperwire.ingest.bulk import RejectionLog, import_files

    log = RejectionLog(lambda line: click.echo(line, err=True))
    with _store() as store:
        progress = None if quiet else _BarProgress()
        try:
            report = import_files(store, paths, fmt, on_reject=log, progress=progress)
            log.finish()
        except KeyboardInterrupt:
            log.finish()
            click.echo(
                "\ninterrupted: the batches committed so far are kept; run the same command again "
                "to finish (re-importing changes nothing that is already stored)",
                err=True,
            )
            sys.exit(130)
        if report.new or report.updated:
            from paperwire.search.commands import sync_after_import

            sync_after_import(store)
    for path, used in report.formats.items():
        if fmt == "auto" and len(paths) > 1:
            click.echo(f"{path}: {used}", err=True)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@cli.command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (.gz compresses); default stdout.",
)
def export_cmd(output: Path | None) -> None:
    """Export every paper as JSON lines, re-importable without loss."""
    from paperwire.ingest.bulk import export_papers

    with _store() as store:
        if output is None:
            count = export_papers(store, sys.stdout)
        else:
            tmp = output.with_name(output.name + ".partial")
            opener = gzip.open if output.suffix == ".gz" else open
            with opener(tmp, "wt", encoding="utf-8") as out:
                count = export_papers(store, out)
            tmp.replace(output)  # a crash never leaves a half-written file under the real name
    click.echo(f"exported {count} papers", err=True)


@cli.command("show")
@click.argument("paper_id")
@click.option("--json", "as_json", is_flag=True, help="Print the paper as JSON (the export format).")
def show_cmd(paper_id: str, as_json: bool) -> None:
    """Show one paper by its id.

    An arXiv id may carry a version or a prefix: arXiv:2503.11677v2 finds 2503.11677.
    """
    from paperwire.ingest.formats import export_record
    from paperwire.papers import paper_id_candidates

    with _store() as store:
        paper = next(filter(None, map(store.get_paper, paper_id_candidates(paper_id))), None)
    if paper is None:
        raise click.ClickException(f"no paper with id {paper_id!r}")
    if as_json:
        record = export_record(paper)
        record.pop("_paperwire")
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    click.echo(_describe(paper))


def _describe(p) -> str:
    lines = [f"{p.id}v{p.version}  {p.title}", ""]
    rows = [
        ("Authors", ", ".join(p.authors)),
        ("Categories", ", ".join(p.categories)),
        ("Published", p.published and p.published.isoformat()),
        ("Updated", p.updated and p.updated.isoformat()),
        ("Announced", p.announced and p.announced.isoformat()),
        ("Versions", ", ".join(f"v{v.version}" + (f" ({v.date})" if v.date else "") for v in p.versions)),
        ("Comment", p.comment),
        ("Journal", p.journal_ref),
        ("DOI", p.doi),
        ("Licence", p.license),
        ("Abstract page", p.links.abstract),
        ("PDF", p.links.pdf),
        ("Code", p.links.code),
        ("Project", p.links.project),
        ("Source", p.source),
    ]
    lines += [f"{name + ':':<15}{value}" for name, value in rows if value]
    if p.abstract:
        lines += ["", textwrap.fill(p.abstract, width=100)]
    return "\n".join(lines)


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
@click.option("--top", default=20, show_default=True, help="Categories to list (text output).")
def stats_cmd(as_json: bool, top: int) -> None:
    """Count papers and versions, by category, by month and by source."""
    from dataclasses import asdict

    with _store() as store:
        stats = store.stats()
    if as_json:
        click.echo(json.dumps(asdict(stats), indent=2))
        return
    click.echo(f"papers    {stats.papers:>10,}")
    click.echo(f"versions  {stats.versions:>10,}")
    for title, table in (
        ("by source", stats.by_source),
        (f"by category (top {top} of {len(stats.by_category)})", dict(list(stats.by_category.items())[:top])),
        ("by month (announced, else first version)", stats.by_month),
    ):
        click.echo(f"\n{title}")
        for key, n in table.items():
            click.echo(f"  {key:<16}{n:>10,}")


@cli.command("migrate")
def migrate_cmd() -> None:
    """Bring the database schema up to date.

    Back up the database first on a hub that matters.
    """
    from paperwire.storage import migrate_database

    before, after = migrate_database(_settings())
    if before == after:
        click.echo(f"schema is up to date (revision {after})")
    else:
        click.echo(f"schema migrated from {before or 'empty'} to {after}")


@cli.command("copy")
@click.option("--to", "target", required=True, metavar="URL", help="The PostgreSQL database to copy into.")
def copy_cmd(target: str) -> None:
    """Copy this hub into a PostgreSQL database: every table, the vectors too (nothing is embedded again).

    An empty database is set up first. The copy is one transaction and checks that both sides have the
    same counts before it commits; running it again brings the target up to date.
    """
    from paperwire.storage import copy_to
    from paperwire.storage.postgres import masked_url

    report = copy_to(_settings(), target)
    click.echo(f"{'table':<20}{'source':>12}{'target':>12}")
    for t in report.tables:
        click.echo(f"{t.table:<20}{t.source:>12,}{t.target:>12,}")
    click.echo(f"copied {len(report.tables)} tables to {masked_url(target)}; every count matches")


@cli.command("serve")
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
    from paperwire.search.background import BackgroundIndexer
    from paperwire.web import create_app
    from paperwire.web.security import resolve_secret_key

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a new database's migrations are not news
    settings = _listening_settings(host, port)
    store = _store(settings)
    secret = resolve_secret_key(settings)  # refuse to start without one in server mode; make it once here
    rendered = store.rerender_comments()  # after a renderer change; nothing to do otherwise
    if rendered:
        click.echo(f"rendered {rendered:,} comments again for this version's Markdown renderer", err=True)
    search = open_search(settings, store)
    indexer = BackgroundIndexer(search, embed=settings.search_indexer)
    if store.count_papers() == 0:
        hint = empty_hub_hint(settings, store, datetime.now(UTC))
        click.echo(f"The hub has no papers yet: {hint}.", err=True)
    indexer.start()
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
    settings = _settings()
    if "base_url" in settings.model_fields_set or port == 0:  # port 0: the port is not known yet
        return settings
    os.environ["PAPERWIRE_BASE_URL"] = listening_url(host, port)
    logging.getLogger("paperwire").info(
        "PAPERWIRE_BASE_URL is not set: links use %s, where serve listens", os.environ["PAPERWIRE_BASE_URL"]
    )
    return _settings()


class _BarProgress:
    """A tqdm bar per file: bytes read on disk (so it has an ETA) and papers per second."""

    def start_file(self, path: Path, size: int) -> None:
        from tqdm import tqdm

        self._started = time.perf_counter()
        self._bar = tqdm(total=size, unit="B", unit_scale=True, desc=path.name, disable=None, leave=True)

    def advance(self, position: int, records: int) -> None:
        self._bar.update(max(0, position - self._bar.n))
        rate = records / max(time.perf_counter() - self._started, 1e-9)
        self._bar.set_postfix_str(f"{records:,} records, {rate:,.0f}/s", refresh=False)

    def end_file(self) -> None:
        self._bar.close()


def _register() -> None:
    from paperwire.search.commands import index_cmd, search_cmd

    cli.add_command(search_cmd)
    cli.add_command(index_cmd)
    from paperwire.users_commands import admin, signin_link_cmd

    cli.add_command(admin)
    cli.add_command(signin_link_cmd)
    from paperwire.digests.commands import digest, subscribers

    cli.add_command(digest)
    cli.add_command(subscribers)


_register()


def main() -> None:
    cli(prog_name="paperwire")


cli.add_command(ingest)
