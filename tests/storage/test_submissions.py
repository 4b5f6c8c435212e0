"""The fetch queue of submissions (storage/submissions.py) on both databases: bounds, repeats,
states, and who sees what."""

import threading
from datetime import date

import pytest

from paperwire.models.submissions import QueueFull

DAY = date(2025, 3, 18)


def test_queue_settle_and_list(store):
    ada = store.users.get_or_create_user("ada@example.org")
    first, created = store.submissions.queue_submission("2503.11701", ada.id, DAY, per_user=5, total=10)
    assert created and (first.state, first.username, first.day, first.error) == ("queued", "ada", DAY, None)
    again, created = store.submissions.queue_submission("2503.11701", ada.id, DAY, per_user=5, total=10)
    assert not created and again.id == first.id
    second, _ = store.submissions.queue_submission("2503.11702", ada.id, DAY, per_user=5, total=10)
    assert [q.id for q in store.submissions.queued_submissions()] == [first.id, second.id]  # oldest first
    assert store.submissions.count_queued_submissions() == 2
    store.submissions.finish_queued_submission(first.id, "done")
    store.submissions.finish_queued_submission(second.id, "failed", "2503.11702: not found on arXiv")
    done = store.submissions.get_queued_submission(first.id)
    assert done.state == "done" and done.finished_at >= done.created_at
    assert store.submissions.queued_submissions() == [] and store.submissions.count_queued_submissions() == 0
    assert [(q.paper_id, q.error) for q in store.submissions.user_queued_submissions(ada.id)] == [
        ("2503.11702", "2503.11702: not found on arXiv")
    ]
    # Once settled, the same id may be queued again (the submitter tries again later).
    assert store.submissions.queue_submission("2503.11702", ada.id, DAY, per_user=5, total=10)[1]
    assert store.submissions.get_queued_submission(999) is None
    with pytest.raises(ValueError):
        store.submissions.finish_queued_submission(first.id, "queued")


def test_the_queue_is_bounded(store):
    ada = store.users.get_or_create_user("ada@example.org")
    bo = store.users.get_or_create_user("bo@example.org")
    store.submissions.queue_submission("2504.00001", ada.id, DAY, per_user=2, total=3)
    store.submissions.queue_submission("2504.00002", ada.id, DAY, per_user=2, total=3)
    with pytest.raises(QueueFull, match="you have 2 submissions waiting for arXiv"):
        store.submissions.queue_submission("2504.00003", ada.id, DAY, per_user=2, total=3)
    store.submissions.queue_submission("2504.00004", bo.id, DAY, per_user=2, total=3)
    with pytest.raises(QueueFull, match="3 submissions are waiting"):
        store.submissions.queue_submission("2504.00005", bo.id, DAY, per_user=2, total=3)
    assert store.submissions.count_queued_submissions() == 3


def test_concurrent_submitters_never_pass_the_bound(store):
    users = [store.users.get_or_create_user(f"u{i}@example.org") for i in range(8)]
    refused = []

    def submit(user):
        for n in range(3):
            try:
                store.submissions.queue_submission(
                    f"2504.{user.id:03d}{n:02d}", user.id, DAY, per_user=10, total=12
                )
            except QueueFull:
                refused.append(user.id)

    threads = [threading.Thread(target=submit, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.submissions.count_queued_submissions() == 12 and len(refused) == 24 - 12
