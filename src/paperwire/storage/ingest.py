"""What ingest records: harvest state, the run log and Hugging Face's daily features: `store.ingest`
(arXiv's announcement days are `store.announcements`)."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import date

from paperwire.models.ingest import HarvestState, HfFeature, IngestRun
from paperwire.storage.announcements import updates_of
from paperwire.storage.database import Noun

_HARVEST_COLUMNS = (
    "name, cursor, pending_from, pending_until, pending_token, pending_max, pending_pages, pending_records"
)


class Ingest(ABC):
    @abstractmethod
    def get_harvest(self, name: str) -> HarvestState | None:
        """The state of the OAI-PMH harvest called `name` (e.g. "oai:cs"), or None if never run."""

    @abstractmethod
    def harvests(self) -> list[HarvestState]:
        """Every harvest's state, by name."""

    @abstractmethod
    def save_harvest(self, state: HarvestState) -> None:
        """Replace the stored state of a harvest. Call it only after the papers it covers are stored."""

    @abstractmethod
    def start_run(self, kind: str, args: str, trigger: str) -> int:
        """Log an ingest run as running; returns its id."""

    @abstractmethod
    def finish_run(self, run_id: int, status: str, counts: Mapping[str, int], error: str | None) -> None:
        """Record how a run ended: status ok or error, its counts and its one-line error."""

    @abstractmethod
    def recent_runs(
        self, limit: int = 20, kind: str | None = None, trigger: str | None = None
    ) -> list[IngestRun]:
        """The latest ingest runs, newest first, optionally of one kind and trigger."""

    @abstractmethod
    def upsert_hf_features(self, features: Sequence[HfFeature]) -> None:
        """Record Hugging Face daily-paper features; a known (paper, day) gets the new upvote count."""

    @abstractmethod
    def hf_features(self, featured: date | None = None, paper_id: str | None = None) -> list[HfFeature]:
        """Features of one day or one paper, most upvoted first."""


class IngestSQL(Noun, Ingest):
    def get_harvest(self, name: str) -> HarvestState | None:
        return next(iter(self._harvests(name)), None)

    def harvests(self) -> list[HarvestState]:
        return self._harvests(None)

    def _harvests(self, name: str | None) -> list[HarvestState]:
        day = self.d.day_of
        with self.db.read() as conn:
            rows = conn.all(
                f"SELECT {_HARVEST_COLUMNS} FROM ingest_harvests WHERE CAST(? AS TEXT) IS NULL OR name = ? "
                f"ORDER BY name{self.d.bytewise}",
                (name, name),
            )
        return [
            HarvestState(n, day(cursor), day(p_from), day(p_until), token, day(p_max), pages, records)
            for n, cursor, p_from, p_until, token, p_max, pages, records in rows
        ]

    def save_harvest(self, state: HarvestState) -> None:
        s, day = state, self.d.day
        with self.db.transaction() as conn:
            conn.execute(
                f"INSERT INTO ingest_harvests ({_HARVEST_COLUMNS}, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                f"ON CONFLICT (name) DO UPDATE SET {updates_of(_HARVEST_COLUMNS.split(', ', 1)[1])}, "
                "updated_at = excluded.updated_at",
                (s.name, day(s.cursor), day(s.pending_from), day(s.pending_until), s.pending_token,
                 day(s.pending_max), s.pending_pages, s.pending_records, self.d.now()),
            )  # fmt: skip

    def start_run(self, kind: str, args: str, trigger: str) -> int:
        with self.db.transaction() as conn:
            return conn.value(
                "INSERT INTO ingest_runs (kind, args, trigger, status, counts, started_at) "
                "VALUES (?, ?, ?, 'running', '{}', ?) RETURNING id",
                (kind, args, trigger, self.d.now()),
            )

    def finish_run(self, run_id: int, status: str, counts: Mapping[str, int], error: str | None) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE ingest_runs SET status = ?, counts = ?, error = ?, finished_at = ? WHERE id = ?",
                (status, json.dumps(dict(counts)), error, self.d.now(), run_id),
            )

    def recent_runs(
        self, limit: int = 20, kind: str | None = None, trigger: str | None = None
    ) -> list[IngestRun]:
        d = self.d
        with self.db.read() as conn:
            rows = conn.all(
                "SELECT id, kind, args, trigger, status, counts, error, started_at, finished_at "
                "FROM ingest_runs WHERE (CAST(? AS TEXT) IS NULL OR kind = ?) "
                "AND (CAST(? AS TEXT) IS NULL OR trigger = ?) ORDER BY id DESC LIMIT ?",
                (kind, kind, trigger, trigger, limit),
            )
        return [
            IngestRun(rid, k, args, trig, status, d.json_of(counts), error, d.time_of(start), d.time_of(end))
            for rid, k, args, trig, status, counts, error, start, end in rows
        ]

    def upsert_hf_features(self, features: Sequence[HfFeature]) -> None:
        now = self.d.now()
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO hf_daily_papers (paper_id, featured, submitter, upvotes, recorded_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (paper_id, featured) DO UPDATE SET "
                "submitter = coalesce(excluded.submitter, hf_daily_papers.submitter), "
                "upvotes = excluded.upvotes, recorded_at = excluded.recorded_at",
                [(f.paper_id, self.d.day(f.featured), f.submitter, f.upvotes, now) for f in features],
            )

    def hf_features(self, featured: date | None = None, paper_id: str | None = None) -> list[HfFeature]:
        day = self.d.day(featured)
        with self.db.read() as conn:
            rows = conn.all(
                "SELECT paper_id, featured, submitter, upvotes FROM hf_daily_papers "
                "WHERE (CAST(? AS TEXT) IS NULL OR featured = ?) "
                "AND (CAST(? AS TEXT) IS NULL OR paper_id = ?) "
                "ORDER BY upvotes DESC, featured DESC, paper_id",
                (day, day, paper_id, paper_id),
            )
        return [HfFeature(pid, self.d.day_of(day), who, n) for pid, day, who, n in rows]
