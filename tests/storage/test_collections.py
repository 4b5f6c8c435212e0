"""Collections (store.collections) on both databases: owners only change their own, names are unique
per user, ids are never reused, and imports add papers in one transaction."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from paperwire.models.library import CollectionNameTaken
from paperwire.papers import make_paper
from paperwire.storage import NotFound

IDS = [f"2503.{n:05d}" for n in range(1, 5)]


def _hub(store):
    store.papers.upsert_papers([make_paper(id=i, title=f"Paper {i}", source="test") for i in IDS])
    return store.users.get_or_create_user("ada@example.org"), store.users.get_or_create_user(
        "bob@example.org"
    )


def test_create_rename_share_and_list(store):
    ada, bob = _hub(store)
    shelf = store.collections.create(ada.id, "Shelf")
    assert (shelf.name, shelf.owner, shelf.is_public, shelf.size) == ("Shelf", "ada", False, 0)
    store.collections.create(ada.id, "Another")
    store.collections.create(bob.id, "Shelf")  # names are unique per user only
    with pytest.raises(CollectionNameTaken):
        store.collections.create(ada.id, "Shelf")
    renamed = store.collections.update(shelf.id, ada.id, name="Graph learning", is_public=True)
    assert (renamed.id, renamed.name, renamed.is_public) == (shelf.id, "Graph learning", True)
    assert store.collections.update(shelf.id, ada.id, is_public=False).name == "Graph learning"
    assert [c.name for c in store.collections.user_collections(ada.id)] == ["Another", "Graph learning"]
    with pytest.raises(CollectionNameTaken):
        store.collections.update(shelf.id, ada.id, name="Another")


def test_only_the_owner_changes_a_collection(store):
    ada, bob = _hub(store)
    shelf = store.collections.create(ada.id, "Shelf", is_public=True)
    store.collections.set_paper(shelf.id, ada.id, IDS[0], True)
    for change in (
        lambda: store.collections.update(shelf.id, bob.id, name="Mine now"),
        lambda: store.collections.set_paper(shelf.id, bob.id, IDS[1], True),
        lambda: store.collections.set_paper(shelf.id, bob.id, IDS[0], False),
        lambda: store.collections.add_papers(shelf.id, bob.id, [IDS[2]]),
        lambda: store.collections.delete(shelf.id, bob.id),
    ):
        with pytest.raises(NotFound):
            change()
    after = store.collections.get(shelf.id)
    assert (after.name, after.size) == ("Shelf", 1)
    assert [r.paper.id for r in store.collections.papers(shelf.id, 10)[0]] == [IDS[0]]


def test_papers_come_and_go(store):
    ada, _ = _hub(store)
    shelf = store.collections.create(ada.id, "Shelf")
    for pid in IDS[:3]:
        store.collections.set_paper(shelf.id, ada.id, pid, True)
    store.collections.set_paper(shelf.id, ada.id, IDS[0], True)  # twice: once
    rows, total = store.collections.papers(shelf.id, 2)
    assert total == 3 and len(rows) == 2
    assert store.collections.containing(ada.id, IDS[1]) == {shelf.id}
    store.collections.set_paper(shelf.id, ada.id, IDS[1], False)
    assert store.collections.containing(ada.id, IDS[1]) == set()
    assert store.collections.get(shelf.id).size == 2
    with pytest.raises(NotFound):
        store.collections.set_paper(shelf.id, ada.id, "2503.99999", True)


def test_add_papers_counts_new_ones_and_is_all_or_nothing(store):
    ada, _ = _hub(store)
    shelf = store.collections.create(ada.id, "Shelf")
    store.collections.set_paper(shelf.id, ada.id, IDS[0], True)
    assert store.collections.add_papers(shelf.id, ada.id, [IDS[0], IDS[1], IDS[2]]) == 2
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
        store.collections.add_papers(shelf.id, ada.id, [IDS[3], "2503.99999"])
    assert store.collections.get(shelf.id).size == 3


def test_deleted_collections_go_with_their_list_and_their_id_is_not_reused(store):
    ada, _ = _hub(store)
    shelf = store.collections.create(ada.id, "Shelf", is_public=True)
    store.collections.set_paper(shelf.id, ada.id, IDS[0], True)
    store.collections.delete(shelf.id, ada.id)
    assert store.collections.get(shelf.id) is None
    assert store.collections.papers(shelf.id, 10) == ([], 0)
    assert store.papers.get_paper(IDS[0]) is not None  # the paper stays
    again = store.collections.create(ada.id, "Shelf")
    assert again.id > shelf.id  # an old public link never shows the new, private one
    with pytest.raises(NotFound):
        store.collections.delete(shelf.id, ada.id)
