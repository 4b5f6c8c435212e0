"""Named collections of papers, each owned by one user, private or public: `store.collections`.

Every write names the owner and touches only that owner's collection: another user's (or a missing)
collection is NotFound, so callers cannot tell the two apart and neither can their visitors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from paperwire.models.library import MAX_COLLECTIONS, Collection, CollectionNameTaken, TooManyCollections
from paperwire.models.papers import RankedPaper
from paperwire.storage.database import Conn, NotFound, Noun
from paperwire.storage.library import DAY
from paperwire.storage.rows import RANKED_COLUMNS, SUBMITTER, ranked, require_paper

_COLLECTION = (
    "SELECT c.id, c.user_id, u.username, c.name, c.is_public, c.created_at, c.updated_at, "
    "(SELECT count(*) FROM collection_papers cp WHERE cp.collection_id = c.id) "
    "FROM collections c JOIN users u ON u.id = c.user_id"
)


class Collections(ABC):
    @abstractmethod
    def create(self, user_id: int, name: str, is_public: bool = False) -> Collection:
        """A new, empty collection; CollectionNameTaken, TooManyCollections (MAX_COLLECTIONS)."""

    @abstractmethod
    def get(self, collection_id: int) -> Collection | None:
        """The collection, whoever owns it (callers decide who may see it)."""

    @abstractmethod
    def user_collections(self, user_id: int) -> list[Collection]:
        """The user's collections by name."""

    @abstractmethod
    def update(
        self, collection_id: int, user_id: int, name: str | None = None, is_public: bool | None = None
    ) -> Collection:
        """Rename it or make it public or private; NotFound unless the user owns it;
        CollectionNameTaken. Its id, and so its URL, stays."""

    @abstractmethod
    def delete(self, collection_id: int, user_id: int) -> None:
        """Delete it and its list (not the papers); NotFound unless the user owns it."""

    @abstractmethod
    def set_paper(self, collection_id: int, user_id: int, paper_id: str, present: bool) -> bool:
        """Add a paper or take it out (idempotent); returns `present`. NotFound: not the user's
        collection, or no such paper."""

    @abstractmethod
    def add_papers(self, collection_id: int, user_id: int, paper_ids: Sequence[str]) -> int:
        """Add these (existing) papers in one transaction; how many were not in it before."""

    @abstractmethod
    def papers(self, collection_id: int, limit: int, offset: int = 0) -> tuple[list[RankedPaper], int]:
        """Its papers, latest added first (hidden papers left out), and how many in all."""

    @abstractmethod
    def containing(self, user_id: int, paper_id: str) -> set[int]:
        """The ids of the user's collections that hold this paper."""


class CollectionsSQL(Noun, Collections):
    def _row(self, row: tuple) -> Collection:
        d = self.d
        cid, user_id, owner, name, public, created, updated, size = row
        return Collection(
            cid, user_id, owner, name, bool(public), d.time_of(created), d.time_of(updated), size
        )

    def _owned(self, conn: Conn, collection_id: int, user_id: int) -> None:
        found = conn.one(
            f"SELECT 1 FROM collections WHERE id = ? AND user_id = ?{self.d.for_update}",
            (collection_id, user_id),
        )
        if found is None:
            raise NotFound(f"no collection {collection_id}")

    def _name_free(self, conn: Conn, user_id: int, name: str, collection_id: int = 0) -> None:
        if conn.one(
            "SELECT 1 FROM collections WHERE user_id = ? AND name = ? AND id <> ?",
            (user_id, name, collection_id),
        ):
            raise CollectionNameTaken(f"you have a collection named {name!r} already")

    def create(self, user_id: int, name: str, is_public: bool = False) -> Collection:
        now = self.d.now()
        with self.db.transaction() as conn:
            conn.exclusive(f"collections:{user_id}")  # two creations at once agree on the name and count
            self._name_free(conn, user_id, name)
            if (
                conn.value("SELECT count(*) FROM collections WHERE user_id = ?", (user_id,))
                >= MAX_COLLECTIONS
            ):
                raise TooManyCollections(f"you have {MAX_COLLECTIONS} collections, the most one may have")
            cid = conn.value(
                "INSERT INTO collections (user_id, name, is_public, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (user_id, name, bool(is_public), now, now),
            )
            row = conn.one(f"{_COLLECTION} WHERE c.id = ?", (cid,))
        return self._row(row)

    def get(self, collection_id: int) -> Collection | None:
        with self.db.read() as conn:
            row = conn.one(f"{_COLLECTION} WHERE c.id = ?", (collection_id,))
        return self._row(row) if row else None

    def user_collections(self, user_id: int) -> list[Collection]:
        with self.db.read() as conn:
            rows = conn.all(f"{_COLLECTION} WHERE c.user_id = ? ORDER BY c.name, c.id", (user_id,))
        return [self._row(r) for r in rows]

    def update(
        self, collection_id: int, user_id: int, name: str | None = None, is_public: bool | None = None
    ) -> Collection:
        with self.db.transaction() as conn:
            conn.exclusive(f"collections:{user_id}")
            self._owned(conn, collection_id, user_id)
            if name is not None:
                self._name_free(conn, user_id, name, collection_id)
            conn.execute(
                "UPDATE collections SET name = coalesce(?, name), is_public = coalesce(?, is_public), "
                "updated_at = ? WHERE id = ?",
                (name, is_public, self.d.now(), collection_id),
            )
            row = conn.one(f"{_COLLECTION} WHERE c.id = ?", (collection_id,))
        return self._row(row)

    def delete(self, collection_id: int, user_id: int) -> None:
        with self.db.transaction() as conn:
            self._owned(conn, collection_id, user_id)
            conn.execute("DELETE FROM collection_papers WHERE collection_id = ?", (collection_id,))
            conn.execute("DELETE FROM collections WHERE id = ?", (collection_id,))

    def set_paper(self, collection_id: int, user_id: int, paper_id: str, present: bool) -> bool:
        with self.db.transaction() as conn:
            self._owned(conn, collection_id, user_id)
            require_paper(conn, paper_id)
            if present:
                changed = conn.execute(
                    "INSERT INTO collection_papers (collection_id, paper_id, added_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (collection_id, paper_id, self.d.now()),
                ).rowcount
            else:
                changed = conn.execute(
                    "DELETE FROM collection_papers WHERE collection_id = ? AND paper_id = ?",
                    (collection_id, paper_id),
                ).rowcount
            if changed:
                self._touch(conn, collection_id)
        return present

    def _touch(self, conn: Conn, collection_id: int) -> None:
        # Its feed's `updated` and the JSON's; also what a reader's cache compares.
        conn.execute("UPDATE collections SET updated_at = ? WHERE id = ?", (self.d.now(), collection_id))

    def add_papers(self, collection_id: int, user_id: int, paper_ids: Sequence[str]) -> int:
        ids = list(dict.fromkeys(paper_ids))
        now = self.d.now()
        count = "SELECT count(*) FROM collection_papers WHERE collection_id = ?"
        with self.db.transaction() as conn:
            self._owned(conn, collection_id, user_id)
            before = conn.value(count, (collection_id,))
            conn.executemany(
                "INSERT INTO collection_papers (collection_id, paper_id, added_at) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [(collection_id, pid, now) for pid in ids],
            )
            added = conn.value(count, (collection_id,)) - before
            if added:
                self._touch(conn, collection_id)
        return added

    def papers(self, collection_id: int, limit: int, offset: int = 0) -> tuple[list[RankedPaper], int]:
        with self.db.snapshot() as conn:
            rows = conn.all(
                f"SELECT {DAY}, {RANKED_COLUMNS} FROM collection_papers cp "
                f"JOIN papers p ON p.id = cp.paper_id {SUBMITTER} "
                "WHERE cp.collection_id = ? AND NOT p.hidden "
                "ORDER BY cp.added_at DESC, p.id DESC LIMIT ? OFFSET ?",
                (collection_id, limit, offset),
            )
            total = conn.value(
                "SELECT count(*) FROM collection_papers cp JOIN papers p ON p.id = cp.paper_id "
                "WHERE cp.collection_id = ? AND NOT p.hidden",
                (collection_id,),
            )
        return [ranked(self.d, r) for r in rows], total

    def containing(self, user_id: int, paper_id: str) -> set[int]:
        with self.db.read() as conn:
            rows = conn.all(
                "SELECT c.id FROM collections c JOIN collection_papers cp ON cp.collection_id = c.id "
                "WHERE c.user_id = ? AND cp.paper_id = ?",
                (user_id, paper_id),
            )
        return {r[0] for r in rows}
