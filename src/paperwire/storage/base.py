"""The Store interface: every read and write of stored data goes through it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager

from paperwire import PaperwireError
from paperwire.storage.announcements import Announcements
from paperwire.storage.collections import Collections
from paperwire.storage.comments import Comments
from paperwire.storage.database import Database
from paperwire.storage.digests import Digests
from paperwire.storage.embeddings import Embeddings
from paperwire.storage.extracts import Extracts
from paperwire.storage.ingest import Ingest
from paperwire.storage.interests import InterestsStore
from paperwire.storage.library import Library
from paperwire.storage.limits import Limits
from paperwire.storage.papers import Papers
from paperwire.storage.periods import Periods
from paperwire.storage.recommendations import Recommendations
from paperwire.storage.repos import Repos
from paperwire.storage.submissions import Submissions
from paperwire.storage.subscriptions import Subscriptions
from paperwire.storage.users import Users
from paperwire.storage.votes import Votes


class StoreError(PaperwireError):
    """The database failed (unreadable, locked, full); the message is one line."""


def refused_value(exc: BaseException) -> bool:
    """Whether a write failed because the database refused a value in it (a NUL, an out-of-range
    number, text it cannot encode), not because the database failed: the record is the problem."""
    import sqlite3

    import psycopg

    values = (ValueError, OverflowError, UnicodeError, sqlite3.DataError, sqlite3.IntegrityError)
    return isinstance(exc, (*values, sqlite3.InterfaceError, psycopg.DataError, psycopg.IntegrityError))


class Store(Database, ABC):
    """Papers and everything about them, one small interface per noun (`store.repos`, ...), each
    implemented once over the Database this is. Implementations: SQLiteStore (embedded), PostgresStore
    (server)."""

    papers: Papers
    periods: Periods
    votes: Votes
    comments: Comments
    users: Users
    submissions: Submissions
    embeddings: Embeddings
    extracts: Extracts
    ingest: Ingest
    announcements: Announcements
    subscriptions: Subscriptions
    digests: Digests
    limits: Limits
    repos: Repos
    library: Library
    collections: Collections
    recommendations: Recommendations
    interests: InterestsStore

    def _compose(self) -> None:
        """Give the store its nouns; implementations call it once their connections are ready."""
        from paperwire.storage.announcements import AnnouncementsSQL
        from paperwire.storage.collections import CollectionsSQL
        from paperwire.storage.comments import CommentsSQL
        from paperwire.storage.digests import DigestsSQL
        from paperwire.storage.embeddings import EmbeddingsSQL
        from paperwire.storage.extracts import ExtractsSQL
        from paperwire.storage.ingest import IngestSQL
        from paperwire.storage.interests import InterestsSQL
        from paperwire.storage.library import LibrarySQL
        from paperwire.storage.limits import LimitsSQL
        from paperwire.storage.papers import PapersSQL
        from paperwire.storage.periods import PeriodsSQL
        from paperwire.storage.recommendations import RecommendationsSQL
        from paperwire.storage.repos import ReposSQL
        from paperwire.storage.submissions import SubmissionsSQL
        from paperwire.storage.subscriptions import SubscriptionsSQL
        from paperwire.storage.users import UsersSQL
        from paperwire.storage.votes import VotesSQL

        self.papers = PapersSQL(self)
        self.periods = PeriodsSQL(self)
        self.votes = VotesSQL(self)
        self.comments = CommentsSQL(self)
        self.users = UsersSQL(self)
        self.submissions = SubmissionsSQL(self)
        self.embeddings = EmbeddingsSQL(self)
        self.extracts = ExtractsSQL(self)
        self.ingest = IngestSQL(self)
        self.announcements = AnnouncementsSQL(self)
        self.subscriptions = SubscriptionsSQL(self)
        self.digests = DigestsSQL(self)
        self.limits = LimitsSQL(self)
        self.repos = ReposSQL(self)
        self.library = LibrarySQL(self)
        self.collections = CollectionsSQL(self)
        self.recommendations = RecommendationsSQL(self)
        self.interests = InterestsSQL(self)

    # True when the store answers search itself (keyword_search, nearest, exact_titles, matching: see
    # storage/postgres_search.py); SearchEngine then keeps no index files. False: tantivy and usearch.
    native_search: bool = False

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def job_lock(self, name: str) -> AbstractContextManager[bool]:
        """Try to take background job `name`'s lock, shared by every process and host on this database;
        yields whether it was taken, and releases it on exit (or when this process dies)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
