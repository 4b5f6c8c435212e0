"""Digest subscriptions and the preferences a subscriber may set (checking them is subscriptions.py's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time


@dataclass(slots=True)
class Subscription:
    id: int
    email: str
    status: str = "pending"
    frequency: str = "daily"
    weekday: int = 0  # 0 = Monday; when a weekly digest goes out
    send_time: str = "07:00"  # local time of day, HH:MM
    timezone: str = "UTC"
    trending: int = 5  # how many trending papers; 0 leaves the section out
    for_you: bool = True  # the section of papers matching the interests below
    max_papers: int = 20  # per mail, both sections together
    topics: list[str] = field(default_factory=list)  # free text, each a liked "paper" for the For you model
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    nonce: str = ""  # part of every signed link; a new one revokes the old links
    bounces: int = 0  # permanent failures in a row
    last_error: str | None = None
    created_at: datetime | None = None
    confirmed_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def has_interests(self) -> bool:
        return bool(self.topics or self.authors or self.categories)

    def local_time(self) -> time:
        hour, minute = map(int, self.send_time.split(":"))
        return time(hour, minute)


@dataclass(slots=True)
class Preferences:
    """What a subscriber may set; every field is checked by `clean`."""

    frequency: str = "daily"
    weekday: int = 0
    send_time: str = "07:00"
    timezone: str = "UTC"
    trending: int = 5
    for_you: bool = True
    max_papers: int = 20
    topics: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, sub: Subscription) -> Preferences:
        return cls(**{name: getattr(sub, name) for name in PREFERENCE_FIELDS})


PREFERENCE_FIELDS = tuple(Preferences.__dataclass_fields__)
