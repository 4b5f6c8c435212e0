"""`paperwire ingest ...`: thin commands over the ingest library (documented in docs/cli.md)."""

from __future__ import annotations

import logging
import re
from contextlib import closing, contextmanager
from datetime import date

import click

from paperwire import PaperwireError
from paperwire.cli.context import open_settings, open_store
from paperwire.cli.options import iso_date


def _setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise in a harvest


@contextmanager
def _ingest_lock(store):
    """daily and hf run one at a time with the scheduled ingests of every `serve` on this database."""
    from paperwire.jobs import INGEST, exclusive

    def waiting() -> None:
        click.echo("waiting for another paperwire process's ingest to finish...", err=True)

    with exclusive(store, INGEST, wait=True, on_wait=waiting):
        yield


@click.group("ingest")
def ingest() -> None:
    """Fetch papers from arXiv and Hugging Face, and stars from GitHub (see docs/ingest.md)."""


@ingest.command("arxiv")
@click.option("--set", "set_spec", default="cs", show_default=True, help="OAI-PMH set; 'all' for every set.")
@click.option("--from", "from_", callback=iso_date, help="First datestamp (YYYY-MM-DD); default: the cursor.")
@click.option("--until", callback=iso_date, help="Last datestamp (YYYY-MM-DD); default: none.")
def arxiv_cmd(set_spec: str, from_: date | None, until: date | None) -> None:
    """Harvest arXiv over OAI-PMH (arXivRaw), resumably; a later run continues where this one ended."""
    from paperwire.ingest.harvest import harvest
    from paperwire.ingest.http import open_fetchers
    from paperwire.ingest.runs import format_counts, logged_run

    if from_ and until and from_ > until:
        raise click.BadParameter("--from is after --until")
    _setup_logging()
    settings = open_settings()
    args = " ".join(f"{k} {v}" for k, v in (("--set", set_spec), ("--from", from_), ("--until", until)) if v)
    set_spec = None if set_spec == "all" else set_spec
    with (
        open_store(settings) as store,
        logged_run(store, "arxiv", args) as counts,
        open_fetchers(settings) as fetchers,  # inside the run: a missing contact address is logged
    ):
        state = harvest(
            store,
            fetchers.arxiv,
            settings.arxiv_oai_url,
            counts,
            set_spec=set_spec,
            from_=from_,
            until=until,
        )
    click.echo(f"{format_counts(counts)}; cursor {state.cursor or 'none'}")
    _exit_if_rejected(counts)


@ingest.command("daily")
@click.option("--categories", help="Comma-separated arXiv categories; default PAPERWIRE_INGEST_CATEGORIES.")
def daily_cmd(categories: str | None) -> None:
    """Read today's arXiv announcement feed of each category and record the announcement day."""
    from paperwire.ingest.announcements import ingest_daily
    from paperwire.ingest.http import open_fetchers
    from paperwire.ingest.runs import format_counts, logged_run

    _setup_logging()
    settings = open_settings()
    if categories is not None:
        try:
            settings = open_settings(ingest_categories=categories)
        except PaperwireError as exc:  # the environment was fine: the option is what is wrong
            raise click.BadParameter(str(exc).split(": ", 1)[-1], param_hint="--categories") from None
    cats = settings.categories
    with (
        open_store(settings) as store,
        _ingest_lock(store),
        logged_run(store, "daily", ",".join(cats)) as counts,
        open_fetchers(settings) as fetchers,  # inside the run: a missing contact address is logged
    ):
        results = ingest_daily(
            store, fetchers.arxiv, settings.arxiv_feed_url, settings.arxiv_api_url, cats, counts
        )
    for r in results:
        click.echo(r.line())
    click.echo(format_counts(counts))
    failed = [r.category for r in results if r.error]
    if failed:
        raise click.ClickException(f"the feed of {', '.join(failed)} could not be used (see above)")
    _exit_if_rejected(counts)


@ingest.command("hf")
@click.option("--date", "day", help="A day, YYYY-MM-DD (default: today).")
@click.option("--week", help="An ISO week, YYYY-Www (2025-W12).")
@click.option("--month", help="A month, YYYY-MM.")
def hf_cmd(day: str | None, week: str | None, month: str | None) -> None:
    """Import Hugging Face daily papers: when each was featured, its submitter and its upvotes."""
    from paperwire.ingest.hf import ingest_hf
    from paperwire.ingest.http import open_fetchers
    from paperwire.ingest.runs import format_counts, logged_run

    period = hf_period(day, week, month)
    _setup_logging()
    settings = open_settings()
    args = " ".join(f"--{k} {v}" for k, v in period.items())
    with (
        open_store(settings) as store,
        _ingest_lock(store),
        logged_run(store, "hf", args) as counts,
        open_fetchers(settings) as fetchers,  # inside the run: a missing contact address is logged
    ):
        ingest_hf(store, fetchers, settings.hf_url, settings.arxiv_api_url, period, counts)
    click.echo(format_counts(counts))
    _exit_if_rejected(counts)


_PERIODS = {
    "date": (r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD"),
    "week": (r"\d{4}-W\d{2}", "YYYY-Www"),
    "month": (r"\d{4}-\d{2}", "YYYY-MM"),
}


def hf_period(day: str | None, week: str | None, month: str | None) -> dict[str, str]:
    """Exactly one of --date, --week, --month, checked; today's date when none is given."""
    given = {k: v for k, v in (("date", day), ("week", week), ("month", month)) if v}
    if len(given) > 1:
        raise click.UsageError("give one of --date, --week and --month")
    if not given:
        return {"date": date.today().isoformat()}
    ((kind, value),) = given.items()
    pattern, shape = _PERIODS[kind]
    ok = re.fullmatch(pattern, value) is not None
    if ok and kind == "date":
        ok = _valid(lambda: date.fromisoformat(value))
    elif ok and kind == "week":
        ok = _valid(lambda: date.fromisocalendar(int(value[:4]), int(value[6:]), 1))
    elif ok:
        ok = 1 <= int(value[5:]) <= 12
    if not ok:
        raise click.BadParameter(f"{value!r} is not {shape}", param_hint=f"--{kind}")
    return {kind: value}


def _valid(make) -> bool:
    try:
        make()
    except ValueError:
        return False
    return True


@ingest.command("ids")
@click.argument("ids", nargs=-1, required=True)
def ids_cmd(ids: tuple[str, ...]) -> None:
    """Fetch papers by arXiv id (2503.11677, 2504.00001v2, arXiv:...) from the query API."""
    from paperwire.ingest.byid import ingest_ids
    from paperwire.ingest.http import open_fetchers
    from paperwire.ingest.runs import format_counts, logged_run

    _setup_logging()
    settings = open_settings()
    with (
        open_store(settings) as store,
        logged_run(store, "ids", " ".join(ids)) as counts,
        open_fetchers(settings) as fetchers,  # inside the run: a missing contact address is logged
    ):
        results = ingest_ids(store, fetchers.arxiv, settings.arxiv_api_url, ids, counts)
    for r in results:
        click.echo(f"{r.ref}: {r.outcome.value}" if r.outcome else f"{r.ref}: error: {r.error}")
    click.echo(format_counts(counts))
    _exit_if_rejected(counts)


@ingest.command("github")
@click.option(
    "--limit", default=1_000, show_default=True, type=click.IntRange(1, 100_000), help="Most repos to check."
)
def github_cmd(limit: int) -> None:
    """Record GitHub stars of the repositories papers link to (needs PAPERWIRE_GITHUB_TOKEN)."""
    from paperwire.ingest.runs import format_counts, logged_run
    from paperwire.ingest.stars import OFF, ingest_github, open_github

    _setup_logging()
    settings = open_settings()
    if not settings.github_token:
        raise click.ClickException(OFF)
    with (
        open_store(settings) as store,
        logged_run(store, "github", f"--limit {limit}") as counts,
        closing(open_github(settings)) as fetcher,
    ):
        ingest_github(store, fetcher, settings, counts, limit=limit)
    click.echo(format_counts(counts))


@ingest.command("submissions")
def submissions_cmd() -> None:
    """Fetch the papers members submitted that the hub lacks (what `serve` does unless
    PAPERWIRE_SUBMISSION_FETCHER=false), until none is queued."""
    from paperwire.ingest.http import open_fetchers
    from paperwire.ingest.submissions import drain

    _setup_logging()
    settings = open_settings()
    with open_store(settings) as store, open_fetchers(settings) as fetchers:
        settled = drain(store, fetchers.arxiv, settings.arxiv_api_url)
    if settled is None:
        click.echo("another paperwire process is fetching the submitted papers; nothing to do here")
    else:
        click.echo(f"{settled} queued submissions settled")


@ingest.command("status")
@click.option("--runs", "limit", default=15, show_default=True, help="How many of the last runs to list.")
def status_cmd(limit: int) -> None:
    """Show harvest cursors, the latest announcement days and the last runs with counts and errors."""
    from paperwire.ingest.runs import format_counts

    settings = open_settings()
    with open_store(settings) as store:
        harvests, days, runs = (
            store.ingest.harvests(),
            store.announcements.recent(limit=10),
            store.ingest.recent_runs(limit),
        )
    click.echo("harvests")
    for h in harvests:
        under_way = ""
        if h.pending_token:
            under_way = (
                f"; under way from {h.pending_from or 'the start'}: {h.pending_pages} pages, "
                f"{h.pending_records} records stored (run it again to resume)"
            )
        click.echo(f"  {h.name:<12} cursor {h.cursor or 'none'}{under_way}")
    if not harvests:
        click.echo("  none yet (paperwire ingest arxiv)")
    click.echo("announcement days")
    for d in days:
        what = f"{d.new} new, {d.cross} cross, {d.replace} replace, {d.replace_cross} replace-cross"
        click.echo(f"  {d.day} {d.category:<10} {what if d.announced else 'no announcement'}")
    if not days:
        click.echo("  none yet (paperwire ingest daily)")
    click.echo("runs")
    for r in runs:
        when = r.started_at.strftime("%Y-%m-%d %H:%M:%S") if r.started_at else "?"
        status = "running (or killed)" if r.status == "running" else r.status
        counts = f"; {format_counts(r.counts)}" if r.counts else ""
        line = f"  #{r.id} {when} UTC {r.kind} {r.args} ({r.trigger}): {status}{counts}"
        click.echo(line + (f"; error: {r.error}" if r.error else ""))
    if not runs:
        click.echo("  none yet")


def _exit_if_rejected(counts) -> None:
    failures = ", ".join(f"{counts[k]} {k}" for k in ("rejected", "failed") if counts.get(k))
    if failures:
        raise click.ClickException(f"not everything could be stored: {failures} (see the log above)")
