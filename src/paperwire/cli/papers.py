"""`paperwire import`, `export`, `show` and `stats`: papers in and out of the hub (docs/cli.md)."""

from __future__ import annotations

import gzip
import json
import sys
import textwrap
import time
from pathlib import Path

import click

from paperwire.cli.context import open_store
from paperwire.cli.search import sync_after_import


@click.command("import")
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
    with open_store() as store:
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
            sync_after_import(store)
    for path, used in report.formats.items():
        if fmt == "auto" and len(paths) > 1:
            click.echo(f"{path}: {used}", err=True)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@click.command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (.gz compresses); default stdout.",
)
def export_cmd(output: Path | None) -> None:
    """Export every paper as JSON lines, re-importable without loss."""
    from paperwire.ingest.bulk import export_papers

    with open_store() as store:
        if output is None:
            count = export_papers(store, sys.stdout)
        else:
            tmp = output.with_name(output.name + ".partial")
            opener = gzip.open if output.suffix == ".gz" else open
            with opener(tmp, "wt", encoding="utf-8") as out:
                count = export_papers(store, out)
            tmp.replace(output)  # a crash never leaves a half-written file under the real name
    click.echo(f"exported {count} papers", err=True)


@click.command("show")
@click.argument("paper_id")
@click.option("--json", "as_json", is_flag=True, help="Print the paper as JSON (the export format).")
def show_cmd(paper_id: str, as_json: bool) -> None:
    """Show one paper by its id.

    An arXiv id may carry a version or a prefix: arXiv:2503.11677v2 finds 2503.11677.
    """
    from paperwire.ingest.formats import export_record
    from paperwire.papers import paper_id_candidates

    with open_store() as store:
        paper = next(filter(None, map(store.papers.get_paper, paper_id_candidates(paper_id))), None)
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


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
@click.option("--top", default=20, show_default=True, help="Categories to list (text output).")
def stats_cmd(as_json: bool, top: int) -> None:
    """Count papers and versions, by category, by month and by source."""
    from dataclasses import asdict

    with open_store() as store:
        stats = store.papers.stats()
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
