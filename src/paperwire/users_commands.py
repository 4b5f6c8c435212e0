"""`paperwire admin`: make a user an admin, or take it back."""

from __future__ import annotations

import click

from paperwire import PaperwireError
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
    from paperwire.cli import _store

    with _store() as store:
        for user in store.admins():
            click.echo(f"{user.username} <{user.email}>")


def _set(email: str, is_admin: bool):
    from paperwire.cli import _store

    try:
        address = normalize_email(email)
    except InvalidEmail as exc:
        raise PaperwireError(str(exc)) from None
    with _store() as store:
        user = store.get_or_create_user(address) if is_admin else store.find_user(email=address)
        if user is None:
            raise PaperwireError(f"no user with the address {address}")
        store.set_admin(user.id, is_admin)
        return store.get_user(user.id)
