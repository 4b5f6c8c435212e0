"""The library, private marks and a user's signals (store.library), on both databases; migration 0013
on a hub with papers; deleting a user or a paper leaves no rows behind."""

from __future__ import annotations

import sqlite3
import time

import psycopg
import pytest
import sqlalchemy as sa

from paperwire.papers import make_paper
from paperwire.settings import load_settings
from paperwire.storage import NotFound, migrate_database, open_store
from paperwire.storage.migrate import HEAD, _config, sqlalchemy_url

IDS = [f"2503.{n:05d}" for n in range(1, 7)]


def _hub(store):
    store.papers.upsert_papers([make_paper(id=i, title=f"Paper {i}", source="test") for i in IDS])
    return store.users.get_or_create_user("ada@example.org"), store.users.get_or_create_user(
        "bob@example.org"
    )


def _tick():
    time.sleep(0.002)  # distinct times: "newest first" is then well defined


def test_save_and_unsave_are_idempotent_and_per_user(store):
    ada, bob = _hub(store)
    assert store.library.set_saved(ada.id, IDS[0], True) is True
    store.library.set_saved(ada.id, IDS[0], True)
    _tick()
    store.library.set_saved(ada.id, IDS[1], True)
    rows, total = store.library.library_papers(ada.id, 10)
    assert total == 2 and [r.paper.id for r in rows] == [IDS[1], IDS[0]]  # newest saved first
    assert store.library.library_papers(bob.id, 10) == ([], 0)
    assert store.library.set_saved(ada.id, IDS[1], False) is False
    store.library.set_saved(ada.id, IDS[1], False)
    assert [r.paper.id for r in store.library.library_papers(ada.id, 10)[0]] == [IDS[0]]
    with pytest.raises(NotFound):
        store.library.set_saved(ada.id, "2503.99999", True)


def test_library_pages_and_hidden_papers(store):
    ada, _ = _hub(store)
    for pid in IDS:
        store.library.set_saved(ada.id, pid, True)
        _tick()
    first, total = store.library.library_papers(ada.id, 4)
    second, _ = store.library.library_papers(ada.id, 4, 4)
    assert total == 6 and [r.paper.id for r in first + second] == IDS[::-1]
    store.papers.set_paper_hidden(IDS[0], True)  # a moderator's hiding reaches the library too
    assert store.library.library_papers(ada.id, 10)[1] == 5


def test_marks_are_independent_and_private(store):
    ada, bob = _hub(store)
    store.library.set_mark(ada.id, IDS[0], "not_interested", True)
    store.library.set_mark(ada.id, IDS[0], "read", True)
    store.library.set_mark(ada.id, IDS[1], "read", True)
    store.library.set_saved(ada.id, IDS[2], True)
    marks = store.library.marks(ada.id, IDS)
    assert marks.not_interested == {IDS[0]} and marks.read == {IDS[0], IDS[1]} and marks.saved == {IDS[2]}
    bobs = store.library.marks(bob.id, IDS)
    assert not (bobs.saved or bobs.read or bobs.not_interested)
    store.library.set_mark(ada.id, IDS[0], "not_interested", False)
    assert store.library.marks(ada.id, IDS).not_interested == set()
    assert store.library.marks(ada.id, IDS).read == {IDS[0], IDS[1]}  # undoing one mark keeps the other
    with pytest.raises(ValueError):
        store.library.set_mark(ada.id, IDS[0], "liked", True)
    with pytest.raises(NotFound):
        store.library.set_mark(ada.id, "2503.99999", "read", True)


def test_marks_of_many_papers_are_read_in_chunks(store):
    ada, _ = _hub(store)
    store.library.set_saved(ada.id, IDS[3], True)
    many = [f"2601.{n:05d}" for n in range(1200)] + [IDS[3]]
    assert store.library.marks(ada.id, many).saved == {IDS[3]}


def test_signals_gather_every_source_newest_first(store):
    ada, bob = _hub(store)
    store.library.set_saved(ada.id, IDS[0], True)
    _tick()
    store.votes.set_vote(ada.id, IDS[1], True)
    _tick()
    shelf = store.collections.create(ada.id, "Shelf")
    other = store.collections.create(ada.id, "Other")
    store.collections.set_paper(shelf.id, ada.id, IDS[2], True)
    _tick()
    store.collections.set_paper(other.id, ada.id, IDS[2], True)  # in two collections: listed once
    store.collections.set_paper(other.id, ada.id, IDS[3], True)
    _tick()
    store.library.set_mark(ada.id, IDS[4], "not_interested", True)
    store.library.set_mark(ada.id, IDS[5], "read", True)
    _tick()
    store.library.set_saved(ada.id, IDS[5], True)
    store.library.set_saved(bob.id, IDS[4], True)  # another user's: not ada's signal
    signals = store.library.signals(ada.id)
    assert signals.saved == [IDS[5], IDS[0]]
    assert signals.upvoted == [IDS[1]]
    assert sorted(signals.collected) == [IDS[2], IDS[3]]
    assert signals.not_interested == [IDS[4]] and signals.read == [IDS[5]]
    empty = store.library.signals(store.users.get_or_create_user("cy@example.org").id)
    assert empty.saved == empty.upvoted == empty.collected == empty.not_interested == empty.read == []
    # Many users at once (a digest run's members): each gets what `signals` gives them alone.
    cy = store.users.get_or_create_user("cy@example.org")
    many = store.library.signals_of([ada.id, bob.id, cy.id])
    assert many == {uid: store.library.signals(uid) for uid in (ada.id, bob.id, cy.id)}
    assert many[bob.id].saved == [IDS[4]] and many[ada.id] == signals
    assert store.library.signals_of([]) == {}


def test_save_papers_is_one_transaction_that_counts_new_ones(store):
    ada, _ = _hub(store)
    store.library.set_saved(ada.id, IDS[0], True)
    assert store.library.save_papers(ada.id, [IDS[0], IDS[1], IDS[2], IDS[1]]) == 2
    assert store.library.library_papers(ada.id, 10)[1] == 3
    with pytest.raises(
        (sqlite3.IntegrityError, psycopg.IntegrityError)
    ):  # an unknown paper breaks the foreign key: nothing is saved
        store.library.save_papers(ada.id, [IDS[3], "2503.99999"])
    assert store.library.library_papers(ada.id, 10)[1] == 3


def test_deleting_a_user_or_a_paper_leaves_nothing_behind(store, settings):
    ada, bob = _hub(store)
    store.library.set_saved(ada.id, IDS[0], True)
    store.library.set_mark(ada.id, IDS[0], "read", True)
    shelf = store.collections.create(ada.id, "Shelf", is_public=True)
    store.collections.set_paper(shelf.id, ada.id, IDS[1], True)
    store.library.set_saved(bob.id, IDS[1], True)
    engine = sa.create_engine(sqlalchemy_url(settings.resolved_database_url))
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.execute(sa.text("PRAGMA foreign_keys = ON"))
            conn.execute(sa.text("DELETE FROM users WHERE id = :id"), {"id": ada.id})
            conn.execute(sa.text("DELETE FROM papers WHERE id = :id"), {"id": IDS[1]})
        with engine.connect() as conn:
            for table in ("library_papers", "paper_marks", "collections", "collection_papers"):
                assert conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
    finally:
        engine.dispose()
    assert store.collections.get(shelf.id) is None


@pytest.mark.parametrize("backend_name", ["sqlite", "postgres"])
def test_migration_0013_adds_the_tables_to_a_hub_with_papers(backend_name, tmp_path, request):
    url = None
    if backend_name == "postgres":
        url = request.getfixturevalue("postgres").new_database(migrated=False)
    settings = load_settings(data_dir=tmp_path, database_url=url)
    from alembic import command

    with open_store(settings) as s:
        s.papers.upsert_papers([make_paper(id="2503.00001", title="T", source="test", doi="10.1/X")])
    command.downgrade(_config(settings.resolved_database_url), "0012")
    assert migrate_database(settings) == ("0012", HEAD)
    with open_store(settings) as s:
        user = s.users.get_or_create_user("ada@example.org")
        s.library.set_saved(user.id, "2503.00001", True)
        assert s.library.signals(user.id).saved == ["2503.00001"]
        assert s.papers.papers_by_doi(["10.1/x"]) == {"10.1/x": "2503.00001"}
