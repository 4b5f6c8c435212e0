"""A member's interests (followed topics, authors, categories) and their "For you" feed's nonce:
`store.interests`. Private: every statement names the user."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from paperwire.models.interests import KINDS, Interests
from paperwire.storage.database import Noun


class InterestsStore(ABC):
    @abstractmethod
    def get(self, user_id: int) -> Interests:
        """The user's interests, each kind in the order they were given."""

    @abstractmethod
    def get_many(self, user_ids: Sequence[int]) -> dict[int, Interests]:
        """`get` for many users at once: every id given is a key."""

    @abstractmethod
    def replace(self, user_id: int, interests: Interests) -> Interests:
        """Replace all of the user's interests at once (one transaction); returns what is stored."""

    @abstractmethod
    def feed_nonce(self, user_id: int) -> str | None:
        """The nonce in the user's feed token (None: no feed link made yet)."""

    @abstractmethod
    def set_feed_nonce(self, user_id: int, nonce: str) -> None:
        """Store a new nonce: every feed link made with the old one stops working."""


class InterestsSQL(Noun, InterestsStore):
    def get(self, user_id: int) -> Interests:
        with self.db.read() as conn:
            rows = conn.all(
                "SELECT kind, value FROM interests WHERE user_id = ? ORDER BY kind, position", (user_id,)
            )
        out = Interests()
        lists = {"topic": out.topics, "author": out.authors, "category": out.categories}
        for kind, value in rows:
            lists[kind].append(value)
        return out

    def get_many(self, user_ids: Sequence[int]) -> dict[int, Interests]:
        out = {uid: Interests() for uid in user_ids}
        with self.db.snapshot() as conn:
            for condition, params in self.d.one_of("user_id", list(out)):
                rows = conn.all(
                    f"SELECT user_id, kind, value FROM interests WHERE {condition} "
                    "ORDER BY user_id, kind, position",
                    params,
                )
                for uid, kind, value in rows:
                    found = out[uid]
                    {"topic": found.topics, "author": found.authors, "category": found.categories}[
                        kind
                    ].append(value)
        return out

    def replace(self, user_id: int, interests: Interests) -> Interests:
        rows = []
        for kind, values in zip(
            KINDS, (interests.topics, interests.authors, interests.categories), strict=True
        ):
            for position, value in enumerate(dict.fromkeys(values)):
                rows.append((user_id, kind, value, position))
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM interests WHERE user_id = ?", (user_id,))
            if rows:
                conn.executemany(
                    "INSERT INTO interests (user_id, kind, value, position) VALUES (?, ?, ?, ?)", rows
                )
        return self.get(user_id)

    def feed_nonce(self, user_id: int) -> str | None:
        with self.db.read() as conn:
            return conn.value("SELECT nonce FROM foryou_feeds WHERE user_id = ?", (user_id,))

    def set_feed_nonce(self, user_id: int, nonce: str) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO foryou_feeds (user_id, nonce, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET nonce = excluded.nonce, "
                "created_at = excluded.created_at",
                (user_id, nonce, self.d.now()),
            )
