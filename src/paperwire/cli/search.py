"""`paperwire search` and `paperwire index`: thin commands over paperwire.search (docs/cli.md)."""

from __future__ import annotations

import json
import sys

import click

from paperwire import PaperwireError
from paperwire.cli.context import open_settings, open_store
from paperwire.cli.options import iso_date

# Vectors a search may add to the index file before saving it (adding 5,183 took about 1 s of CPU:
# docs/benchmarks.md, "CLI search").
SAVE_AFTER = 1_000


def _engine(store):
    from paperwire.search import open_search

    return open_search(open_settings(), store)


@click.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", default=10, show_default=True, help="Results to show (1-100).")
@click.option("--offset", default=0, show_default=True, help="Results to skip (for the next page).")
@click.option("--json", "as_json", is_flag=True, help="Print results, scores and timings as JSON.")
@click.option("--category", "-c", multiple=True, help="Only papers in this category (repeatable: any of).")
@click.option("--author", "-a", multiple=True, help="Only papers by this author (repeatable: all of).")
@click.option("--from", "date_from", callback=iso_date, help="Only papers dated on or after YYYY-MM-DD.")
@click.option("--until", "date_until", callback=iso_date, help="Only papers dated on or before YYYY-MM-DD.")
@click.option(
    "--date-field",
    type=click.Choice(["announced", "published"]),
    default="announced",
    show_default=True,
    help="Which date --from and --until apply to.",
)
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "keyword", "semantic"]),
    default="hybrid",
    show_default=True,
    help="Rank by words and meaning together, or by one of them.",
)
def search_cmd(
    query, limit, offset, as_json, category, author, date_from, date_until, date_field, mode
) -> None:
    """Search papers by words and by meaning.

    QUERY may use author:NAME, cat:CATEGORY, "a phrase" and -excluded words. An arXiv id or an
    exact title comes first.
    """
    from paperwire.search import Filters

    with open_store() as store:
        engine = _engine(store)
        engine.sync_keyword(wait=False)  # if another process is applying changes, search what is there
        if mode != "keyword":  # words only: the vector index is neither loaded nor caught up
            _catch_up_vectors(engine)
        filters = Filters(list(category), list(author), date_from, date_until, date_field)
        results = engine.search(" ".join(query), filters, limit=limit, offset=offset, mode=mode)
    if results.did_you_mean:
        click.echo(f"did you mean: {results.did_you_mean}", err=True)
    if as_json:
        from paperwire.search.render import results_json

        click.echo(json.dumps(results_json(results), ensure_ascii=False, indent=2))
        return
    if not results.hits:
        click.echo("no results", err=True)
        return
    for rank, hit in enumerate(results.hits, start=offset + 1):
        p = hit.paper
        mark = f"exact {hit.pinned}" if hit.pinned else f"{hit.score:.3f}"
        authors = ", ".join(p.authors[:3]) + (" et al." if len(p.authors) > 3 else "")
        day = p.announced or p.published
        click.echo(f"{rank:>3}. {p.id}  {p.title}")
        click.echo(f"     {authors}{'  ' + day.isoformat() if day else ''}  [{mark}]")
    if results.coverage and results.coverage.embedded == 0:
        click.echo("(keyword results only: run `paperwire index` to search by meaning)", err=True)
    elif results.coverage and results.coverage.note:
        click.echo(f"({results.coverage.note}: `paperwire index` embeds the rest)", err=True)


def _catch_up_vectors(engine) -> None:
    """Add the vectors the index file lacks; when they were many (or a tenth of the index: saving
    costs in proportion to its size), save the file unless an indexer holds the folder and will, so
    that the next search does not add them all again."""
    added = engine.catch_up_vectors()
    if added and (added >= SAVE_AFTER or added * 10 >= len(engine.vectors)):
        from paperwire.search.locks import FileLock

        with FileLock(engine.folder / "indexer.lock").held(wait=False) as got:
            if got:
                engine.vectors.save()


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Drop every embedding and both indexes, then build them again.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def index_cmd(rebuild: bool, quiet: bool) -> None:
    """Bring the search indexes up to date: embed new or changed papers, with their extracts.

    Embeddings are committed every 256 papers, so a run that is stopped or killed resumes where it
    left off. `paperwire serve` does the same in the background unless PAPERWIRE_SEARCH_INDEXER=false.
    """
    from paperwire.search.indexer import embed_pending
    from paperwire.search.indexer import rebuild as rebuild_all

    with open_store() as store:
        engine = _engine(store)
        if not rebuild:
            engine.check_model()
            added = engine.sync_keyword()
            click.echo(f"keyword index: {added:,} papers applied", err=True)
        pending = store.papers.count_papers() if rebuild else store.embeddings.count_unembedded()
        bar = _bar(pending, quiet)
        try:
            report = (rebuild_all if rebuild else embed_pending)(engine, bar.update if bar else None)
        except KeyboardInterrupt:
            click.echo(
                "\ninterrupted: the embeddings committed so far are kept; "
                "run `paperwire index` again to finish",
                err=True,
            )
            sys.exit(130)
        finally:
            if bar:
                bar.close()
        total = store.embeddings.count_embeddings()
        outdated = engine.outdated_recipe()  # reads the store: before it closes
    if rebuild:
        click.echo(f"keyword index: {report.keyword:,} papers applied", err=True)
    click.echo(
        f"{report.embedded:,} papers embedded ({report.rate:,.1f} papers/s), "
        f"{report.unchanged_text:,} changed without new text; {total:,} embedded in all"
    )
    if report.extracted > report.embedded:  # the rest were made with the embeddings, in the same pass
        click.echo(
            f"{report.extracted - report.embedded:,} embedded papers given their extracts "
            f"(summary sentence and key phrases) in {report.extract_seconds:,.0f} s"
        )
    if outdated:
        click.echo(
            "note: these embeddings read less of each paper than this Paperwire's recipe; "
            "`paperwire index --rebuild` embeds them again (search keeps working meanwhile, by words and "
            "by the papers embedded so far)",
            err=True,
        )


def _bar(total: int, quiet: bool):
    if quiet or not total:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit=" papers", desc="embedding", disable=None, smoothing=0.05)


def sync_after_import(store) -> None:
    """Keyword search sees imported papers at once; embedding is left to `index` or `serve`."""
    try:
        added = _engine(store).sync_keyword(wait=False)
    except PaperwireError as exc:
        click.echo(f"warning: the keyword index was not updated: {exc}", err=True)
        return
    if added is None:
        click.echo("keyword index: busy in another process, which will add these papers", err=True)
    else:
        click.echo(
            f"keyword index: {added:,} papers applied; run `paperwire index` to search them by meaning",
            err=True,
        )
