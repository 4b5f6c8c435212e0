"""`paperwire admin grant|revoke|list` (make a user an admin, or take it back) and `paperwire signin-link`."""

from __future__ import annotations

import click

from paperwire import PaperwireError
from paperwire.cli.context import open_settings, open_store
from paperwire.users import InvalidEmail, normalize_email


@click.group("admin")
def admin() -> None:
    """Admins hide papers and comments."""


@admin.command("grant")
@click.argument("email")
def grant_cmd(email: str) -> None:
    """Make the user with this address an admin (creating the account if needed)."""
    user = _set(email, True)
    click.echo(f"{user.username} <{user.email}> is an admin")


@admin.command("revoke")
@click.argument("email")
def revoke_cmd(email: str) -> None:
    """Take admin rights away from the user with this address."""
    user = _set(email, False)
    click.echo(f"{user.username} <{user.email}> is no longer an admin")


@admin.command("list")
def list_cmd() -> None:
    """Every admin, one per line."""
    with open_store() as store:
        for user in store.users.admins():
            click.echo(f"{user.username} <{user.email}>")


def _set(email: str, is_admin: bool):

    try:
        address = normalize_email(email)
    except InvalidEmail as exc:
        raise PaperwireError(str(exc)) from None
    with open_store() as store:
        user = store.users.get_or_create_user(address) if is_admin else store.users.find_user(email=address)
        if user is None:
            raise PaperwireError(f"no user with the address {address}")
        store.users.set_admin(user.id, is_admin)
        return store.users.get_user(user.id)


@click.command("signin-link")
@click.argument("email")
@click.option("--next", "next_", default="/", show_default=True, help="The page to open once signed in.")
@click.option(
    "--base-url",
    metavar="URL",
    help="The hub's address in the link; default PAPERWIRE_BASE_URL.",
)
def signin_link_cmd(email: str, next_: str, base_url: str | None) -> None:
    """Print a one-time sign-in link for EMAIL: how the operator signs in without a mail server.

    The link is the one a sign-in mail carries: it works once, within 15 minutes, and creates the
    account on first use. Anyone who has it can use it: hand it over only to the address's owner.
    """
    from paperwire.web.security import SIGNIN_LINK_MINUTES, Security, resolve_secret_key

    try:
        address = normalize_email(email)
    except InvalidEmail as exc:
        raise PaperwireError(str(exc)) from None
    settings = open_settings()
    if base_url is not None:
        try:
            settings = open_settings(base_url=base_url)
        except PaperwireError as exc:
            raise click.BadParameter(str(exc).split(": ", 1)[-1], param_hint="--base-url") from None
    with open_store(settings) as store:
        security = Security(settings, store, resolve_secret_key(settings))
        link = security.signin_link(settings.base_url, address, next_)
    click.echo(link)
    click.echo(f"signs in {address} once, within {SIGNIN_LINK_MINUTES} minutes", err=True)
    if "base_url" not in settings.model_fields_set:
        click.echo(
            f"(PAPERWIRE_BASE_URL is not set: if `serve` listens elsewhere than {settings.base_url}, "
            "pass its address with --base-url)",
            err=True,
        )
