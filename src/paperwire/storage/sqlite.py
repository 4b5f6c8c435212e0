"""SQLiteStore: the embedded default. WAL mode, one writer connection behind a lock, a reader per thread."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from paperwire.ingest.models import AnnouncementDay, HarvestState, HfFeature, IngestRun
from paperwire.papers import Paper, PaperVersion, merge_versions
from paperwire.storage.base import EmbeddingRow, Stats, Store, StoreError, UpsertOutcome, chunked
from paperwire.storage.comments_sql import SQLiteComments
from paperwire.storage.extracts_sql import SQLiteExtracts
from paperwire.storage.repos import SQLiteRepos
from paperwire.storage.sqlite_hub import SQLiteHub
from paperwire.storage.sqlite_rows import PAPER_COLUMNS
from paperwire.storage.sqlite_rows import SELECT_PAPER as _SELECT_PAPER
from paperwire.storage.sqlite_rows import as_date as _date
from paperwire.storage.sqlite_rows import as_datetime as _datetime
from paperwire.storage.sqlite_rows import iso as _iso
from paperwire.storage.sqlite_rows import now_text as _now
from paperwire.storage.sqlite_rows import paper_from_row as _paper_from_row
from paperwire.storage.sqlite_rows import row_from_paper as _row_from_paper
from paperwire.storage.submissions_sql import SQLiteSubmissionFetches
from paperwire.storage.subscriptions_sql import SQLiteSubscriptions

# A new version does not re-announce a paper (the first announcement is kept), and code and project
# links, which come from other sources than arXiv's record, survive a version update that lacks them.
_KEEP = {
    "announced": "coalesce(min(papers.announced, excluded.announced), papers.announced, excluded.announced)",
    "code_url": "coalesce(excluded.code_url, papers.code_url)",
    "project_url": "coalesce(excluded.project_url, papers.project_url)",
}
_UPSERT_PAPER = (
    f"INSERT INTO papers ({', '.join(PAPER_COLUMNS)}, added_at, modified_at, seq) "
    f"VALUES ({', '.join('?' * len(PAPER_COLUMNS))}, ?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{c} = {_KEEP.get(c, f'excluded.{c}')}" for c in PAPER_COLUMNS[1:])
    + ", modified_at = excluded.modified_at, seq = excluded.seq WHERE excluded.version > papers.version"
)
_UPSERT_VERSION = (
    "INSERT INTO paper_versions (paper_id, version, date, recorded_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(paper_id, version) DO UPDATE SET date = excluded.date "
    "WHERE paper_versions.date IS NULL AND excluded.date IS NOT NULL"
)
# SQLite's limit on bound parameters is 32,766 here; stay far below it.
_IN_CHUNK = 500


def sqlite_path(url: str) -> Path:
    """sqlite:///relative/path or sqlite:////absolute/path (SQLAlchemy's form) -> a Path."""
    return Path(url.removeprefix("sqlite:///"))


class SQLiteStore(
    SQLiteHub,
    SQLiteComments,
    SQLiteSubmissionFetches,
    SQLiteSubscriptions,
    SQLiteRepos,
    SQLiteExtracts,
    Store,
):
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._write_lock = threading.Lock()
        self._writer = self._connect()
        self._writer.execute("PRAGMA journal_mode = WAL")
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    # -- connections -------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in _transaction).
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")  # durable across crashes in WAL mode
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only = ON")
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every statement inside sees the same committed state."""
        conn = self._reader()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """The single writer: one transaction at a time, all or nothing."""
        with self._write_lock:
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"cannot write to {self.path}: {exc}") from None
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise StoreError(f"writing to {self.path} failed: {exc}") from None
                raise

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        with self._write_lock:
            self._writer.close()

    def job_lock(self, name: str):
        from paperwire.storage.jobs import file_job_lock

        return file_job_lock(self.path, name)

    # -- papers ------------------------------------------------------------------------------

    def get_paper(self, paper_id: str) -> Paper | None:
        with self._snapshot() as conn:
            row = conn.execute(f"{_SELECT_PAPER} WHERE id = ?", (paper_id,)).fetchone()
            if row is None:
                return None
            return _paper_from_row(row, self._versions(conn, [paper_id]).get(paper_id, []))

    def upsert_papers(self, papers: Sequence[Paper]) -> list[UpsertOutcome]:
        now = _now()
        outcomes: list[UpsertOutcome] = []
        paper_rows, version_rows = [], []
        with self._transaction() as conn:
            # One seq per write; writers are serialised, so seq order is commit order.
            seq = self._next_seq(conn)
            stored = self._stored_versions(conn, [p.id for p in papers])
            for paper in papers:
                old = stored.get(paper.id)
                if old is not None and paper.version <= old:
                    outcomes.append(UpsertOutcome.UNCHANGED)
                    continue
                outcomes.append(UpsertOutcome.NEW if old is None else UpsertOutcome.UPDATED)
                stored[paper.id] = paper.version
                paper_rows.append((*_row_from_paper(paper), now, now, seq))
                history = merge_versions(paper.versions, [PaperVersion(paper.version, paper.updated)])
                version_rows.extend((paper.id, v.version, _iso(v.date), now) for v in history)
            conn.executemany(_UPSERT_PAPER, paper_rows)
            conn.executemany(_UPSERT_VERSION, version_rows)
        return outcomes

    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        last = ""
        while True:
            # Each batch is its own snapshot, so a long export never pins an old WAL snapshot.
            with self._snapshot() as conn:
                rows = conn.execute(
                    f"{_SELECT_PAPER} WHERE id > ? ORDER BY id LIMIT ?", (last, batch_size)
                ).fetchall()
                versions = self._versions(conn, [r[0] for r in rows])
            if not rows:
                return
            for row in rows:
                yield _paper_from_row(row, versions.get(row[0], []))
            last = rows[-1][0]

    def recent_papers(self, limit: int = 50) -> list[Paper]:
        with self._snapshot() as conn:
            rows = conn.execute(
                f"{_SELECT_PAPER} ORDER BY coalesce(announced, published, updated) DESC NULLS LAST, "
                "id DESC LIMIT ?",
                (limit,),
            ).fetchall()
            versions = self._versions(conn, [r[0] for r in rows])
        return [_paper_from_row(r, versions.get(r[0], [])) for r in rows]

    def count_papers(self) -> int:
        return self._reader().execute("SELECT count(*) FROM papers").fetchone()[0]

    def stats(self) -> Stats:
        with self._snapshot() as conn:  # one snapshot for every figure
            return Stats(
                papers=conn.execute("SELECT count(*) FROM papers").fetchone()[0],
                versions=conn.execute("SELECT count(*) FROM paper_versions").fetchone()[0],
                by_category=dict(
                    conn.execute(
                        "SELECT c.value, count(*) AS n FROM papers, json_each(papers.categories) AS c "
                        "GROUP BY c.value ORDER BY n DESC, c.value"
                    ).fetchall()
                ),
                by_month=dict(
                    conn.execute(
                        "SELECT coalesce(substr(coalesce(announced, published), 1, 7), 'unknown') AS m, "
                        "count(*) FROM papers GROUP BY m ORDER BY m"
                    ).fetchall()
                ),
                by_source=dict(
                    conn.execute("SELECT source, count(*) AS n FROM papers GROUP BY source ORDER BY n DESC")
                ),
            )

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        with self._snapshot() as conn:
            rows = []
            for chunk in chunked(list(dict.fromkeys(paper_ids)), _IN_CHUNK):
                marks = ", ".join("?" * len(chunk))
                rows += conn.execute(f"{_SELECT_PAPER} WHERE id IN ({marks})", chunk).fetchall()
            versions = self._versions(conn, [r[0] for r in rows])
        return {r[0]: _paper_from_row(r, versions.get(r[0], [])) for r in rows}

    # -- changes and embeddings, for the search indexes ----------------------------------------

    def change_seq(self) -> int:
        return self._reader().execute("SELECT coalesce(max(seq), 0) FROM papers").fetchone()[0]

    def changed_papers(self, after: tuple[int, str], limit: int) -> list[tuple[int, Paper]]:
        with self._snapshot() as conn:
            rows = conn.execute(
                f"SELECT seq, {', '.join(PAPER_COLUMNS)} FROM papers WHERE (seq, id) > (?, ?) "
                "ORDER BY seq, id LIMIT ?",
                (*after, limit),
            ).fetchall()
        return [(r[0], _paper_from_row(r[1:], [])) for r in rows]

    def unembedded_papers(self, after: tuple[int, str], limit: int) -> list[tuple[int, Paper, str | None]]:
        with self._snapshot() as conn:
            rows = conn.execute(
                f"SELECT p.seq, e.text_hash, {', '.join('p.' + c for c in PAPER_COLUMNS)} "
                "FROM papers p LEFT JOIN embeddings e ON e.paper_id = p.id "
                "WHERE (p.seq, p.id) > (?, ?) AND (e.seq IS NULL OR e.seq < p.seq) "
                "ORDER BY p.seq, p.id LIMIT ?",
                (*after, limit),
            ).fetchall()
        return [(r[0], _paper_from_row(r[2:], []), r[1]) for r in rows]

    def count_unembedded(self) -> int:
        return (
            self._reader()
            .execute(
                "SELECT count(*) FROM papers p LEFT JOIN embeddings e ON e.paper_id = p.id "
                "WHERE e.seq IS NULL OR e.seq < p.seq"
            )
            .fetchone()[0]
        )

    def save_embeddings(self, rows: Sequence[EmbeddingRow]) -> None:
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO embeddings (paper_id, seq, text_hash, vector) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(paper_id) DO UPDATE SET seq = excluded.seq, text_hash = excluded.text_hash, "
                "vector = excluded.vector",
                [(r.paper_id, r.seq, r.text_hash, r.vector) for r in rows if r.vector is not None],
            )
            conn.executemany(
                "UPDATE embeddings SET seq = ? WHERE paper_id = ? AND text_hash = ?",
                [(r.seq, r.paper_id, r.text_hash) for r in rows if r.vector is None],
            )

    def embeddings_since(self, after: tuple[int, int], limit: int) -> list[EmbeddingRow]:
        rows = (
            self._reader()
            .execute(
                "SELECT key, paper_id, seq, text_hash, vector FROM embeddings WHERE (seq, key) > (?, ?) "
                "ORDER BY seq, key LIMIT ?",
                (*after, limit),
            )
            .fetchall()
        )
        return [EmbeddingRow(paper_id=r[1], seq=r[2], text_hash=r[3], vector=r[4], key=r[0]) for r in rows]

    def embeddings_for(self, paper_ids: Sequence[str]) -> dict[str, EmbeddingRow]:
        out = {}
        with self._snapshot() as conn:
            for chunk in chunked(list(dict.fromkeys(paper_ids)), _IN_CHUNK):
                marks = ", ".join("?" * len(chunk))
                sql = (
                    f"SELECT key, paper_id, seq, text_hash, vector FROM embeddings "
                    f"WHERE paper_id IN ({marks})"
                )
                for key, pid, seq, th, vec in conn.execute(sql, chunk):
                    out[pid] = EmbeddingRow(paper_id=pid, seq=seq, text_hash=th, vector=vec, key=key)
        return out

    def paper_ids_for_keys(self, keys: Sequence[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        with self._snapshot() as conn:
            for chunk in chunked(list(dict.fromkeys(keys)), _IN_CHUNK):
                marks = ", ".join("?" * len(chunk))
                out.update(
                    conn.execute(f"SELECT key, paper_id FROM embeddings WHERE key IN ({marks})", chunk)
                )
        return out

    def count_embeddings(self) -> int:
        return self._reader().execute("SELECT count(*) FROM embeddings").fetchone()[0]

    def clear_embeddings(self) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM embeddings")

    def get_search_meta(self, name: str) -> str | None:
        row = self._reader().execute("SELECT value FROM search_meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_search_meta(self, name: str, value: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO search_meta (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    # -- ingest (issue 4) -------------------------------------------------------------------------

    def get_harvest(self, name: str) -> HarvestState | None:
        return next(iter(self._harvests(name)), None)

    def harvests(self) -> list[HarvestState]:
        return self._harvests(None)

    def _harvests(self, name: str | None) -> list[HarvestState]:
        rows = self._reader().execute(
            "SELECT name, cursor, pending_from, pending_until, pending_token, pending_max, pending_pages, "
            "pending_records FROM ingest_harvests WHERE ? IS NULL OR name = ? ORDER BY name",
            (name, name),
        )
        return [
            HarvestState(n, _date(cursor), _date(p_from), _date(p_until), token, _date(p_max), pages, records)
            for n, cursor, p_from, p_until, token, p_max, pages, records in rows.fetchall()
        ]

    def save_harvest(self, state: HarvestState) -> None:
        s = state
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO ingest_harvests (name, cursor, pending_from, pending_until, "
                "pending_token, pending_max, pending_pages, pending_records, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (s.name, _iso(s.cursor), _iso(s.pending_from), _iso(s.pending_until), s.pending_token,
                 _iso(s.pending_max), s.pending_pages, s.pending_records, _now()),
            )  # fmt: skip

    def start_run(self, kind: str, args: str, trigger: str) -> int:
        with self._transaction() as conn:
            cur = conn.execute(
                "INSERT INTO ingest_runs (kind, args, trigger, status, counts, started_at) "
                "VALUES (?, ?, ?, 'running', '{}', ?)",
                (kind, args, trigger, _now()),
            )
            return cur.lastrowid

    def finish_run(self, run_id: int, status: str, counts: Mapping[str, int], error: str | None) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE ingest_runs SET status = ?, counts = ?, error = ?, finished_at = ? WHERE id = ?",
                (status, json.dumps(dict(counts)), error, _now(), run_id),
            )

    def recent_runs(
        self, limit: int = 20, kind: str | None = None, trigger: str | None = None
    ) -> list[IngestRun]:
        rows = (
            self._reader()
            .execute(
                "SELECT id, kind, args, trigger, status, counts, error, started_at, finished_at "
                "FROM ingest_runs WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR trigger = ?) "
                "ORDER BY id DESC LIMIT ?",
                (kind, kind, trigger, trigger, limit),
            )
            .fetchall()
        )
        return [
            IngestRun(rid, k, args, trig, status, json.loads(counts), error, _datetime(start), _datetime(end))
            for rid, k, args, trig, status, counts, error, start, end in rows
        ]

    def record_announcement(self, day: AnnouncementDay, announced: Mapping[str, date]) -> None:
        d = day
        with self._transaction() as conn:
            seq = self._next_seq(conn)  # a changed paper gets a new seq, so search indexes catch up
            conn.executemany(
                "UPDATE papers SET announced = ?, modified_at = ?, seq = ? "
                "WHERE id = ? AND (announced IS NULL OR announced > ?)",
                [(_iso(when), _now(), seq, pid, _iso(when)) for pid, when in announced.items()],
            )
            conn.execute(
                'INSERT OR REPLACE INTO announcement_days (category, day, announced, new, "cross", '
                '"replace", replace_cross, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
                (d.category, _iso(d.day), d.announced, d.new, d.cross, d.replace, d.replace_cross, _now()),
            )

    def announcement_days(self, category: str | None = None, limit: int = 30) -> list[AnnouncementDay]:
        rows = (
            self._reader()
            .execute(
                'SELECT category, day, announced, new, "cross", "replace", replace_cross '
                "FROM announcement_days WHERE (? IS NULL OR category = ?) "
                "ORDER BY day DESC, category LIMIT ?",
                (category, category, limit),
            )
            .fetchall()
        )
        return [AnnouncementDay(c, _date(d), bool(a), n, x, r, rx) for c, d, a, n, x, r, rx in rows]

    def upsert_hf_features(self, features: Sequence[HfFeature]) -> None:
        now = _now()
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO hf_daily_papers (paper_id, featured, submitter, upvotes, recorded_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(paper_id, featured) DO UPDATE SET "
                "submitter = coalesce(excluded.submitter, submitter), upvotes = excluded.upvotes, "
                "recorded_at = excluded.recorded_at",
                [(f.paper_id, _iso(f.featured), f.submitter, f.upvotes, now) for f in features],
            )

    def hf_features(self, featured: date | None = None, paper_id: str | None = None) -> list[HfFeature]:
        rows = (
            self._reader()
            .execute(
                "SELECT paper_id, featured, submitter, upvotes FROM hf_daily_papers "
                "WHERE (? IS NULL OR featured = ?) AND (? IS NULL OR paper_id = ?) "
                "ORDER BY upvotes DESC, featured DESC, paper_id",
                (_iso(featured), _iso(featured), paper_id, paper_id),
            )
            .fetchall()
        )
        return [HfFeature(pid, _date(day), who, n) for pid, day, who, n in rows]

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _next_seq(conn: sqlite3.Connection) -> int:
        return conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM papers").fetchone()[0]

    @staticmethod
    def _stored_versions(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in chunked(list(dict.fromkeys(ids)), _IN_CHUNK):
            marks = ", ".join("?" * len(chunk))
            found.update(conn.execute(f"SELECT id, version FROM papers WHERE id IN ({marks})", chunk))
        return found

    @staticmethod
    def _versions(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, list[PaperVersion]]:
        out: dict[str, list[PaperVersion]] = {}
        for chunk in chunked(list(ids), _IN_CHUNK):
            marks = ", ".join("?" * len(chunk))
            for paper_id, version, day in conn.execute(
                f"SELECT paper_id, version, date FROM paper_versions WHERE paper_id IN ({marks}) "
                "ORDER BY paper_id, version",
                chunk,
            ):
                out.setdefault(paper_id, []).append(PaperVersion(version, _date(day)))
        return out
