"""The `paperwire` command: a thin layer over the library. Every command is documented in docs/cli.md.

Each command group has its module here (papers.py: import, export, show, stats; ingest.py; search.py:
search and index; digests.py: digest and subscribers; users.py: admin and signin-link; database.py:
migrate and copy; serve.py). They open the settings and the store through `paperwire.cli.context`, and
this module registers every command on the group, in one place (see docs/development.md).
"""

from __future__ import annotations

import click

from paperwire import PaperwireError, __version__
from paperwire.cli.database import copy_cmd, migrate_cmd
from paperwire.cli.digests import digest, subscribers
from paperwire.cli.ingest import ingest
from paperwire.cli.papers import export_cmd, import_cmd, show_cmd, stats_cmd
from paperwire.cli.search import index_cmd, search_cmd
from paperwire.cli.serve import serve_cmd
from paperwire.cli.users import admin, signin_link_cmd

# Every command, registered on the group below: the one place a new command is added.
COMMANDS = (
    import_cmd,
    export_cmd,
    show_cmd,
    stats_cmd,
    migrate_cmd,
    copy_cmd,
    serve_cmd,
    search_cmd,
    index_cmd,
    admin,
    signin_link_cmd,
    digest,
    subscribers,
    ingest,
)


class _Group(click.Group):
    """Turns PaperwireError into a one-line `Error: ...` and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PaperwireError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paperwire")
def cli() -> None:
    """Paperwire: a self-hostable research-paper hub.

    Settings come from PAPERWIRE_* environment variables (see docs/settings.md).
    """


def main() -> None:
    cli(prog_name="paperwire")
