"""Subscribing with double opt-in, shared by the web, the API and the CLI."""

from __future__ import annotations

from enum import StrEnum

from paperwire.digests.links import CONFIRM_HOURS, SubscriptionLinks, new_nonce
from paperwire.mail import Mailer
from paperwire.models.subscriptions import Preferences, Subscription
from paperwire.storage import Store
from paperwire.subscriptions import clean, parse_email


class Outcome(StrEnum):
    CONFIRMATION_SENT = "confirmation_sent"  # a new or pending subscription: the address must confirm
    ALREADY_ACTIVE = "already_active"  # told by mail, with the settings link; nothing changed
    ACTIVE = "active"  # created confirmed (an operator's import)


def subscribe(
    store: Store,
    mailer: Mailer | None,
    links: SubscriptionLinks,
    email: str,
    prefs: Preferences,
    *,
    confirmed: bool = False,
) -> tuple[Subscription, Outcome]:
    """Subscribe `email`. Unconfirmed, nothing but a confirmation mail goes out until its link is used.

    The answer a stranger sees does not depend on whether the address was subscribed already: that is
    told to the address's owner, by mail."""
    address = parse_email(email)
    prefs = clean(prefs)
    status = "active" if confirmed else "pending"
    sub, created = store.subscriptions.create_subscription(address, prefs, status=status, nonce=new_nonce())
    if confirmed:
        if not created:
            sub = store.subscriptions.update_subscription(sub.id, prefs)
            if not sub.active:
                sub = store.subscriptions.set_subscription_status(sub.id, "active", nonce=new_nonce()) or sub
        return sub, Outcome.ACTIVE
    if not created and sub.active:
        _send(mailer, sub.email, "You are subscribed already", _already_text(links, sub))
        return sub, Outcome.ALREADY_ACTIVE
    if not created:
        # Pending, unsubscribed or deactivated: start over, with what was asked for this time. A new
        # nonce revokes the links sent before.
        store.subscriptions.update_subscription(sub.id, prefs)
        sub = store.subscriptions.set_subscription_status(sub.id, "pending", nonce=new_nonce()) or sub
    _send(mailer, sub.email, "Confirm your Paperwire digest subscription", _confirm_text(links, sub))
    return sub, Outcome.CONFIRMATION_SENT


def _send(mailer: Mailer | None, to: str, subject: str, text: str) -> None:
    if mailer is None:
        return
    mailer.send(mailer.build_message(to, subject, text))


def _confirm_text(links: SubscriptionLinks, sub: Subscription) -> str:
    return (
        f"Someone, probably you, asked for Paperwire digests at {sub.email} from {links.base_url}.\n\n"
        "To start receiving them, confirm by opening this link:\n\n"
        f"{links.confirm_url(sub.id, sub.nonce)}\n\n"
        f"It works for {CONFIRM_HOURS} hours. If you did not ask for this, ignore this email: "
        "nothing will be sent to you."
    )


def _already_text(links: SubscriptionLinks, sub: Subscription) -> str:
    return (
        f"Someone, probably you, asked to subscribe {sub.email} to the Paperwire digest at {links.base_url}, "
        "but this address is subscribed already.\n\n"
        f"Change what you get: {links.manage_url(sub.id, sub.nonce)}\n"
        f"Unsubscribe: {links.unsubscribe_url(sub.id, sub.nonce)}\n"
    )
