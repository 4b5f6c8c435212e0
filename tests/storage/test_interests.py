"""A member's interests and feed nonce (store.interests), on both databases; migration 0014 on a hub
that has users; deleting a user leaves no rows behind."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from paperwire.models.interests import Interests
from paperwire.settings import load_settings
from paperwire.storage import migrate_database, open_store
from paperwire.storage.migrate import HEAD, _config, sqlalchemy_url


def test_interests_are_replaced_whole_kept_in_order_and_per_user(store):
    ada = store.users.get_or_create_user("ada@example.org")
    bob = store.users.get_or_create_user("bob@example.org")
    assert store.interests.get(ada.id) == Interests() and not store.interests.get(ada.id)
    given = Interests(["zebra finches", "attention", "zebra finches"], ["Grace Hopper"], ["cs.LG", "cs.CL"])
    stored = store.interests.replace(ada.id, given)
    assert stored == Interests(["zebra finches", "attention"], ["Grace Hopper"], ["cs.LG", "cs.CL"])
    assert store.interests.get(bob.id) == Interests()
    store.interests.replace(bob.id, Interests(topics=["trees"]))
    assert store.interests.replace(ada.id, Interests(categories=["math.CO"])) == Interests(
        [], [], ["math.CO"]
    )
    assert store.interests.get(bob.id).topics == ["trees"]
    cy = store.users.get_or_create_user("cy@example.org")
    assert store.interests.get_many([ada.id, bob.id, cy.id]) == {
        ada.id: Interests([], [], ["math.CO"]),
        bob.id: Interests(topics=["trees"]),
        cy.id: Interests(),
    }
    assert store.interests.get_many([]) == {}


def test_the_feed_nonce_is_set_and_replaced_per_user(store):
    ada = store.users.get_or_create_user("ada@example.org")
    bob = store.users.get_or_create_user("bob@example.org")
    assert store.interests.feed_nonce(ada.id) is None
    store.interests.set_feed_nonce(ada.id, "one")
    store.interests.set_feed_nonce(ada.id, "two")
    assert store.interests.feed_nonce(ada.id) == "two" and store.interests.feed_nonce(bob.id) is None


def test_deleting_a_user_deletes_their_interests_and_feed(settings, store):
    ada = store.users.get_or_create_user("ada@example.org")
    store.interests.replace(ada.id, Interests(["graphs"], ["Ada L"], ["cs.LG"]))
    store.interests.set_feed_nonce(ada.id, "n")
    engine = sa.create_engine(sqlalchemy_url(settings.resolved_database_url))
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.execute(sa.text("PRAGMA foreign_keys = ON"))
            conn.execute(sa.text("DELETE FROM users WHERE id = :id"), {"id": ada.id})
        with engine.connect() as conn:
            for table in ("interests", "foryou_feeds"):
                assert conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
    finally:
        engine.dispose()


def test_a_kind_outside_the_three_is_refused_by_the_database(settings, store):
    ada = store.users.get_or_create_user("ada@example.org")
    engine = sa.create_engine(sqlalchemy_url(settings.resolved_database_url))
    try:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO interests (user_id, kind, value, position) VALUES (:u, 'mood', 'x', 0)"),
                {"u": ada.id},
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend_name", ["sqlite", "postgres"])
def test_migration_0014_adds_the_tables_to_a_hub_with_users(backend_name, tmp_path, request):
    url = None
    if backend_name == "postgres":
        url = request.getfixturevalue("postgres").new_database(migrated=False)
    settings = load_settings(data_dir=tmp_path, database_url=url)
    from alembic import command

    with open_store(settings) as s:
        user = s.users.get_or_create_user("ada@example.org")
    command.downgrade(_config(settings.resolved_database_url), "0013")
    assert migrate_database(settings) == ("0013", HEAD)
    with open_store(settings) as s:
        assert s.interests.replace(user.id, Interests(topics=["graphs"])).topics == ["graphs"]
        s.interests.set_feed_nonce(user.id, "n")
        assert s.interests.feed_nonce(user.id) == "n"
