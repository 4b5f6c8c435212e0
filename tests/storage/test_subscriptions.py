"""Subscriptions and the delivery ledger, on both stores."""

from datetime import UTC, date, datetime, timedelta

import pytest

from paperwire.models.digests import FOR_YOU, TRENDING, DigestItem, NewDelivery
from paperwire.models.subscriptions import Preferences
from paperwire.storage import NotFound
from tests.support.hub import papers_of_week

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _digest(sub_id: int, period: str = "2025-03-18", items=None) -> NewDelivery:
    if items is None:
        items = [DigestItem("2503.10002", TRENDING), DigestItem("2503.10003", FOR_YOU, "matches “x”")]
    day = date.fromisoformat(period) if "W" not in period else date(2025, 3, 19)
    return NewDelivery(sub_id, period, "daily", day, day, f"<d.{sub_id}.{period}@test>", items)


@pytest.fixture
def subs(store):
    store.papers.upsert_papers(papers_of_week())
    a, _ = store.subscriptions.create_subscription(
        "a@x.org", Preferences(topics=["graphs"]), status="active", nonce="na"
    )
    b, _ = store.subscriptions.create_subscription("b@x.org", Preferences(), status="active", nonce="nb")
    return store, a, b


def test_one_subscription_per_address(store):
    first, created = store.subscriptions.create_subscription(
        "a@x.org", Preferences(), status="pending", nonce="n1"
    )
    again, created_again = store.subscriptions.create_subscription(
        "a@x.org", Preferences(topics=["other"]), status="active", nonce="n2"
    )
    assert created and not created_again
    assert again.id == first.id and again.status == "pending" and again.topics == [] and again.nonce == "n1"
    assert store.subscriptions.find_subscription("a@x.org").id == first.id
    assert store.subscriptions.find_subscription("nobody@x.org") is None


def test_preferences_round_trip(store):
    prefs = Preferences(
        frequency="weekly",
        weekday=4,
        send_time="06:30",
        timezone="Asia/Tokyo",
        trending=0,
        for_you=True,
        max_papers=12,
        topics=["graph “neural” networks"],
        authors=["Ada Lovelace"],
        categories=["cs.LG", "stat.ML"],
    )
    sub, _ = store.subscriptions.create_subscription("a@x.org", Preferences(), status="pending", nonce="n")
    updated = store.subscriptions.update_subscription(sub.id, prefs)
    assert Preferences.of(updated) == prefs == Preferences.of(store.subscriptions.get_subscription(sub.id))
    with pytest.raises(NotFound):
        store.subscriptions.update_subscription(sub.id + 100, prefs)


def test_confirming_only_changes_a_pending_subscription(store):
    sub, _ = store.subscriptions.create_subscription("a@x.org", Preferences(), status="pending", nonce="n")
    assert sub.confirmed_at is None
    confirmed = store.subscriptions.set_subscription_status(sub.id, "active", expect="pending")
    assert confirmed.status == "active" and confirmed.confirmed_at is not None
    assert store.subscriptions.set_subscription_status(sub.id, "active", expect="pending") is None
    revoked = store.subscriptions.set_subscription_status(sub.id, "unsubscribed", nonce="new")
    assert (revoked.status, revoked.nonce) == ("unsubscribed", "new")
    assert store.subscriptions.subscription_counts() == {"unsubscribed": 1}


def test_ledger_holds_one_row_per_subscriber_and_period(subs):
    store, a, b = subs
    assert store.digests.add_deliveries([_digest(a.id), _digest(b.id, items=[])], NOW) == 2
    # A second sender composing the same period adds nothing, and its papers are not recorded.
    other = _digest(a.id, items=[DigestItem("2503.10008", TRENDING)])
    assert store.digests.add_deliveries([other], NOW) == 0
    assert store.digests.planned("2025-03-18") == {a.id, b.id}
    assert store.digests.sent_papers([a.id, b.id]) == {a.id: {"2503.10002", "2503.10003"}, b.id: set()}
    assert store.digests.delivery_counts() == {"pending": 1, "empty": 1}
    (row,) = store.digests.due_deliveries(NOW, 10)
    assert row.email == "a@x.org" and row.nonce == "na" and row.message_id == f"<d.{a.id}.2025-03-18@test>"
    assert row.items == [DigestItem("2503.10002", TRENDING), DigestItem("2503.10003", FOR_YOU, "matches “x”")]
    assert (row.start, row.end, row.frequency) == (date(2025, 3, 18), date(2025, 3, 18), "daily")
    assert row.empty_reason is None


def test_an_empty_digest_keeps_its_reason(subs):
    store, a, b = subs
    empty = _digest(b.id, items=[])
    empty.empty_reason = "every paper of the period was in an earlier digest"
    store.digests.add_deliveries([_digest(a.id), empty], NOW)
    (row,) = store.digests.deliveries(status="empty")
    assert (row.email, row.status) == ("b@x.org", "empty")
    assert row.empty_reason == "every paper of the period was in an earlier digest"
    assert store.digests.deliveries(status="pending")[0].empty_reason is None


@pytest.mark.parametrize("backend_name", ["sqlite", "postgres"])
def test_migration_0015_adds_the_reason_to_a_ledger_with_rows(backend_name, tmp_path, request):
    from alembic import command

    from paperwire.settings import load_settings
    from paperwire.storage import migrate_database, open_store
    from paperwire.storage.migrate import HEAD, _config

    url = None
    if backend_name == "postgres":
        url = request.getfixturevalue("postgres").new_database(migrated=False)
    settings = load_settings(data_dir=tmp_path, database_url=url)
    with open_store(settings) as s:
        s.papers.upsert_papers(papers_of_week())
        sub, _ = s.subscriptions.create_subscription("a@x.org", Preferences(), status="active", nonce="n")
        s.digests.add_deliveries([_digest(sub.id)], NOW)
    command.downgrade(_config(settings.resolved_database_url), "0014")
    assert migrate_database(settings) == ("0014", HEAD)
    with open_store(settings) as s:
        (old,) = s.digests.deliveries()
        assert old.empty_reason is None and len(old.items) == 2  # the row written before is kept
        empty = _digest(sub.id, period="2025-03-19", items=[])
        empty.empty_reason = "no papers were announced for 2025-03-19"
        s.digests.add_deliveries([empty], NOW)
        assert s.digests.deliveries(status="empty")[0].empty_reason == empty.empty_reason


def test_a_delivery_is_claimed_once(subs):
    store, a, _ = subs
    store.digests.add_deliveries([_digest(a.id)], NOW)
    (row,) = store.digests.due_deliveries(NOW, 10)
    assert store.digests.claim_delivery(row.id, NOW)
    assert not store.digests.claim_delivery(row.id, NOW)  # a second sender gets nothing
    assert store.digests.due_deliveries(NOW, 10) == []
    store.digests.delivered(row.id, NOW)
    (sent,) = store.digests.deliveries(status="sent")
    assert sent.attempts == 1 and sent.sent_at is not None
    store.digests.delivered(row.id, NOW)  # marking twice changes nothing
    assert store.digests.delivery_counts() == {"sent": 1}


def test_retry_waits_until_its_time(subs):
    store, a, _ = subs
    store.digests.add_deliveries([_digest(a.id)], NOW)
    (row,) = store.digests.due_deliveries(NOW, 10)
    store.digests.claim_delivery(row.id, NOW)
    later = NOW + timedelta(minutes=2)
    store.digests.retry_delivery(row.id, "451 try later", later)
    assert store.digests.due_deliveries(NOW, 10) == []
    assert store.digests.next_retry_at() == later
    (due,) = store.digests.due_deliveries(later, 10)
    assert due.attempts == 1 and due.last_error == "451 try later"


def test_bounces_in_a_row_deactivate_and_a_delivery_resets_them(subs):
    store, a, _ = subs
    periods = ["2025-03-17", "2025-03-18", "2025-03-19", "2025-W12"]
    digests = [
        _digest(a.id, p, items=[DigestItem(f"2503.1000{i + 1}", TRENDING)]) for i, p in enumerate(periods)
    ]
    store.digests.add_deliveries(digests, NOW)
    ids = [d.id for d in sorted(store.digests.due_deliveries(NOW, 10), key=lambda d: d.id)]
    for i in ids:
        store.digests.claim_delivery(i, NOW)
    assert not store.digests.fail_delivery(ids[0], "550 no such user", bounce=True, max_bounces=2)
    store.digests.delivered(ids[1], NOW)  # a delivery in between ends the run of bounces
    assert store.subscriptions.get_subscription(a.id).bounces == 0
    assert not store.digests.fail_delivery(ids[2], "550 no such user", bounce=True, max_bounces=2)
    assert store.digests.fail_delivery(ids[3], "550 no such user", bounce=True, max_bounces=2)
    sub = store.subscriptions.get_subscription(a.id)
    assert (sub.status, sub.bounces, sub.last_error) == ("deactivated", 2, "550 no such user")
    assert store.digests.delivery_counts() == {"failed": 3, "sent": 1}


def test_a_temporary_failure_is_no_bounce(subs):
    store, a, _ = subs
    store.digests.add_deliveries([_digest(a.id)], NOW)
    (row,) = store.digests.due_deliveries(NOW, 10)
    store.digests.claim_delivery(row.id, NOW)
    assert not store.digests.fail_delivery(row.id, "451 gave up", bounce=False, max_bounces=1)
    assert store.subscriptions.get_subscription(a.id).status == "active"
    assert [d.last_error for d in store.digests.deliveries(status="failed")] == ["451 gave up"]


def test_interrupted_deliveries_are_recovered(subs):
    store, a, b = subs
    store.digests.add_deliveries([_digest(a.id), _digest(b.id)], NOW)
    first, second = store.digests.due_deliveries(NOW, 10)
    store.digests.claim_delivery(first.id, NOW)
    assert store.digests.recover_deliveries() == 1
    assert [d.id for d in store.digests.due_deliveries(NOW, 10)] == [first.id, second.id]


def test_inactive_subscribers_get_nothing_due(subs):
    store, a, b = subs
    store.digests.add_deliveries([_digest(a.id), _digest(b.id)], NOW)
    store.subscriptions.set_subscription_status(a.id, "unsubscribed")
    assert [d.email for d in store.digests.due_deliveries(NOW, 10)] == ["b@x.org"]
    assert store.digests.delivery_counts() == {"pending": 1, "cancelled": 1}


def test_removing_a_subscription_removes_its_history(subs):
    store, a, _ = subs
    store.digests.add_deliveries([_digest(a.id)], NOW)
    assert store.subscriptions.delete_subscription(a.id)
    assert store.digests.deliveries() == [] and store.digests.sent_papers([a.id]) == {a.id: set()}
    assert not store.subscriptions.delete_subscription(a.id)


def test_announced_days(subs):
    store, _, _ = subs
    assert store.periods.announced_days(date(2025, 3, 16), date(2025, 3, 23)) == [
        date(2025, 3, 17),
        date(2025, 3, 18),
        date(2025, 3, 19),
    ]
