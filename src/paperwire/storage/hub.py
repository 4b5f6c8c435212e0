"""The hub's part of the Store interface: users, sign-in, sessions, votes, comments, submissions,
listings, rate limits and moderation."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from paperwire.comments import Comment
from paperwire.daily import QueuedSubmission, RankedPaper, Submission
from paperwire.papers import Paper
from paperwire.users import User


class NotFound(LookupError):
    """The paper, comment or user named does not exist."""


@dataclass(slots=True)
class PaperActivity:
    """What the community did with one paper."""

    upvotes: int = 0
    num_comments: int = 0
    hidden: bool = False
    submission: Submission | None = None


class HubStore(ABC):
    # -- users, sign-in and sessions ------------------------------------------------------------

    @abstractmethod
    def get_or_create_user(self, email: str) -> User:
        """The user with this (normalised) address, created with a free username if new."""

    @abstractmethod
    def get_user(self, user_id: int) -> User | None: ...

    @abstractmethod
    def find_user(self, *, email: str | None = None, username: str | None = None) -> User | None: ...

    @abstractmethod
    def set_admin(self, user_id: int, is_admin: bool) -> None: ...

    @abstractmethod
    def admins(self) -> list[User]: ...

    @abstractmethod
    def save_signin_token(self, nonce: str, email: str, expires_at: datetime) -> None: ...

    @abstractmethod
    def use_signin_token(self, nonce: str, now: datetime) -> str | None:
        """Mark the token used and return its email, or None if unknown, used or expired (atomic)."""

    @abstractmethod
    def create_session(self, token_hash: str, user_id: int, expires_at: datetime) -> None: ...

    @abstractmethod
    def session_user(self, token_hash: str, now: datetime) -> User | None: ...

    @abstractmethod
    def delete_session(self, token_hash: str) -> None: ...

    # -- votes, comments, submissions, moderation ---------------------------------------------

    @abstractmethod
    def set_vote(self, user_id: int, paper_id: str, up: bool) -> int:
        """Add or take back a user's upvote (idempotent); returns its upvotes; NotFound: no paper."""

    @abstractmethod
    def voted(self, user_id: int, paper_ids: Sequence[str]) -> set[str]:
        """Which of these papers the user has upvoted."""

    @abstractmethod
    def add_comment(self, paper_id: str, user_id: int, body: str) -> Comment:
        """Stores the body and its HTML, rendered once here; NotFound if the paper does not exist."""

    @abstractmethod
    def rerender_comments(self, batch: int = 500) -> int:
        """Render again the comments stored by an older renderer (comments.RENDERER_VERSION); how many."""

    @abstractmethod
    def get_comment(self, comment_id: int) -> Comment | None: ...

    @abstractmethod
    def delete_comment(self, comment_id: int) -> None: ...

    @abstractmethod
    def set_comment_hidden(self, comment_id: int, hidden: bool) -> None: ...

    @abstractmethod
    def paper_comments(self, paper_id: str, include_hidden: bool = False) -> list[Comment]:
        """Oldest first."""

    @abstractmethod
    def add_submission(self, paper_id: str, user_id: int, day: date) -> tuple[Submission, bool]:
        """Put a stored paper on a day's page; returns (the submission, whether it is new). A paper
        already submitted keeps its first submission."""

    # -- the fetch queue: submissions of papers the hub lacks (storage/submissions_sql.py) --------

    @abstractmethod
    def queue_submission(
        self, paper_id: str, user_id: int, day: date, *, per_user: int, total: int
    ) -> tuple[QueuedSubmission, bool]:
        """Queue a submission for the fetch worker; the user's submission of that id still queued
        is returned instead (created False). QueueFull past `per_user` or `total` queued ones."""

    @abstractmethod
    def get_queued_submission(self, fetch_id: int) -> QueuedSubmission | None: ...

    @abstractmethod
    def queued_submissions(self, limit: int = 100) -> list[QueuedSubmission]:
        """Those still queued, oldest first."""

    @abstractmethod
    def user_queued_submissions(self, user_id: int, limit: int = 20) -> list[QueuedSubmission]:
        """The user's queued and failed ones, newest first."""

    @abstractmethod
    def count_queued_submissions(self) -> int: ...

    @abstractmethod
    def finish_queued_submission(self, fetch_id: int, state: str, error: str | None = None) -> None:
        """Mark it done (its paper is stored and submitted) or failed, with the reason."""

    @abstractmethod
    def set_paper_hidden(self, paper_id: str, hidden: bool) -> None: ...

    @abstractmethod
    def paper_activity(self, paper_id: str) -> PaperActivity: ...

    @abstractmethod
    def hidden_papers(self, paper_ids: Sequence[str]) -> set[str]: ...

    # -- a user's own activity ----------------------------------------------------------------

    @abstractmethod
    def user_votes(self, user_id: int, limit: int = 100) -> list[Paper]:
        """Papers the user upvoted, latest vote first."""

    @abstractmethod
    def user_comments(self, user_id: int, limit: int = 100) -> list[Comment]:
        """The user's comments, newest first, hidden ones included (they are the author's)."""

    @abstractmethod
    def user_submissions(self, user_id: int, limit: int = 100) -> list[RankedPaper]: ...

    # -- listings -----------------------------------------------------------------------------

    @abstractmethod
    def day_papers(
        self,
        start: date,
        end: date,
        *,
        submitter: str | None = None,
        order: str = "upvotes",
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[RankedPaper], int]:
        """Papers announced, submitted or featured between start and end (inclusive), not hidden, and
        how many there are in all. order: "upvotes" (then id descending) or "newest" (day, then id)."""

    @abstractmethod
    def ranked_papers(self, paper_ids: Sequence[str]) -> list[RankedPaper]:
        """These papers with their figures, in the order given; hidden and unknown ones left out."""

    @abstractmethod
    def trending_candidates(self, since: date) -> list[tuple[str, date, int]]:
        """(paper id, day, upvotes) of every visible paper whose day is on or after `since`."""

    @abstractmethod
    def neighbour_days(self, day: date) -> tuple[date | None, date | None]:
        """The nearest earlier and later days that have papers."""

    @abstractmethod
    def latest_day(self, until: date) -> date | None:
        """The newest day, on or before `until`, that has papers."""

    @abstractmethod
    def category_papers(self, category: str, limit: int, offset: int = 0) -> list[RankedPaper]:
        """Visible papers listing the category, newest first."""

    @abstractmethod
    def count_category_papers(self, category: str) -> int:
        """How many visible papers list the category."""

    @abstractmethod
    def author_papers(self, author: str, limit: int, offset: int = 0) -> list[RankedPaper]:
        """Visible papers with this exact author name, newest first."""

    # -- shared state for every worker --------------------------------------------------------

    @abstractmethod
    def hit_rate_limit(self, key: str, window_seconds: int, limit: int, now: datetime) -> bool:
        """Count one hit against key in the current fixed window; False when it exceeds the limit."""

    @abstractmethod
    def community_version(self) -> int:
        """A number that grows with every vote, comment, submission and moderation."""
