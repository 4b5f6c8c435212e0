"""Sending digests through a real SMTP server (aiosmtpd), on both stores: the mail, the ledger,
retries and bounces, and exactly-once across runs and concurrent senders."""

import threading
from datetime import date

import pytest

from paperwire.digests.send import DigestSender
from paperwire.mail import Mailer
from paperwire.models.subscriptions import Preferences
from paperwire.papers import make_paper
from tests.support.hub import papers_of_week
from tests.support.smtp import SmtpInbox, free_port

SECRET = "digest-test-secret-" + "x" * 32
BASE = "https://hub.example.org"


@pytest.fixture
def hub_store(store):
    store.papers.upsert_papers(papers_of_week())
    voter = store.users.get_or_create_user("voter@x.org")
    store.votes.set_vote(voter.id, "2503.10004", True)
    return store


def _sender(settings, store, smtp_url, **overrides) -> DigestSender:
    s = settings.model_copy(
        update={"smtp_url": smtp_url, "base_url": BASE, "mail_from": "Hub <hub@example.org>", **overrides}
    )
    return DigestSender(s, store, Mailer.from_settings(s), None, SECRET)


def _subscribe(store, email, **prefs):
    sub, _ = store.subscriptions.create_subscription(
        email, Preferences(**prefs), status="active", nonce="n-" + email
    )
    return sub


def test_a_digest_mail_has_both_parts_and_the_headers_providers_require(settings, hub_store, smtp_inbox):
    _subscribe(hub_store, "ada@x.org", trending=3, categories=["cs.CL"])
    report = _sender(settings, hub_store, smtp_inbox.url).run(day=date(2025, 3, 18))
    assert (report.planned, report.sent, report.failed) == (1, 1, 0)
    (msg,) = smtp_inbox.wait_for(1)
    assert msg["To"] == "ada@x.org" and msg["From"] == "Hub <hub@example.org>"
    assert msg["Subject"] == "Paperwire: your papers for Tuesday 18 March 2025"
    assert msg["Date"] and msg["Message-ID"] == hub_store.digests.deliveries()[0].message_id
    assert msg["Message-ID"].endswith("@example.org>")
    assert msg["List-Unsubscribe"].startswith(f"<{BASE}/unsubscribe/") and msg["List-Unsubscribe"].endswith(
        ">"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for part in (text, html):
        assert f"{BASE}/papers/2503.10004" in part and "https://arxiv.org/abs/2503.10004" in part
        assert f"{BASE}/subscription?token=" in part and f"{BASE}/unsubscribe/" in part
    # The trending paper, then the cs.CL paper for this subscriber, with its reason.
    assert text.index("Vision transformers") < text.index("in cs.CL, a category you follow")
    assert "Language models &amp; &lt;b&gt;reasoning&lt;/b&gt;" in html and "<b>reasoning" not in html
    assert 'name="viewport"' in html and "max-width:600px" in html  # readable on a phone


def test_a_day_without_announcement_sends_nothing(settings, hub_store, smtp_inbox):
    _subscribe(hub_store, "ada@x.org", categories=["cs.LG"])
    sender = _sender(settings, hub_store, smtp_inbox.url)
    for quiet_day in (date(2025, 3, 20), date(2025, 3, 22)):  # no papers; a Saturday
        report = sender.run(day=quiet_day)
        assert report.planned == 0 and report.sent == 0
    assert hub_store.digests.deliveries() == [] and smtp_inbox.messages == []


def test_weekly_digests_go_out_on_the_chosen_weekday(settings, hub_store, smtp_inbox):
    _subscribe(hub_store, "weekly@x.org", frequency="weekly", weekday=2, trending=0, categories=["cs.AI"])
    sender = _sender(settings, hub_store, smtp_inbox.url)
    assert sender.run(day=date(2025, 3, 18)).planned == 0  # a Tuesday
    report = sender.run(day=date(2025, 3, 19))  # the Wednesday
    assert report.periods == {"2025-W12": 1} and report.sent == 1
    (msg,) = smtp_inbox.wait_for(1)
    assert msg["Subject"] == "Paperwire: your papers for the week 13 Mar – 19 Mar 2025"
    text = msg.get_body(("plain",)).get_content()
    assert "Planning with abstractions" in text and "Agents that write compilers" in text


def test_no_digest_twice_and_no_paper_twice(settings, hub_store, smtp_inbox):
    _subscribe(hub_store, "ada@x.org", trending=5, categories=["cs.LG", "cs.CL"])
    sender = _sender(settings, hub_store, smtp_inbox.url)
    assert sender.run(day=date(2025, 3, 18)).sent == 1
    assert sender.run(day=date(2025, 3, 18)).planned == 0  # the same day again: already in the ledger
    assert sender.run(day=date(2025, 3, 19)).sent == 1
    first, second = smtp_inbox.wait_for(2)
    ids = [
        {
            line.split("/papers/")[1]
            for line in m.get_body(("plain",)).get_content().split()
            if "/papers/" in line
        }
        for m in (first, second)
    ]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    assert "2503.10004" in ids[0]  # trending on the 18th, so not repeated on the 19th
    assert hub_store.digests.delivery_counts() == {"sent": 2}


def test_451_is_retried_then_550_deactivates(settings, hub_store):
    replies = {"gone@x.org": ["451 4.7.1 Greylisted, try again later", "550 5.1.1 No such user"]}
    with SmtpInbox(replies=replies) as inbox:
        _subscribe(hub_store, "gone@x.org", categories=["cs.CV"])
        _subscribe(hub_store, "fine@x.org", categories=["cs.CV"])
        sender = _sender(settings, hub_store, inbox.url, digest_retry_seconds=0.05, digest_max_bounces=1)
        report = sender.run(day=date(2025, 3, 18))
        assert (report.sent, report.retried, report.failed, report.deactivated) == (1, 1, 1, 1)
        assert [e[1] for e in inbox.envelopes] == [["fine@x.org"]]
        assert inbox.rcpt_attempts["gone@x.org"] == 2
    (failed,) = hub_store.digests.deliveries(status="failed")
    assert (
        failed.email == "gone@x.org"
        and failed.attempts == 2
        and failed.last_error.endswith("refused the recipient gone@x.org (550 5.1.1 No such user)")
    )
    gone = hub_store.subscriptions.find_subscription("gone@x.org")
    assert (gone.status, gone.bounces) == ("deactivated", 1)


def test_temporary_failures_give_up_after_the_attempts_without_a_bounce(settings, hub_store):
    with SmtpInbox(replies={"busy@x.org": ["451 4.3.0 busy"] * 3}) as inbox:
        _subscribe(hub_store, "busy@x.org", categories=["cs.CV"])
        sender = _sender(settings, hub_store, inbox.url, digest_retry_seconds=0.02, digest_max_attempts=3)
        report = sender.run(day=date(2025, 3, 18))
    assert (report.retried, report.failed, report.sent) == (2, 1, 0)
    assert hub_store.subscriptions.find_subscription("busy@x.org").status == "active"


def test_an_unreachable_server_stops_the_run_and_loses_nothing(settings, hub_store, smtp_inbox):
    for i in range(5):
        _subscribe(hub_store, f"s{i}@x.org", categories=["cs.CV"])
    down = _sender(
        settings, hub_store, f"smtp://127.0.0.1:{free_port()}", smtp_concurrency=1, digest_retry_seconds=0.05
    )
    report = down.run(day=date(2025, 3, 18))
    assert report.sent == 0 and "stopped sending: cannot connect" in report.error
    assert hub_store.digests.delivery_counts().get("sent", 0) == 0
    up = _sender(settings, hub_store, smtp_inbox.url, digest_retry_seconds=0.01)
    assert up.run(day=date(2025, 3, 18)).sent == 5
    smtp_inbox.wait_for(5)
    assert sorted(e[1][0] for e in smtp_inbox.envelopes) == [f"s{i}@x.org" for i in range(5)]


def test_dry_run_writes_and_sends_nothing(settings, hub_store, smtp_inbox):
    _subscribe(hub_store, "ada@x.org", categories=["cs.CV"])
    composed, _report = _sender(settings, hub_store, smtp_inbox.url).compose(date(2025, 3, 18))
    assert [d.period for d in composed] == ["2025-03-18"] and composed[0].items
    assert hub_store.digests.deliveries() == [] and smtp_inbox.messages == []


def test_a_week_without_papers_waits_for_them_and_says_so(settings, hub_store, smtp_inbox):
    # A hub that was down all week: its weekly digest is not composed (nor recorded as empty) until the
    # week's papers arrive, and every run says why it composed nothing.
    sunday = date(2025, 3, 30)
    _subscribe(hub_store, "w@x.org", frequency="weekly", weekday=sunday.weekday(), categories=["cs.CV"])
    sender = _sender(settings, hub_store, smtp_inbox.url)
    why = "no papers were announced from 2025-03-24 to 2025-03-30"
    report = sender.run(day=sunday)
    assert report.planned == 0 and report.no_papers == {"2025-W13": (1, why)}
    assert f"2025-W13: 1 digest(s) not composed yet: {why}" in report.summary().splitlines()
    assert hub_store.digests.deliveries() == []
    _composed, planned = sender.compose(sunday)
    assert planned.no_papers == {"2025-W13": (1, why)}
    late = make_paper(
        id="2503.20001",
        title="Late vision paper",
        categories=["cs.CV"],
        announced=date(2025, 3, 26),
        source="arxiv-listing",
    )
    hub_store.papers.upsert_papers([late])  # the hub catches up
    report = sender.run(day=sunday)
    assert (report.planned, report.sent, report.no_papers) == (1, 1, {})
    (msg,) = smtp_inbox.wait_for(1)
    assert "Late vision paper" in msg.get_body(("plain",)).get_content()


def test_concurrent_senders_send_each_digest_once(settings, hub_store, smtp_inbox):
    for i in range(40):
        _subscribe(hub_store, f"s{i:02d}@x.org", categories=["cs.CV", "cs.LG"])
    reports = []

    def send():
        reports.append(
            _sender(settings, hub_store, smtp_inbox.url, smtp_concurrency=2).run(day=date(2025, 3, 18))
        )

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == 40 and sum(r.planned for r in reports) == 40
    smtp_inbox.wait_for(40)
    recipients = sorted(e[1][0] for e in smtp_inbox.envelopes)
    assert recipients == [f"s{i:02d}@x.org" for i in range(40)]
    assert len({m["Message-ID"] for m in smtp_inbox.messages}) == 40


def test_unsubscribed_and_pending_addresses_get_nothing(settings, hub_store, smtp_inbox):
    _subscribe(hub_store, "left@x.org", categories=["cs.CV"])
    hub_store.subscriptions.set_subscription_status(
        hub_store.subscriptions.find_subscription("left@x.org").id, "unsubscribed"
    )
    hub_store.subscriptions.create_subscription(
        "pending@x.org", Preferences(categories=["cs.CV"]), status="pending", nonce="p"
    )
    report = _sender(settings, hub_store, smtp_inbox.url).run(day=date(2025, 3, 18))
    assert report.planned == 0 and smtp_inbox.messages == []


def test_a_long_unsubscribe_url_stays_one_plain_header(settings, hub_store, smtp_inbox):
    """Providers read List-Unsubscribe as RFC 2369's <URL>: it must not be folded into encoded words."""
    long_base = "https://papers.research-group.example.org/hubs/machine-learning-reading-group"
    _subscribe(hub_store, "ada@x.org", categories=["cs.CV"])
    sender = _sender(settings, hub_store, smtp_inbox.url, base_url=long_base)
    assert sender.run(day=date(2025, 3, 18)).sent == 1
    smtp_inbox.wait_for(1)
    raw = smtp_inbox.raw[0].decode()  # as sent: a parsed message would be refolded when written again
    header = next(line for line in raw.splitlines() if line.startswith("List-Unsubscribe:"))
    assert header.startswith(f"List-Unsubscribe: <{long_base}/unsubscribe/") and header.endswith(">")
    assert "=?" not in header and len(header) > 78


def test_a_header_that_could_inject_lines_is_refused(settings, hub_store):
    from paperwire.mail import MailError
    from paperwire.models.digests import Delivery

    sender = _sender(settings, hub_store, "smtp://127.0.0.1:25")
    bad = Delivery(1, 1, "ada@x.org\r\nBcc: victim@x.org", "2025-03-18", "daily", date(2025, 3, 18),
                   date(2025, 3, 18), "pending", "<m@x>", [])  # fmt: skip
    with pytest.raises(MailError, match="must be one line"):
        sender.renderer.message(bad, {})
