"""Users in the store: unique usernames, single-use sign-in tokens, sessions. Both databases."""

import threading
from datetime import UTC, datetime, timedelta

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def test_users_get_unique_usernames_from_their_address(seeded):
    a = seeded.users.get_or_create_user("jane.doe@example.org")
    b = seeded.users.get_or_create_user("jane.doe@other.example")
    assert (a.username, b.username) == ("jane.doe", "jane.doe-2")
    assert seeded.users.get_or_create_user("jane.doe@example.org") == a
    assert seeded.users.find_user(username="jane.doe-2") == b
    assert seeded.users.find_user(email="nobody@example.org") is None
    seeded.users.set_admin(a.id, True)
    assert seeded.users.get_user(a.id).is_admin
    found = seeded.users.ids_by_email(
        ["jane.doe@example.org", "nobody@example.org", "jane.doe@other.example"]
    )
    assert found == {"jane.doe@example.org": a.id, "jane.doe@other.example": b.id}
    assert seeded.users.ids_by_email([]) == {}


def test_signin_tokens_are_single_use_and_expire(seeded):
    seeded.users.save_signin_token("n1", "a@example.org", NOW + timedelta(minutes=15))
    seeded.users.save_signin_token("n2", "b@example.org", NOW - timedelta(seconds=1))
    assert seeded.users.use_signin_token("n1", NOW) == "a@example.org"
    assert seeded.users.use_signin_token("n1", NOW) is None  # used
    assert seeded.users.use_signin_token("n2", NOW) is None  # expired
    assert seeded.users.use_signin_token("unknown", NOW) is None


def test_a_token_used_by_two_threads_at_once_signs_in_once(seeded):
    seeded.users.save_signin_token("race", "a@example.org", NOW + timedelta(minutes=15))
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(seeded.users.use_signin_token("race", NOW)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("a@example.org") == 1


def test_sessions_expire_and_end(seeded):
    user = seeded.users.get_or_create_user("a@example.org")
    seeded.users.create_session("h1", user.id, NOW + timedelta(days=30))
    assert seeded.users.session_user("h1", NOW) == user
    assert seeded.users.session_user("h1", NOW + timedelta(days=31)) is None
    seeded.users.delete_session("h1")
    assert seeded.users.session_user("h1", NOW) is None
