"""`paperwire digest send|status` and `paperwire subscribers add|list|remove`."""

from __future__ import annotations

import json
from datetime import date

import click

from paperwire import PaperwireError
from paperwire.cli.context import open_settings, open_store
from paperwire.cli.options import iso_date
from paperwire.models.subscriptions import PREFERENCE_FIELDS, Preferences
from paperwire.subscriptions import FREQUENCIES, STATUSES, InvalidSubscription, parse_email


def _sender(settings, store, with_search: bool = True):
    from paperwire.digests.send import DigestSender
    from paperwire.mail import Mailer
    from paperwire.search import open_search
    from paperwire.web.security import resolve_secret_key

    search = open_search(settings, store) if with_search else None
    return DigestSender(settings, store, Mailer.from_settings(settings), search, resolve_secret_key(settings))


def _links(settings):
    from paperwire.digests.links import SubscriptionLinks
    from paperwire.web.security import resolve_secret_key

    return SubscriptionLinks(resolve_secret_key(settings), settings.base_url)


@click.group("digest")
def digest() -> None:
    """Email digests: send the due ones, or show the delivery ledger (docs/digests.md)."""


@digest.command("send")
@click.option("--date", "day", callback=iso_date, help="The announcement day (YYYY-MM-DD) the digests cover; "
              "default: every digest due now, at each subscriber's delivery time.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Compose and show the digests; write and send nothing.")
@click.option("--no-wait", is_flag=True, help="Exit at once if another sender is running.")
def send_cmd(day: date | None, dry_run: bool, no_wait: bool) -> None:
    """Compose the due digests into the delivery ledger and send them, each exactly once."""
    from paperwire.mail import NOT_CONFIGURED, MailError

    settings = open_settings()
    if not dry_run and not settings.smtp_url:
        raise MailError(NOT_CONFIGURED)
    with open_store(settings) as store:
        sender = _sender(settings, store)
        if dry_run:
            composed, planned = sender.compose(day)
            _show(store, composed)
            for key, (subscribers, why) in sorted(planned.no_papers.items()):
                click.echo(f"{key}: {subscribers} digest(s) not composed yet: {why}")
            return
        report = sender.run(day=day, wait=not no_wait, progress=lambda m: click.echo(m, err=True))
    click.echo(report.summary())
    if report.next_retry is not None:
        click.echo(
            f"{report.waiting} digest(s) wait for a retry from {report.next_retry:%Y-%m-%d %H:%M:%S} UTC: "
            "run this command again then (`paperwire serve` does it by itself)"
        )
    if report.error:
        raise PaperwireError(report.error)


def _show(store, composed) -> None:
    """Per digest: each paper's section, id, title and reason; a digest with none says why."""
    if not composed:
        click.echo("no digests are due")
        return
    subs = {}
    ids = sorted({item.paper_id for d in composed for item in d.items})
    titles = {pid: p.title for pid, p in store.papers.get_papers(ids).items()}
    for d in composed:
        if d.subscription_id not in subs:
            subs[d.subscription_id] = store.subscriptions.get_subscription(d.subscription_id)
        email = subs[d.subscription_id].email if subs[d.subscription_id] else d.subscription_id
        if not d.items:
            click.echo(f"{d.period} {email}: no papers: {d.empty_reason}")
            continue
        click.echo(f"{d.period} {email}: {len(d.items)} paper(s)")
        for item in d.items:
            title = " ".join(titles.get(item.paper_id, "").split())
            title = title if len(title) <= 72 else title[:71] + "…"
            click.echo(f"  {item.section.replace('_', ' '):8}  {item.paper_id}  {title}")
            if item.reason:
                click.echo(f"  {'':8}  why: {item.reason}")
    empty = sum(1 for d in composed if not d.items)
    click.echo(
        f"{len(composed) - empty} digest(s) would be sent, {empty} empty (dry run: nothing written or sent)"
    )


@digest.command("status")
@click.option("--period", help="One period: 2026-11-23 (daily) or 2026-W48 (weekly).")
@click.option("--failed", "show_failed", is_flag=True, help="List the failed deliveries with their errors.")
@click.option("--empty", "show_empty", is_flag=True, help="List the empty digests with why they are empty.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status_cmd(period: str | None, show_failed: bool, show_empty: bool, as_json: bool) -> None:
    """The delivery ledger: how many digests are sent, pending, failed and empty (and why)."""
    with open_store() as store:
        counts = store.digests.delivery_counts(period)
        failed = store.digests.deliveries(status="failed", period=period, limit=100) if show_failed else []
        empty = store.digests.deliveries(status="empty", period=period, limit=100) if show_empty else []
        by_status = store.subscriptions.subscription_counts()
    subscribers = {s: by_status.get(s, 0) for s in STATUSES}
    shown = ("sent", "pending", "sending", "failed", "empty", "cancelled")  # most asked first
    summary = {s: counts.get(s, 0) for s in shown}
    if as_json:
        out = {"period": period, "deliveries": summary, "subscribers": subscribers}
        out["failed"] = [{"email": d.email, "period": d.period, "error": d.last_error} for d in failed]
        out["empty"] = [{"email": d.email, "period": d.period, "reason": d.empty_reason} for d in empty]
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(
        f"deliveries{' for ' + period if period else ''}: "
        + ", ".join(f"{n} {s}" for s, n in summary.items())
    )
    click.echo("subscribers: " + ", ".join(f"{n} {s}" for s, n in subscribers.items()))
    for d in failed:
        click.echo(f"failed {d.period} {d.email}: {d.last_error}")
    for d in empty:
        click.echo(f"empty {d.period} {d.email}: {d.empty_reason or 'no reason recorded (before 0015)'}")
    if summary["empty"] and not show_empty:
        click.echo(f"{summary['empty']} empty digest(s): --empty lists why each is empty")


@click.group("subscribers")
def subscribers() -> None:
    """Digest subscribers, for operators (people subscribe themselves on the web)."""


@subscribers.command("add")
@click.argument("email")
@click.option("--confirmed", is_flag=True, help="Skip the confirmation mail (an existing list's import).")
@click.option("--topic", "topics", multiple=True, help="A topic, free text (repeatable).")
@click.option("--author", "authors", multiple=True, help="An author to follow (repeatable).")
@click.option("--category", "categories", multiple=True, help="An arXiv category like cs.LG (repeatable).")
@click.option("--frequency", type=click.Choice(FREQUENCIES), default="daily", show_default=True)
@click.option("--weekday", default="monday", show_default=True, help="The day a weekly digest goes out.")
@click.option("--time", "send_time", default="07:00", show_default=True, help="Delivery time, HH:MM.")
@click.option("--timezone", default="UTC", show_default=True, help="Time zone of --time, like Europe/Paris.")
@click.option("--trending", default=5, show_default=True, help="Trending papers per mail (0: none).")
@click.option("--max-papers", default=20, show_default=True, help="Papers per mail, at most.")
def add_cmd(email: str, confirmed: bool, **options) -> None:
    """Subscribe EMAIL; without --confirmed a confirmation mail goes out first."""
    from paperwire.digests.subscribe import Outcome, subscribe
    from paperwire.mail import NOT_CONFIGURED, Mailer, MailError

    try:
        parse_email(email)  # the address first: before the mail server, the options or the store
    except InvalidSubscription as exc:
        raise PaperwireError(str(exc)) from None
    settings = open_settings()
    if not confirmed and not settings.smtp_url:
        raise MailError(NOT_CONFIGURED + "; or add --confirmed to skip the confirmation mail")
    prefs = Preferences(
        frequency=options["frequency"],
        weekday=options["weekday"],
        send_time=options["send_time"],
        timezone=options["timezone"],
        trending=options["trending"],
        max_papers=options["max_papers"],
        topics=list(options["topics"]),
        authors=list(options["authors"]),
        categories=list(options["categories"]),
    )
    with open_store(settings) as store:
        try:
            sub, outcome = subscribe(
                store, Mailer.from_settings(settings), _links(settings), email, prefs, confirmed=confirmed
            )
        except InvalidSubscription as exc:
            raise PaperwireError(str(exc)) from None
    if outcome is Outcome.ACTIVE:
        click.echo(f"{sub.email} is subscribed ({sub.frequency})")
    elif outcome is Outcome.ALREADY_ACTIVE:
        click.echo(f"{sub.email} is subscribed already; a mail with its settings link went out")
    else:
        click.echo(f"a confirmation mail went to {sub.email}; nothing is sent before it is confirmed")


@subscribers.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only subscribers in this state.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
def list_cmd(status: str | None, as_json: bool) -> None:
    """Every subscriber, one per line."""
    with open_store() as store:
        offset = 0
        while batch := store.subscriptions.subscriptions(status, limit=1000, offset=offset):
            offset += len(batch)
            for s in batch:
                if as_json:
                    record = {"email": s.email, "status": s.status, "bounces": s.bounces}
                    record.update((name, getattr(s, name)) for name in PREFERENCE_FIELDS)
                    click.echo(json.dumps(record, ensure_ascii=False))
                else:
                    interests = len(s.topics) + len(s.authors) + len(s.categories)
                    click.echo(f"{s.email}\t{s.status}\t{s.frequency}\t{interests} interest(s)")


@subscribers.command("remove")
@click.argument("email")
def remove_cmd(email: str) -> None:
    """Delete EMAIL's subscription and its delivery history."""
    try:
        address = parse_email(email)
    except InvalidSubscription as exc:
        raise PaperwireError(str(exc)) from None
    with open_store() as store:
        sub = store.subscriptions.find_subscription(address)
        if sub is None:
            raise PaperwireError(f"no subscriber with the address {address}")
        store.subscriptions.delete_subscription(sub.id)
    click.echo(f"{address} is unsubscribed and removed")
