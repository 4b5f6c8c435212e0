"""`paperwire migrate` and `paperwire copy`: the database's schema, and a copy into PostgreSQL."""

from __future__ import annotations

import click

from paperwire.cli.context import open_settings


@click.command("migrate")
def migrate_cmd() -> None:
    """Bring the database schema up to date.

    Back up the database first on a hub that matters.
    """
    from paperwire.storage import migrate_database

    before, after = migrate_database(open_settings())
    if before == after:
        click.echo(f"schema is up to date (revision {after})")
    else:
        click.echo(f"schema migrated from {before or 'empty'} to {after}")


@click.command("copy")
@click.option("--to", "target", required=True, metavar="URL", help="The PostgreSQL database to copy into.")
def copy_cmd(target: str) -> None:
    """Copy this hub into a PostgreSQL database: every table, the vectors too (nothing is embedded again).

    An empty database is set up first. The copy is one transaction and checks that both sides have the
    same counts before it commits; running it again brings the target up to date.
    """
    from paperwire.storage import copy_to
    from paperwire.storage.urls import masked_url

    report = copy_to(open_settings(), target)
    click.echo(f"{'table':<20}{'source':>12}{'target':>12}")
    for t in report.tables:
        click.echo(f"{t.table:<20}{t.source:>12,}{t.target:>12,}")
    click.echo(f"copied {len(report.tables)} tables to {masked_url(target)}; every count matches")
